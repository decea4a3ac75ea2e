// The log of a key as the history shows it, for the keys with findings: at each offset, the
// value(s) there, who wrote each (the send that reported that offset) and who read it. The log
// view and the evidence sentences read it; keys without findings are never built.
import type { Finding, History, Value } from "../checkers/index.ts";

export const READERS_KEPT = 6;

export interface Cell {
  value: Value;
  /** History index of a completed send that reported this offset for the value. */
  writtenBy?: number;
  /** ok reads that returned the value at this offset (first few), and how many in all. */
  readers: number[];
  readCount: number;
  /** Reads by ops that did not complete ok (info/fail), which still show what the broker returned. */
  otherReads: number;
}

export interface Writer {
  index: number;
  type: string;
  process: string | number;
}

export interface KeyLog {
  key: string;
  /** Non-empty offsets, ascending. */
  offsets: number[];
  cells: Map<number, Cell[]>;
  /** The op that sent each value (the first completion naming it), with its outcome. */
  writers: Map<Value, Writer>;
  /** Offsets each value sits at, ascending. */
  valueOffsets: Map<Value, number[]>;
  /** Values returned by an ok read. */
  readOk: Set<Value>;
  /** The last ok read of this key (normally a final read) and the highest offset it returned. */
  lastRead?: { index: number; process: string | number; offset: number };
}

type Rec = [number, Value];

/** Builds the logs of the given keys in one pass (keys compared as strings, as in JSON objects). */
export function keyLogs(history: History, keys: Iterable<string>): Map<string, KeyLog> {
  const logs = new Map<string, KeyLog>();
  for (const k of keys) logs.set(k, { key: k, offsets: [], cells: new Map(), writers: new Map(), valueOffsets: new Map(), readOk: new Set() });
  if (logs.size === 0) return logs;
  const cellAt = (log: KeyLog, offset: number, value: Value): Cell => {
    let list = log.cells.get(offset);
    if (!list) log.cells.set(offset, (list = []));
    let c = list.find((x) => x.value === value);
    if (!c) {
      list.push((c = { value, readers: [], readCount: 0, otherReads: 0 }));
      const vo = log.valueOffsets.get(value);
      if (vo) vo.push(offset);
      else log.valueOffsets.set(value, [offset]);
    }
    return c;
  };
  for (const op of history) {
    if (op.type === "invoke" || op.process === "nemesis" || !Array.isArray(op.value)) continue;
    if (op.f !== "send" && op.f !== "poll" && op.f !== "txn") continue;
    for (const m of op.value as unknown[]) {
      if (!Array.isArray(m)) continue;
      if (m[0] === "send" && m.length === 3) {
        const log = logs.get(String(m[1]));
        if (!log) continue;
        const v = m[2] as Value | [number | null, Value];
        const [offset, value] = Array.isArray(v) ? v : [null, v];
        if (!log.writers.has(value)) log.writers.set(value, { index: op.index, type: op.type, process: op.process });
        if (offset !== null && offset !== undefined && op.type !== "fail") {
          const c = cellAt(log, offset, value);
          c.writtenBy ??= op.index;
        }
      } else if (m[0] === "poll" && m.length === 2 && typeof m[1] === "object" && m[1] !== null) {
        for (const [k, recs] of Object.entries(m[1] as Record<string, Rec[]>)) {
          const log = logs.get(k);
          if (!log || !Array.isArray(recs)) continue;
          let top = -1;
          for (const [offset, value] of recs) {
            const c = cellAt(log, offset, value);
            if (op.type === "ok") {
              if (c.readers.length < READERS_KEPT && c.readers.at(-1) !== op.index) c.readers.push(op.index);
              c.readCount++;
              log.readOk.add(value);
              if (offset > top) top = offset;
            } else c.otherReads++;
          }
          if (top >= 0) log.lastRead = { index: op.index, process: op.process, offset: top };
        }
      }
    }
  }
  for (const log of logs.values()) {
    log.offsets = [...log.cells.keys()].sort((a, b) => a - b);
    for (const v of log.valueOffsets.values()) v.sort((a, b) => a - b);
  }
  return logs;
}

/** The keys a finding is about (cycles: every key of their steps). */
export function findingKeys(f: Finding): string[] {
  if ("steps" in f) return [...new Set(f.steps.filter((s) => s.key !== undefined).map((s) => String(s.key)))];
  return [String(f.key)];
}

/** Values and offsets a finding points at, per key, for the log view to show and highlight. */
export function findingMarks(f: Finding): Array<{ key: string; values: Value[]; offsets: number[] }> {
  switch (f.type) {
    case "lost-write":
      return [{ key: String(f.key), values: [f.value], offsets: [f.offset] }];
    case "unseen":
    case "G1a":
      return [{ key: String(f.key), values: [f.value], offsets: [] }];
    case "precommitted-read":
      return [{ key: String(f.key), values: [f.value], offsets: [f.offset] }];
    case "duplicate":
      return [{ key: String(f.key), values: [f.value], offsets: f.offsets }];
    case "inconsistent-offsets":
      return [{ key: String(f.key), values: f.values, offsets: [f.offset] }];
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
