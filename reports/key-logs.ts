// The log of a key as the history shows it, for the keys with findings: at each offset the log view
// shows, the value(s) there, who wrote each (the send that reported that offset) and who read it.
// Built in three passes that keep only what the page shows, so a million-op history stays cheap:
// (1) every non-empty offset and where the findings' values sit; (2) the cells of the offsets
// shown; (3) for the values on the page, every offset they sit at, their writers and ok reads.
import type { Finding, History, Op, Value } from "../checkers/index.ts";

export const READERS_KEPT = 6;
/** Offsets shown on each side of an offset of interest, and in all per key. */
export const CONTEXT = 3;
export const MAX_CELLS = 160;

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
  /** Every non-empty offset, ascending. */
  offsets: number[];
  /** Position ranges (in `offsets`) the log view shows, and whether findings were left out. */
  ranges: Array<[number, number]>;
  cut: boolean;
  /** The cells of the offsets shown (and of the offsets the findings name). */
  cells: Map<number, Cell[]>;
  /** For the values on the page: the op that sent it (the first completion naming it). */
  writers: Map<Value, Writer>;
  /** For the values on the page: every offset they sit at, ascending. */
  valueOffsets: Map<Value, number[]>;
  /** Values on the page that an ok read returned. */
  readOk: Set<Value>;
  /** The last ok read of this key (normally a final read) and the highest offset it returned. */
  lastRead?: { index: number; process: string | number; offset: number };
}

export interface KeyMarks {
  values: Iterable<Value>;
  offsets: Iterable<number>;
}

/** Per key, what the three passes keep. */
interface State {
  log: KeyLog;
  marked: Set<Value>;
  markedOffsets: number[];
  all: number[];
  markedAt: number[];
  detail: Set<number>;
  onPage: Set<Value>;
}

interface Pass {
  send(s: State, offset: number | null, value: Value, op: Op): void;
  /** All records of one key in one poll result. */
  poll(s: State, recs: Array<[number, Value]>, op: Op): void;
}

/** One pass over the records of the wanted keys: sends (offset null when unknown) and poll results. */
function eachRecord(history: History, states: Map<string, State>, pass: Pass): void {
  for (const op of history) {
    if (op.type === "invoke" || op.process === "nemesis" || !Array.isArray(op.value)) continue;
    if (op.f !== "send" && op.f !== "poll" && op.f !== "txn") continue;
    for (const m of op.value as unknown[]) {
      if (!Array.isArray(m)) continue;
      if (m[0] === "send" && m.length === 3) {
        const s = states.get(typeof m[1] === "string" ? m[1] : String(m[1]));
        if (!s) continue;
        const v = m[2] as Value | [number | null, Value];
        if (Array.isArray(v)) pass.send(s, v[0] ?? null, v[1], op);
        else pass.send(s, null, v, op);
      } else if (m[0] === "poll" && m.length === 2 && typeof m[1] === "object" && m[1] !== null) {
        const result = m[1] as Record<string, Array<[number, Value]>>;
        for (const k in result) {
          const s = states.get(k);
          const recs = result[k];
          if (s && Array.isArray(recs) && recs.length) pass.poll(s, recs, op);
        }
      }
    }
  }
}

/** Builds the logs of the keys with findings, around what the findings name. */
export function keyLogs(history: History, marks: Map<string, KeyMarks>, context = CONTEXT, maxCells = MAX_CELLS): Map<string, KeyLog> {
  const states = new Map<string, State>();
  for (const [k, m] of marks) {
    const log: KeyLog = { key: k, offsets: [], ranges: [], cut: false, cells: new Map(), writers: new Map(), valueOffsets: new Map(), readOk: new Set() };
    const marked = new Set(m.values);
    states.set(k, { log, marked, markedOffsets: [...m.offsets], all: [], markedAt: [], detail: new Set(), onPage: new Set(marked) });
  }
  if (states.size === 0) return new Map();

  // (1) Every offset that holds something (sends of ops that did not fail, reads of any op), where
  // the findings' values sit, and the last ok read.
  eachRecord(history, states, {
    send(s, offset, value, op) {
      if (offset === null || op.type === "fail") return;
      s.all.push(offset);
      if (s.marked.has(value)) s.markedAt.push(offset);
    },
    poll(s, recs, op) {
      let top = -1;
      for (let i = 0; i < recs.length; i++) {
        const [offset, value] = recs[i]!;
        s.all.push(offset);
        if (offset > top) top = offset;
        if (s.marked.has(value)) s.markedAt.push(offset);
      }
      if (op.type === "ok") s.log.lastRead = { index: op.index, process: op.process, offset: top };
    },
  });
  for (const s of states.values()) {
    s.log.offsets = sortedUnique(s.all);
    s.all = [];
    const w = windows(s.log, [...s.markedOffsets, ...s.markedAt], context, maxCells);
    s.log.ranges = w.ranges;
    s.log.cut = w.cut;
    s.detail = new Set<number>(s.markedOffsets);
    for (const [lo, hi] of w.ranges) for (let p = lo; p <= hi; p++) s.detail.add(s.log.offsets[p]!);
  }

  // (2) The cells of the offsets shown.
  const cellOf = (s: State, offset: number, value: Value): Cell => {
    let list = s.log.cells.get(offset);
    if (!list) s.log.cells.set(offset, (list = []));
    let c = list.find((x) => x.value === value);
    if (!c) {
      list.push((c = { value, readers: [], readCount: 0, otherReads: 0 }));
      s.onPage.add(value);
    }
    return c;
  };
  eachRecord(history, states, {
    send(s, offset, value, op) {
      if (offset === null || op.type === "fail" || !s.detail.has(offset)) return;
      cellOf(s, offset, value).writtenBy ??= op.index;
    },
    poll(s, recs, op) {
      for (let i = 0; i < recs.length; i++) {
        const [offset, value] = recs[i]!;
        if (!s.detail.has(offset)) continue;
        const c = cellOf(s, offset, value);
        if (op.type !== "ok") c.otherReads++;
        else {
          if (c.readers.length < READERS_KEPT && c.readers.at(-1) !== op.index) c.readers.push(op.index);
          c.readCount++;
        }
      }
    },
  });

  // (3) For every value on the page: its writer, every offset it sits at, whether an ok read saw it.
  const sitsAt = (s: State, value: Value, offset: number) => {
    const vo = s.log.valueOffsets.get(value);
    if (!vo) s.log.valueOffsets.set(value, [offset]);
    else if (!vo.includes(offset)) vo.push(offset);
  };
  eachRecord(history, states, {
    send(s, offset, value, op) {
      if (!s.onPage.has(value)) return;
      if (!s.log.writers.has(value)) s.log.writers.set(value, { index: op.index, type: op.type, process: op.process });
      if (offset !== null && op.type !== "fail") sitsAt(s, value, offset);
    },
    poll(s, recs, op) {
      for (let i = 0; i < recs.length; i++) {
        const [offset, value] = recs[i]!;
        if (!s.onPage.has(value)) continue;
        if (op.type === "ok") s.log.readOk.add(value);
        sitsAt(s, value, offset);
      }
    },
  });
  const logs = new Map<string, KeyLog>();
  for (const [k, s] of states) {
    for (const v of s.log.valueOffsets.values()) v.sort((a, b) => a - b);
    logs.set(k, s.log);
  }
  return logs;
}


function sortedUnique(xs: number[]): number[] {
  const a = Float64Array.from(xs).sort();
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[i - 1]) out.push(a[i]!);
  return out;
}

/** Positions (in log.offsets) to show: each offset of interest with `context` around it, merged. */
export function windows(log: Pick<KeyLog, "offsets">, interest: Iterable<number>, context = CONTEXT, max = MAX_CELLS): { ranges: Array<[number, number]>; cut: boolean } {
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

function lowerBound(xs: number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
      return [{ key: String(f.key), values: [f.value, f.boundValue], offsets: [f.offset] }];
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
