// Loss: lost-write (a committed value below what ok reads reached, never read) and unseen
// (acknowledged, never read by the end), with the unseen count over time for the report.
import { type Derived, OK, F_ASSIGN, F_SUBSCRIBE, opIndex } from "./derive.ts";
import type { Key } from "./history.ts";
import type { Findings } from "./findings.ts";

export function findLostWrites(d: Derived, out: Findings): void {
  const nKeys = d.keys.length;
  // Per key: the highest first index of any value an ok op read, and which value sits there.
  const bound = new Int32Array(nKeys).fill(-1);
  const boundVal = new Int32Array(nKeys).fill(-1);
  for (let v = 0; v < d.nVals; v++) {
    if (d.valReadOk[v] === 0) continue;
    const i = d.valFirstIndex[v]!;
    const k = d.valKey[v]!;
    if (i > bound[k]!) {
      bound[k] = i;
      boundVal[k] = v;
    } else if (i === bound[k]! && d.valFirstOkReader[v]! < d.valFirstOkReader[boundVal[k]!]!) {
      boundVal[k] = v;
    }
  }
  for (let v = 0; v < d.nVals; v++) {
    if (d.valReadOk[v] === 1) continue;
    const last = d.valLastIndex[v]!;
    const k = d.valKey[v]!;
    if (last < 0 || last > bound[k]!) continue;
    const w = d.valWriter[v]!;
    if (w < 0 || d.mustCommit[w] === 0) continue;
    out.add("lost-write", () => {
      const bv = boundVal[k]!;
      const writer = opIndex(d, w);
      const boundReader = opIndex(d, d.valFirstOkReader[bv]!);
      return {
        type: "lost-write",
        key: d.keys[k]!,
        value: d.valOrig[v]!,
        index: d.valFirstIndex[v]!,
        offset: d.slotOffset[d.keySlots[k]![d.valFirstIndex[v]!]!]!,
        bound: bound[k]!,
        boundValue: d.valOrig[bv]!,
        writer,
        boundReader,
        ops: [writer, boundReader],
      };
    });
  }
}

/** Values sent by ok ops and never returned by an ok read. */
export function findUnseen(d: Derived, out: Findings): void {
  for (let v = 0; v < d.nVals; v++) {
    const w = d.valWriter[v]!;
    if (w < 0 || d.opType[w] !== OK || d.valReadOk[v] === 1) continue;
    out.add("unseen", () => {
      const writer = opIndex(d, w);
      return { type: "unseen", key: d.keys[d.valKey[v]!]!, value: d.valOrig[v]!, writer, ops: [writer] };
    });
  }
}

export interface UnseenPoint {
  /** History index of the ok op after which the counts hold. */
  index: number;
  time: number;
  /** Unseen values per key, in the order of `keys`. */
  counts: number[];
  total: number;
}

export interface UnseenSeries {
  keys: Key[];
  points: UnseenPoint[];
}

export const SERIES_POINTS = 1000;

/**
 * Unseen count per key after each ok op (acknowledged so far minus read so far), sampled down to
 * at most SERIES_POINTS evenly spaced ok ops, always including the last one.
 */
export function unseenSeries(d: Derived, maxPoints = SERIES_POINTS): UnseenSeries {
  const nKeys = d.keys.length;
  const counts = new Int32Array(nKeys);
  const acked = new Uint8Array(d.nVals);
  const seen = new Uint8Array(d.nVals);
  let nOk = 0;
  for (let c = 0; c < d.nOps; c++) if (d.opType[c] === OK && d.opF[c] !== F_ASSIGN && d.opF[c] !== F_SUBSCRIBE) nOk++;
  const step = Math.max(1, Math.ceil(nOk / maxPoints));
  const points: UnseenPoint[] = [];
  let total = 0;
  let i = 0;
  for (let c = 0; c < d.nOps; c++) {
    if (d.opType[c] !== OK || d.opF[c] === F_ASSIGN || d.opF[c] === F_SUBSCRIBE) continue;
    for (let r = d.opRecStart[c]!; r < d.opRecEnd[c]!; r++) {
      const v = d.recVal[r]!;
      if (d.recPoll[r] === 1) {
        if (seen[v] === 1) continue;
        seen[v] = 1;
        if (acked[v] === 1) {
          counts[d.valKey[v]!]!--;
          total--;
        }
      } else if (acked[v] === 0 && d.valWriter[v] === c) {
        acked[v] = 1;
        if (seen[v] === 0) {
          counts[d.valKey[v]!]!++;
          total++;
        }
      }
    }
    i++;
    if (i % step === 0 || i === nOk) {
      points.push({ index: d.opIndexOf[c]!, time: d.opTime[c]!, counts: Array.from(counts), total });
    }
  }
  return { keys: d.keys.slice(), points };
}
