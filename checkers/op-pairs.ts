// Client ops as the checker paired them (derive.ts): each completion with its invocation, as history
// indexes and times, for a timeline and for what a report says about one op.
import type { Derived } from "./derive.ts";
import type { Op } from "./history.ts";

/** Completed client ops in completion order (invocations that never completed are left out). */
export interface OpPairs {
  n: number;
  /** History index of the completion. */
  index: Int32Array;
  /** History index of the invocation, or -1 when there was none. */
  invIndex: Int32Array;
  /** Times in ns since the run started: of the invocation (of the completion when none), of the completion. */
  inv: Float64Array;
  done: Float64Array;
  /** 0 ok, 1 info, 2 fail (derive.ts's OK, INFO, FAIL). */
  type: Uint8Array;
}

/** `history`: the ops `d` was derived from, in the same order (d's lines are positions in it). */
export function opPairs(d: Derived, history: readonly Op[]): OpPairs {
  let n = 0;
  for (let o = 0; o < d.nOps; o++) if (d.opSynth[o] === 0) n++;
  const pairs: OpPairs = {
    n,
    index: new Int32Array(n),
    invIndex: new Int32Array(n),
    inv: new Float64Array(n),
    done: new Float64Array(n),
    type: new Uint8Array(n),
  };
  let i = 0;
  for (let o = 0; o < d.nOps; o++) {
    if (d.opSynth[o] === 1) continue;
    const invLine = d.opInv[o]!;
    const invocation = invLine >= 0 ? history[invLine] : undefined;
    pairs.index[i] = d.opIndexOf[o]!;
    pairs.invIndex[i] = invocation ? invocation.index : -1;
    pairs.inv[i] = invocation ? invocation.time : d.opTime[o]!;
    pairs.done[i] = d.opTime[o]!;
    pairs.type[i] = d.opType[o]!;
    i++;
  }
  return pairs;
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
