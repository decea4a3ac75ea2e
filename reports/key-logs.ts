// The log of each key with findings, as the checker judged it (checkers/key-log.ts), cut to what
// the log view shows: every non-empty offset, the windows of offsets around what the findings
// name, the cells (values, writer, readers) of the offsets shown, and for the values on the page
// their writer, every offset they sit at and whether an ok read returned them.
import {
  type Derived,
  type Finding,
  findValues,
  infoAcks,
  keyNumbers,
  type LastRead,
  type LogCell,
  lastOkReads,
  logCells,
  logOffsets,
  lowerBound,
  type OpRef,
  readByOk,
  type Value,
  valueOffsets,
  writerOf,
} from "../checkers/index.ts";

export const READERS_KEPT = 6;
/** Offsets shown on each side of an offset of interest, and in all per key. */
export const CONTEXT = 3;
export const MAX_CELLS = 160;

export interface KeyLog {
  key: string;
  /** Every non-empty offset, ascending. */
  offsets: number[];
  /** Position ranges (in `offsets`) the log view shows, and whether findings were left out. */
  ranges: Array<[number, number]>;
  cut: boolean;
  /** The cells of the offsets shown (and of the offsets the findings name). */
  cells: Map<number, LogCell[]>;
  /** For the values on the page: the op that sent it (the writer the checker names). */
  writers: Map<Value, OpRef>;
  /** For the values on the page: every offset they sit at, ascending. */
  valueOffsets: Map<Value, number[]>;
  /** Values on the page acknowledged at an offset within a partly acknowledged (info) burst. */
  ackedAt: Map<Value, number>;
  /** Values on the page that an ok read returned. */
  readOk: Set<Value>;
  /** The last ok read of this key (normally a final read) and the highest offset it returned. */
  lastRead?: LastRead;
}

export interface KeyMarks {
  values: Iterable<Value>;
  offsets: Iterable<number>;
}

/** Builds the logs of the keys with findings, around what the findings name. */
export function keyLogs(d: Derived, marks: Map<string, KeyMarks>, context = CONTEXT, maxCells = MAX_CELLS): Map<string, KeyLog> {
  const logs = new Map<string, KeyLog>();
  const numbers = keyNumbers(d);
  const keyOf = new Map<string, number>();
  const markedValues = new Map<number, Set<Value>>();
  for (const [name, m] of marks) {
    logs.set(name, {
      key: name,
      offsets: [],
      ranges: [],
      cut: false,
      cells: new Map(),
      writers: new Map(),
      valueOffsets: new Map(),
      ackedAt: new Map(),
      readOk: new Set(),
    });
    const k = numbers.get(name);
    if (k === undefined) continue;
    keyOf.set(name, k);
    markedValues.set(k, new Set(m.values));
  }

  // The windows: around the offsets the findings name and those their values sit at.
  const marked = findValues(d, markedValues);
  const shown = new Map<number, Set<number>>();
  for (const [name, k] of keyOf) {
    const log = logs.get(name)!;
    log.offsets = logOffsets(d, k);
    const interest = [...marks.get(name)!.offsets];
    const detail = new Set<number>(interest);
    for (const v of marked.get(k)!.values()) interest.push(...valueOffsets(d, v));
    const w = windows(log, interest, context, maxCells);
    log.ranges = w.ranges;
    log.cut = w.cut;
    for (const [lo, hi] of w.ranges) for (let p = lo; p <= hi; p++) detail.add(log.offsets[p]!);
    shown.set(k, detail);
  }

  // The cells shown; then, for every value on the page, its writer, offsets and whether it was read.
  const cells = logCells(d, shown, READERS_KEPT);
  const onPage = new Map<number, Set<Value>>();
  for (const [name, k] of keyOf) {
    const log = logs.get(name)!;
    log.cells = cells.get(k)!;
    const values = new Set(markedValues.get(k));
    for (const list of log.cells.values()) for (const c of list) values.add(c.value);
    onPage.set(k, values);
  }
  const pageValues = findValues(d, onPage);
  const lastReads = lastOkReads(d, keyOf.values());
  // Records acknowledged within info bursts that no read put in the log: their offset is evidence.
  const acks = infoAcks(d);
  for (const [name, k] of keyOf) {
    const log = logs.get(name)!;
    for (const [value, v] of pageValues.get(k)!) {
      const writer = writerOf(d, v);
      if (writer) log.writers.set(value, writer);
      const offsets = valueOffsets(d, v);
      if (offsets.length > 0) log.valueOffsets.set(value, offsets);
      if (readByOk(d, v)) log.readOk.add(value);
      const acked = acks.offsets.get(v);
      if (acked !== undefined) log.ackedAt.set(value, acked);
    }
    const last = lastReads.get(k);
    if (last) log.lastRead = last;
  }
  return logs;
}

/** Positions (in log.offsets) to show: each offset of interest with `context` around it, merged. */
export function windows(
  log: Pick<KeyLog, "offsets">,
  interest: Iterable<number>,
  context = CONTEXT,
  max = MAX_CELLS,
): { ranges: Array<[number, number]>; cut: boolean } {
  const pos: number[] = [];
  for (const o of interest) {
    const p = lowerBound(log.offsets, o);
    if (p < log.offsets.length) pos.push(p);
    else if (log.offsets.length) pos.push(log.offsets.length - 1);
  }
  pos.sort((a, b) => a - b);
  const ranges: Array<[number, number]> = [];
  let cells = 0;
  let cut = false;
  for (const p of pos) {
    const lo = Math.max(0, p - context);
    const hi = Math.min(log.offsets.length - 1, p + context);
    const last = ranges.at(-1);
    if (last && lo <= last[1] + 1) {
      cells += Math.max(0, hi - last[1]);
      last[1] = Math.max(last[1], hi);
    } else {
      if (cells + (hi - lo + 1) > max) {
        cut = true;
        break;
      }
      ranges.push([lo, hi]);
      cells += hi - lo + 1;
    }
  }
  return { ranges, cut };
}

/** Whether the log view shows this offset (it lies in one of the ranges). */
export function isShown(log: Pick<KeyLog, "offsets" | "ranges">, offset: number): boolean {
  const p = lowerBound(log.offsets, offset);
  return log.offsets[p] === offset && log.ranges.some(([lo, hi]) => p >= lo && p <= hi);
}

/** The offset a link to the log opens at: the first the finding names that the view shows, else
 *  the first offset one of its values sits at there. */
export function findingOffset(log: KeyLog, m: { values: Value[]; offsets: number[] }): number | undefined {
  const named = m.offsets.find((o) => isShown(log, o));
  if (named !== undefined) return named;
  for (const v of m.values) {
    const at = log.valueOffsets.get(v)?.find((o) => isShown(log, o));
    if (at !== undefined) return at;
  }
  return undefined;
}

/** The id of an offset's cell in a key's log view. */
export const cellId = (logId: string, offset: number): string => `${logId}-o${offset}`;

/** The keys a finding is about (cycles: every key of their steps). */
export function findingKeys(f: Finding): string[] {
  if ("steps" in f) return [...new Set(f.steps.filter((s) => s.key !== undefined).map((s) => String(s.key)))];
  if (f.type === "torn-txn") return [...new Set([...f.seen, ...f.never].map((s) => String(s.key)))];
  if (f.type === "copy-loss" || f.type === "copy-duplicate") return [String(f.key), String(f.outputKey)];
  return [String(f.key)];
}

/** Values and offsets a finding points at, per key, for the log view to show and highlight. */
export function findingMarks(f: Finding): Array<{ key: string; values: Value[]; offsets: number[] }> {
  switch (f.type) {
    case "lost-write":
      return [{ key: String(f.key), values: [f.value, f.boundValue], offsets: [f.offset] }];
    case "unseen":
    case "G1a":
      return [{ key: String(f.key), values: [f.value], offsets: [] }];
    case "precommitted-read":
    case "committed-lost":
      return [{ key: String(f.key), values: [f.value], offsets: [f.offset] }];
    case "torn-txn": {
      const byKey = new Map<string, { values: Value[]; offsets: number[] }>();
      for (const s of [...f.seen, ...f.never]) {
        const m = byKey.get(String(s.key)) ?? { values: [], offsets: [] };
        m.values.push(s.value);
        if (s.offset !== null) m.offsets.push(s.offset);
        byKey.set(String(s.key), m);
      }
      return [...byKey].map(([key, m]) => ({ key, ...m }));
    }
    case "duplicate":
      return [{ key: String(f.key), values: [f.value], offsets: f.offsets }];
    case "copy-loss":
    case "copy-duplicate":
      return [
        { key: String(f.key), values: [f.value], offsets: f.inputOffsets },
        { key: String(f.outputKey), values: f.outputValues, offsets: f.outputOffsets },
      ];
    case "inconsistent-offsets":
      return [{ key: String(f.key), values: f.values, offsets: [f.offset] }];
    case "group-loss":
    case "group-duplicate":
      return [{ key: String(f.key), values: [f.value], offsets: [f.offset] }];
    case "group-rewind":
    case "group-jump":
      return [{ key: String(f.key), values: [], offsets: [f.start, ...(f.commit === null ? [] : [f.commit])] }];
    case "poll-skip":
    case "nonmonotonic-poll":
    case "nonmonotonic-send":
    case "int-poll-skip":
    case "int-nonmonotonic-poll":
    case "int-send-skip":
    case "int-nonmonotonic-send":
      return [{ key: String(f.key), values: [f.prevValue, f.value, ...(f.skipped ?? [])], offsets: [] }];
    default: {
      const byKey = new Map<string, Value[]>();
      for (const s of f.steps) {
        if (s.key === undefined || s.value === undefined) continue;
        const k = String(s.key);
        byKey.set(k, [...(byKey.get(k) ?? []), s.value]);
      }
      return [...byKey].map(([key, values]) => ({ key, values, offsets: [] }));
    }
  }
}
