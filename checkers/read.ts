// Readers: JSON Lines (streamed, one op a line) and Jepsen EDN histories. This is the file edge of
// the checkers: everything past it is a pure function of an in-memory History.
import { createReadStream } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { parseEDNString } from "edn-data";
import { type History, HistoryError, type Op, validateOp } from "./history.ts";

/**
 * How to read. A JSON Lines file whose last line has no newline and is not valid JSON was cut off
 * while it was written (the run was killed): that line is skipped and reported here, never an
 * error, so every complete line of a crashed run's history can still be checked.
 */
export interface ReadOptions {
  onTornLastLine?: (where: string, text: string) => void;
}

/**
 * Bytes read at a time. Small enough that each chunk, and the text it makes, is allocated in V8's
 * young generation, whose pages are reused: a 1 MB chunk is a large object in memory of its own,
 * three of them per chunk (the text, the text joined with the last line's rest, its flat copy), and
 * on a VM the first touch of each fresh page costs ~15 µs (1.5 s over a 1M-op file).
 */
const CHUNK_BYTES = 64 * 1024;

/** Reads a history file, choosing the format by extension (.jsonl/.json/.ndjson or .edn). */
export async function readHistoryFile(path: string, opts: ReadOptions = {}): Promise<History> {
  const history: History = [];
  for await (const batch of streamHistoryBatches(path, opts)) for (const op of batch) history.push(op);
  return history;
}

/** The ops of a history file, one at a time. */
export async function* streamHistoryFile(path: string, opts: ReadOptions = {}): AsyncGenerator<Op> {
  for await (const batch of streamHistoryBatches(path, opts)) yield* batch;
}

/**
 * The ops of a history file in batches (one per chunk read), which spares an await per op:
 * JSON Lines are streamed; EDN is parsed whole first.
 */
export async function* streamHistoryBatches(path: string, opts: ReadOptions = {}): AsyncGenerator<Op[]> {
  const ext = extname(path).toLowerCase();
  const source = basename(path);
  if (ext === ".edn") {
    yield parseEdnHistory(await readFile(path, "utf8"), source);
  } else if (ext === ".jsonl" || ext === ".json" || ext === ".ndjson") {
    yield* streamJsonlBatches(createReadStream(path, { encoding: "utf8", highWaterMark: CHUNK_BYTES }), source, opts);
  } else {
    throw new HistoryError(source, `unknown history format "${ext}" (expected .jsonl, .json or .edn)`);
  }
}

/**
 * Streams ops out of JSON Lines text arriving in chunks. Blank lines are skipped; a file that is one
 * JSON array of ops (starts with "[") is accepted too. Errors name the line.
 */
export async function* streamJsonlHistory(
  chunks: AsyncIterable<string | Buffer>,
  source?: string,
  opts: ReadOptions = {},
): AsyncGenerator<Op> {
  for await (const batch of streamJsonlBatches(chunks, source, opts)) yield* batch;
}

/**
 * Calls `onOp` with every op of a history file as it is read, and keeps none of them: the fastest
 * way through a large file (no await per op, no batch kept alive long enough to age in the heap).
 * `take`, when given, is offered each JSON line first, as its UTF-8 bytes bytes[start, end): a line
 * it takes (returns true for) is counted but not parsed (the file check's fast path, scan-line.ts).
 */
export async function forEachHistoryOp(
  path: string,
  onOp: (op: Op) => void,
  opts: ReadOptions = {},
  take?: (bytes: Buffer, start: number, end: number) => boolean,
): Promise<void> {
  const ext = extname(path).toLowerCase();
  if (ext !== ".jsonl" && ext !== ".ndjson" && ext !== ".json") {
    for await (const batch of streamHistoryBatches(path, opts)) for (const op of batch) onOp(op);
    return;
  }
  const lines = new LineParser(basename(path), opts);
  // Read as bytes into one buffer, reused (no fresh memory per chunk), split at newline bytes (never
  // part of a multi-byte UTF-8 character), and decoded line by line only for the lines `take`
  // leaves: the same text as decoding the whole file.
  const file = await open(path, "r");
  const bytes = Buffer.allocUnsafe(READ_BYTES);
  /** The start of a line that ran past the buffer (copied: the buffer is read into again). */
  let rest: Buffer[] = [];
  let first = true;
  try {
    for (;;) {
      const { bytesRead } = await file.read(bytes, 0, READ_BYTES, null);
      if (bytesRead === 0) break;
      // The bytes read this time (the rest of the buffer holds the last read's).
      const chunk = bytesRead === READ_BYTES ? bytes : bytes.subarray(0, bytesRead);
      if (first) {
        const head = Buffer.concat([...rest, chunk]).toString("utf8");
        if (/^\s*\[/.test(head)) {
          for await (const batch of streamHistoryBatches(path, opts)) for (const op of batch) onOp(op);
          return;
        }
        if (head.trim() !== "") first = false;
      }
      let nl = chunk.indexOf(NEWLINE);
      // A line longer than the buffer (a final read of a large history is megabytes) is joined
      // once, when it ends.
      if (nl === -1) {
        rest.push(Buffer.from(chunk));
        continue;
      }
      let start = 0;
      if (rest.length > 0) {
        rest.push(chunk.subarray(0, nl));
        const joined = Buffer.concat(rest);
        line(joined, 0, joined.length);
        start = nl + 1;
        nl = chunk.indexOf(NEWLINE, start);
      }
      while (nl !== -1) {
        line(chunk, start, nl);
        start = nl + 1;
        nl = chunk.indexOf(NEWLINE, start);
      }
      rest = start < chunk.length ? [Buffer.from(chunk.subarray(start))] : [];
    }
  } finally {
    await file.close();
  }
  const last = Buffer.concat(rest);
  if (take?.(last, 0, last.length)) lines.skip();
  else {
    const op = lines.parseLast(last.toString("utf8"));
    if (op) onOp(op);
  }

  function line(bytes: Buffer, start: number, end: number): void {
    if (take?.(bytes, start, end)) lines.skip();
    else {
      const op = lines.parse(bytes.toString("utf8", start, end));
      if (op) onOp(op);
    }
  }
}

const NEWLINE = 10;
/** Bytes read at a time by forEachHistoryOp, into one buffer it reuses. */
const READ_BYTES = 256 * 1024;

/** Like streamJsonlHistory, one batch of ops per chunk. */
export async function* streamJsonlBatches(
  chunks: AsyncIterable<string | Buffer>,
  source?: string,
  opts: ReadOptions = {},
): AsyncGenerator<Op[]> {
  const lines = new LineParser(source, opts);
  let rest = "";
  let first = true;
  for await (const chunk of chunks) {
    let text = rest + (typeof chunk === "string" ? chunk : chunk.toString("utf8"));
    if (first && /^\s*\[/.test(text)) {
      // A JSON array cannot be streamed line by line: gather it all.
      for await (const more of chunks) text += typeof more === "string" ? more : more.toString("utf8");
      yield [...parseJsonArray(text, source)];
      return;
    }
    if (first && text.trim() !== "") first = false;
    const batch: Op[] = [];
    let start = 0;
    let nl = text.indexOf("\n", start);
    while (nl !== -1) {
      const op = lines.parse(text.slice(start, nl));
      if (op) batch.push(op);
      start = nl + 1;
      nl = text.indexOf("\n", start);
    }
    rest = text.slice(start);
    if (batch.length > 0) yield batch;
  }
  const op = lines.parseLast(rest);
  if (op) yield [op];
}

/** Parses JSON Lines given as one text or as its lines. */
export function parseJsonlHistory(input: string | Iterable<string>, source?: string, opts: ReadOptions = {}): History {
  const lines = new LineParser(source, opts);
  const history: History = [];
  if (typeof input === "string") {
    if (/^\s*\[/.test(input)) return [...parseJsonArray(input, source)];
    // Only the text after the last newline can be a torn line.
    const all = input.split("\n");
    const last = all.pop()!;
    for (const line of all) {
      const op = lines.parse(line);
      if (op) history.push(op);
    }
    const op = lines.parseLast(last);
    if (op) history.push(op);
    return history;
  }
  for (const line of input) {
    const op = lines.parse(line);
    if (op) history.push(op);
  }
  return history;
}

class LineParser {
  private line = 0;
  private ops = 0;
  constructor(
    private readonly source: string | undefined,
    private readonly opts: ReadOptions = {},
  ) {}

  /** A line taken without parsing (forEachHistoryOp's `take`): an op, counted as parse() would. */
  skip(): void {
    this.line++;
    this.ops++;
  }

  /** The text after the last newline: when it is not valid JSON, the writer was cut off there. */
  parseLast(text: string): Op | undefined {
    try {
      return this.parse(text);
    } catch (e) {
      if (!(e instanceof HistoryError) || !e.problem.startsWith("invalid JSON")) throw e;
      this.opts.onTornLastLine?.(e.where, text);
      return undefined;
    }
  }

  parse(text: string): Op | undefined {
    this.line++;
    if (text.length === 0 || (text.length < 3 && text.trim() === "")) return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      if (text.trim() === "") return undefined;
      throw new HistoryError(where(this.source, this.line), `invalid JSON (${(e as Error).message})`);
    }
    const op = validateOp(raw, this.ops);
    if (typeof op === "string") throw new HistoryError(where(this.source, this.line), op);
    this.ops++;
    return op;
  }
}

function* parseJsonArray(text: string, source?: string): Generator<Op> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new HistoryError(source ?? "history", `invalid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(raw)) throw new HistoryError(source ?? "history", "expected an array of ops");
  for (let i = 0; i < raw.length; i++) {
    const op = validateOp(raw[i], i);
    if (typeof op === "string") throw new HistoryError(`${source ?? "history"}: op ${i}`, op);
    yield op;
  }
}

function where(source: string | undefined, line: number): string {
  return source ? `${source}:${line}` : `line ${line}`;
}

const EDN_OPTIONS = {
  mapAs: "map",
  keywordAs: "string",
  listAs: "array",
  setAs: "array",
  charAs: "string",
  symbolAs: "string",
} as const;

/**
 * Parses a Jepsen EDN history: one op map per form (usually one a line), optionally wrapped in one
 * vector or list, optionally tagged (`#jepsen.history.Op{...}`). Keywords become strings; map keys
 * become object keys (so an integer key 3 and "3" are the same key, as in JSON).
 */
export function parseEdnHistory(text: string, source?: string): History {
  const history: History = [];
  for (const form of ednForms(text, source)) {
    let raw: unknown;
    try {
      raw = fromEdn(parseEDNString(form.text, EDN_OPTIONS));
    } catch (e) {
      throw new HistoryError(where(source, form.line), `invalid EDN (${(e as Error).message})`);
    }
    const op = validateOp(raw, history.length);
    if (typeof op === "string") throw new HistoryError(where(source, form.line), op);
    history.push(op);
  }
  return history;
}

interface Form {
  text: string;
  line: number;
}

const OPEN: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

/** Splits EDN text into its op forms, tracking line numbers and bracket balance (the EDN library
 * silently accepts an unterminated map, so balance is checked here). */
function* ednForms(text: string, source?: string): Generator<Form> {
  let line = 1;
  let i = 0;
  const n = text.length;
  // A history wrapped in one vector or list: its elements are the ops.
  // A comment runs to the end of its line: a bracket inside one does not wrap the history.
  const firstSignificant = /^(?:\s|,|;[^\n]*(?=\n|$))*([[(])/.exec(text);
  const target = firstSignificant ? 1 : 0;
  const closers: string[] = [];
  let formStart = -1;
  let formLine = 0;
  while (i < n) {
    const c = text[i]!;
    if (c === "\n") line++;
    if (c === ";") {
      while (i < n && text[i] !== "\n") i++;
      continue;
    }
    if (c === '"') {
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === "\\") i++;
        else if (text[i] === "\n") line++;
        i++;
      }
      if (i >= n) throw new HistoryError(where(source, line), "unterminated string");
      i++;
      continue;
    }
    if (c === "\\") {
      i += 2;
      continue;
    }
    const depth = closers.length;
    if (depth === target && formStart === -1 && !/[\s,]/.test(c)) {
      if (c !== "{" && c !== "#") {
        if (target === 1 && (c === "]" || c === ")")) {
          closers.pop();
          i++;
          continue;
        }
        throw new HistoryError(where(source, line), `expected an op map, found ${JSON.stringify(c)}`);
      }
      formStart = i;
      formLine = line;
    }
    if (c in OPEN) closers.push(OPEN[c]!);
    else if (c === ")" || c === "]" || c === "}") {
      const want = closers.pop();
      if (want !== c) throw new HistoryError(where(source, line), `unbalanced ${JSON.stringify(c)}`);
      if (closers.length === target && formStart !== -1) {
        yield { text: text.slice(formStart, i + 1), line: formLine };
        formStart = -1;
      }
    }
    i++;
  }
  if (closers.length > 0 || formStart !== -1) {
    throw new HistoryError(where(source, formLine || line), "unterminated form (missing a closing bracket)");
  }
}

/** EDN data (Maps, tagged values) to plain JSON-like data. */
function fromEdn(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(fromEdn);
  if (x instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, v] of x) o[typeof k === "string" ? k : String(fromEdn(k))] = fromEdn(v);
    return o;
  }
  if (x instanceof Date) return x.toISOString();
  if (typeof x === "bigint") return Number(x);
  if (typeof x === "object" && x !== null && "tag" in x && "val" in x) return fromEdn((x as { val: unknown }).val);
  return x;
}
