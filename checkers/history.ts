// The history model: plain, typed ops exactly as they sit in a history file (docs/design.md, History),
// and the validation that turns one parsed line into an Op or says precisely what is wrong with it.

export type OpType = "invoke" | "ok" | "fail" | "info";
/** A key names one topic-partition. JSON object keys are strings, so 3 and "3" are the same key. */
export type Key = string | number;
/** Values are unique per key, so every record is identifiable. */
export type Value = string | number;
export type Process = number | string;

/** `["send", key, value]` (offset unknown) or `["send", key, [offset, value]]`. */
export type SendMop = ["send", Key, Value | [number | null, Value]];
/** `["poll"]` (invocation) or `["poll", {key: [[offset, value], ...]}]` (result). */
export type PollMop = ["poll"] | ["poll", Record<string, Array<[number, Value]>>];
export type MicroOp = SendMop | PollMop;

export interface Op {
  index: number;
  /** Nanoseconds since the run started. */
  time: number;
  process: Process;
  type: OpType;
  /** `send`, `poll`, `txn`, `assign`, `subscribe`, or a fault name for the nemesis. */
  f: string;
  /** MicroOp[] for send/poll/txn, Key[] for assign/subscribe, anything for the nemesis. */
  value?: unknown;
  /** Unknown fields are kept. */
  [extra: string]: unknown;
}

export type History = Op[];

/** The ops the checkers read; everything else (faults, debug ops) is carried but ignored. */
export const MICRO_OP_FS: ReadonlySet<string> = new Set(["send", "poll", "txn"]);
export const KEYS_FS: ReadonlySet<string> = new Set(["assign", "subscribe"]);
/**
 * What the broker answered for a record after its send op had completed `info` (the harness gave
 * up waiting): one op `{"type": "info", "f": "late-ack", "value": [["send", key, [offset, value]]],
 * "op": <history index of the send op>}` of the producer's process, no invocation. Checked as an
 * acknowledgement of that value (acked.ts); everything else ignores it.
 */
export const LATE_ACK = "late-ack";

const OP_TYPES: ReadonlySet<string> = new Set(["invoke", "ok", "fail", "info"]);

/** A malformed history: `where` is "file:line" or "line N" and the message says what is wrong. */
export class HistoryError extends Error {
  constructor(
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${where}: ${problem}`);
    this.name = "HistoryError";
  }
}

export function isKey(k: unknown): k is Key {
  return typeof k === "string" || (typeof k === "number" && Number.isInteger(k));
}
export const isValue: (v: unknown) => v is Value = isKey as (v: unknown) => v is Value;

function isOffset(o: unknown): o is number {
  return typeof o === "number" && Number.isInteger(o) && o >= 0;
}

/**
 * Checks that a parsed record is an Op and returns it (the same object: unknown fields kept).
 * Returns a problem string instead of throwing so that the readers can add the line number.
 */
export function validateOp(raw: unknown, position: number): Op | string {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return "expected an object (one op)";
  const op = raw as Record<string, unknown>;
  const type = op.type;
  if (type === undefined) return 'missing field "type"';
  if (typeof type !== "string" || !OP_TYPES.has(type)) {
    return `field "type" must be one of invoke, ok, fail, info (got ${show(type)})`;
  }
  const f = op.f;
  if (f === undefined) return 'missing field "f"';
  if (typeof f !== "string") return `field "f" must be a string (got ${show(f)})`;
  const p = op.process;
  if (p === undefined) return 'missing field "process"';
  if (!(typeof p === "string" || (typeof p === "number" && Number.isInteger(p)))) {
    return `field "process" must be an integer or a string (got ${show(p)})`;
  }
  if (op.index === undefined) op.index = position;
  else if (typeof op.index !== "number" || !Number.isInteger(op.index)) {
    return `field "index" must be an integer (got ${show(op.index)})`;
  }
  if (op.time === undefined) op.time = 0;
  else if (typeof op.time !== "number") return `field "time" must be a number (got ${show(op.time)})`;
  if (MICRO_OP_FS.has(f) || f === LATE_ACK) {
    const problem = validateMicroOps(op.value, type);
    if (problem) return problem;
  } else if (KEYS_FS.has(f)) {
    const v = op.value;
    if (v !== undefined && v !== null) {
      if (!Array.isArray(v)) return `an ${f} op's "value" must be a list of keys (got ${show(v)})`;
      for (let i = 0; i < v.length; i++) {
        if (!isKey(v[i])) return `key ${i} of an ${f} op must be a string or an integer (got ${show(v[i])})`;
      }
    }
  }
  return op as Op;
}

function validateMicroOps(value: unknown, type: string): string | undefined {
  // A failed or crashed op may carry no value; the checkers fall back to its invocation.
  if ((value === undefined || value === null) && type !== "invoke") return undefined;
  if (!Array.isArray(value)) return `field "value" must be a list of micro-ops (got ${show(value)})`;
  for (let i = 0; i < value.length; i++) {
    const m: unknown = value[i];
    if (!Array.isArray(m)) return `micro-op ${i} must be a list (got ${show(m)})`;
    const problem = m[0] === "send" ? checkSend(m) : m[0] === "poll" ? checkPoll(m) : `unknown micro-op ${show(m[0])}`;
    if (problem) return `micro-op ${i}: ${problem}`;
  }
  return undefined;
}

function checkSend(m: unknown[]): string | undefined {
  if (m.length !== 3) return 'expected ["send", key, value] or ["send", key, [offset, value]]';
  if (!isKey(m[1])) return `send key must be a string or an integer (got ${show(m[1])})`;
  const v = m[2];
  if (Array.isArray(v)) {
    if (v.length !== 2 || !(v[0] === null || isOffset(v[0])) || !isValue(v[1])) {
      return `expected [offset, value] with a non-negative integer offset (got ${show(v)})`;
    }
  } else if (!isValue(v)) return `send value must be a string or an integer (got ${show(v)})`;
  return undefined;
}

function checkPoll(m: unknown[]): string | undefined {
  if (m.length === 1) return undefined;
  const r = m[1];
  if (m.length !== 2 || typeof r !== "object" || r === null || Array.isArray(r)) {
    return 'expected ["poll"] or ["poll", {key: [[offset, value], ...]}]';
  }
  for (const k in r) {
    const recs = (r as Record<string, unknown>)[k];
    if (!Array.isArray(recs)) return `poll result for key ${show(k)} must be a list of [offset, value]`;
    for (let j = 0; j < recs.length; j++) {
      const rec: unknown = recs[j];
      if (!Array.isArray(rec) || rec.length !== 2 || !isOffset(rec[0]) || !isValue(rec[1])) {
        return `poll record ${j} of key ${show(k)} must be [offset, value] (got ${show(rec)})`;
      }
    }
  }
  return undefined;
}

function show(x: unknown): string {
  if (x === undefined) return "nothing";
  const s = JSON.stringify(x) ?? String(x);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
