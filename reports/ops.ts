// What the page says about one op (who, when, how long, what came back), looked up by its history
// index in the checker's op pairs (checkers/op-pairs.ts).
import { type History, type Op, type OpPairs, pairOf } from "../checkers/index.ts";

/** What the page shows about one op: enough to say who did what, when, and what came back. */
export interface OpInfo {
  /** History index. */
  i: number;
  p: string | number;
  f: string;
  type: string;
  /** Invocation and completion time, seconds on the page's clock (clock.ts). */
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
export function opInfos(history: History, pairs: OpPairs, wanted: Iterable<number>, originNs = 0): Map<number, OpInfo> {
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
    const pr = op.process === "nemesis" ? -1 : pairOf(pairs, i);
    const done = (op.time - originNs) / 1e9;
    const inv = pr >= 0 ? (pairs.inv[pr]! - originNs) / 1e9 : done;
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
