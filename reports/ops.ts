// Client ops as invocation/completion pairs, in one pass over the history and in typed arrays, so a
// million-op history costs a few megabytes. Everything the report says about an op (who, when, how
// long, what came back) is looked up here by its history index.
import type { History, Op } from "../checkers/index.ts";

export const OK = 0;
export const INFO = 1;
export const FAIL = 2;
const TYPE: Record<string, number> = { ok: OK, info: INFO, fail: FAIL };
export const TYPE_NAMES = ["ok", "info", "fail"] as const;

/** Completed client ops (process not "nemesis"), in history order. */
export interface OpPairs {
  n: number;
  /** History index of the completion. */
  index: Int32Array;
  /** History index of the invocation, or -1 when there was none. */
  invIndex: Int32Array;
  /** Times in ns since the run started. */
  inv: Float64Array;
  done: Float64Array;
  type: Uint8Array;
  /** First and last op time in the history, ns. */
  start: number;
  end: number;
  /** Invocations that never completed (a crashed client). */
  unfinished: number;
}

export const isNemesis = (op: Op): boolean => op.process === "nemesis";

export function pairOps(history: History): OpPairs {
  // Each line is at most one completion: size the arrays once.
  const cap = history.length;
  const index = new Int32Array(cap);
  const invIndex = new Int32Array(cap);
  const inv = new Float64Array(cap);
  const done = new Float64Array(cap);
  const type = new Uint8Array(cap);
  const pending = new Map<unknown, Op>();
  let n = 0;
  let start = Infinity;
  let end = -Infinity;
  for (const op of history) {
    const t = typeof op.time === "number" ? op.time : 0;
    if (t < start) start = t;
    if (t > end) end = t;
    if (isNemesis(op)) continue;
    if (op.type === "invoke") {
      pending.set(op.process, op);
      continue;
    }
    const code = TYPE[op.type];
    if (code === undefined) continue;
    const i = pending.get(op.process);
    pending.delete(op.process);
    index[n] = op.index;
    invIndex[n] = i ? i.index : -1;
    inv[n] = i ? i.time : t;
    done[n] = t;
    type[n] = code;
    n++;
  }
  if (start === Infinity) start = end = 0;
  return { n, index, invIndex, inv, done, type, start, end, unfinished: pending.size };
}

/** The pair whose completion has this history index, or -1 (binary search: indexes increase). */
export function pairOf(p: OpPairs, historyIndex: number): number {
  let lo = 0;
  let hi = p.n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = p.index[mid]!;
    if (v === historyIndex) return mid;
    if (v < historyIndex) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** What the page shows about one op: enough to say who did what, when, and what came back. */
export interface OpInfo {
  /** History index. */
  i: number;
  p: string | number;
  f: string;
  type: string;
  /** Invocation and completion time, seconds since the start. */
  inv: number;
  done: number;
  /** Latency in ms (0 for an op without invocation). */
  lat: number;
  /** The completion's value as JSON, cut to a readable length. */
  v: string;
  /** The invocation's history index, if any. */
  ii?: number;
  err?: string;
}

export const VALUE_CHARS = 600;

export function cut(s: string, max = VALUE_CHARS): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * OpInfo for the given history indexes. A history's index field normally equals its position;
 * when it does not (a merged or filtered history), a map by index is built once.
 */
export function opInfos(history: History, pairs: OpPairs, wanted: Iterable<number>): Map<number, OpInfo> {
  const out = new Map<number, OpInfo>();
  let byIndex: Map<number, Op> | undefined;
  const find = (i: number): Op | undefined => {
    const at = history[i];
    if (at && at.index === i) return at;
    byIndex ??= new Map(history.map((o) => [o.index, o]));
    return byIndex.get(i);
  };
  for (const i of wanted) {
    if (out.has(i)) continue;
    const op = find(i);
    if (!op) continue;
    const pr = isNemesis(op) ? -1 : pairOf(pairs, i);
    const done = op.time / 1e9;
    const inv = pr >= 0 ? pairs.inv[pr]! / 1e9 : done;
    const info: OpInfo = {
      i,
      p: typeof op.process === "number" || typeof op.process === "string" ? op.process : String(op.process),
      f: String(op.f),
      type: String(op.type),
      inv,
      done,
      lat: round((done - inv) * 1000, 3),
      v: cut(JSON.stringify(op.value ?? null) ?? "null"),
    };
    if (pr >= 0 && pairs.invIndex[pr]! >= 0) info.ii = pairs.invIndex[pr]!;
    const err = op.error ?? op.reason;
    if (err !== undefined) info.err = cut(typeof err === "string" ? err : JSON.stringify(err), 200);
    out.set(i, info);
  }
  return out;
}

export const round = (x: number, digits: number): number => {
  const m = 10 ** digits;
  return Math.round(x * m) / m;
};
