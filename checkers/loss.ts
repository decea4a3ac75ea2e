// Loss: lost-write (a committed value below what ok reads reached, never read) and unseen
// (acknowledged, never read by the end), with the unseen count over time for the report.
// "Acknowledged" and "committed" include the acknowledged records of a partly acknowledged burst
// (an info send op's [offset, value] records, acked.ts), even when no value of that burst was read.
import { acknowledged, infoAcks } from "./acked.ts";
import { type Derived, F_ASSIGN, F_SUBSCRIBE, OK, opIndex, valueFirstIndex, valueLastIndex } from "./derive.ts";
import type { Findings } from "./findings.ts";
import type { Key } from "./history.ts";

export function findLostWrites(d: Derived, out: Findings): void {
  const nKeys = d.keys.length;
  // Per key: the highest first index of any value an ok op read, and which value sits there.
  const bound = new Int32Array(nKeys).fill(-1);
  const boundVal = new Int32Array(nKeys).fill(-1);
  for (let v = 0; v < d.nVals; v++) {
    if (d.valReadOk[v] === 0) continue;
    const i = valueFirstIndex(d, v);
    const k = d.valKey[v]!;
    if (i > bound[k]!) {
      bound[k] = i;
      boundVal[k] = v;
    } else if (i === bound[k]! && d.valFirstOkReader[v]! < d.valFirstOkReader[boundVal[k]!]!) {
      boundVal[k] = v;
    }
  }
  const acks = infoAcks(d);
  for (let v = 0; v < d.nVals; v++) {
    if (d.valReadOk[v] === 1) continue;
    const k = d.valKey[v]!;
    const w = d.valWriter[v]!;
    if (w < 0 || bound[k]! < 0) continue;
    const ackedAt = acks.offsets.get(v);
    if (d.mustCommit[w] === 0 && ackedAt === undefined) continue;
    let index: number;
    let offset: number;
    const last = valueLastIndex(d, v);
    if (last >= 0) {
      if (last > bound[k]!) continue;
      index = valueFirstIndex(d, v);
      offset = d.slotOffset[d.keySlots[k]![index]!]!;
    } else if (ackedAt !== undefined) {
      // Acknowledged within a burst none of whose values was read, so not in the log: judged by the
      // offset the broker gave it. Reads reached past it (an offset at or below the bound's) and
      // never returned it; its index is where that offset sits, or would sit, in the log.
      const slots = d.keySlots[k]!;
      if (ackedAt > d.slotOffset[slots[bound[k]!]!]!) continue;
      index = firstSlotAtOrAfter(d, slots, ackedAt);
      offset = ackedAt;
    } else continue;
    addLostWrite(d, out, v, index, offset, bound[k]!, boundVal[k]!);
  }
}

// Apart from the loop: variables a closure captures in a loop body are allocated on the heap at
// every iteration, finding or not.
function addLostWrite(d: Derived, out: Findings, v: number, index: number, offset: number, bound: number, bv: number): void {
  out.add("lost-write", () => {
    const writer = opIndex(d, d.valWriter[v]!);
    const boundReader = opIndex(d, d.valFirstOkReader[bv]!);
    return {
      type: "lost-write",
      key: d.keys[d.valKey[v]!]!,
      value: d.valOrig[v]!,
      index,
      offset,
      bound,
      boundValue: d.valOrig[bv]!,
      writer,
      boundReader,
      ops: [writer, boundReader],
    };
  });
}

/** Dense index of the first of a key's slots (in offset order) at or after the offset. */
function firstSlotAtOrAfter(d: Derived, slots: Int32Array, offset: number): number {
  let lo = 0;
  let hi = slots.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (d.slotOffset[slots[mid]!]! < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Values acknowledged (by ok ops, or within a partly acknowledged burst) and not in the log at the
 * end. Without complete final reads: never returned by an ok read. With them (`finalReadsFrom`: the
 * history index after which every client op is a final read, checkers/phases.ts): not returned by
 * the final reads, which read every key from offset 0 to its end. A value that a consumer read
 * from a leader that was later truncated (the 2013 scenario: the old leader acknowledged it alone)
 * is gone from the log all the same: it counts, with the read that saw it as evidence.
 */
export function findUnseen(d: Derived, out: Findings, finalReadsFrom?: number): void {
  const acks = infoAcks(d);
  const inFinal = finalReadsFrom === undefined ? undefined : valuesReadAfter(d, finalReadsFrom);
  for (let v = 0; v < d.nVals; v++) {
    const gone = inFinal ? inFinal[v] === 0 : d.valReadOk[v] === 0;
    if (!gone || !acknowledged(d, acks, v)) continue;
    const w = d.valWriter[v]!;
    out.add("unseen", () => {
      const writer = opIndex(d, w);
      const earlier = d.valReadOk[v] === 1 ? opIndex(d, d.valFirstOkReader[v]!) : undefined;
      return {
        type: "unseen",
        key: d.keys[d.valKey[v]!]!,
        value: d.valOrig[v]!,
        writer,
        ...(earlier === undefined ? {} : { readBefore: earlier }),
        ops: earlier === undefined ? [writer] : [writer, earlier],
      };
    });
  }
}

/**
 * 1 for each value returned by a poll completed after `from`, whatever the poll's type: records a
 * broker returned in the final reads are in the log, even if the poll then ended in an error.
 */
function valuesReadAfter(d: Derived, from: number): Uint8Array {
  const read = new Uint8Array(d.nVals);
  for (let c = 0; c < d.nOps; c++) {
    if (d.opIndexOf[c]! <= from) continue;
    const end = d.opRecEnd[c]!;
    for (let r = d.opRecStart[c]!; r < end; r++) if (d.recPoll[r] === 1) read[d.recVal[r]!] = 1;
  }
  return read;
}

export interface UnseenPoint {
  /** History index of the op (ok, or info with acknowledged records) after which the counts hold. */
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
 * Unseen count per key after each ok op, and each info send op with acknowledged records
 * (acknowledged so far minus read so far), sampled down to at most SERIES_POINTS evenly spaced such
 * ops, always including the last one.
 */
export function unseenSeries(d: Derived, maxPoints = SERIES_POINTS): UnseenSeries {
  const nKeys = d.keys.length;
  const counts = new Int32Array(nKeys);
  const acked = new Uint8Array(d.nVals);
  const seen = new Uint8Array(d.nVals);
  const acks = infoAcks(d);
  const counted = (c: number) => (d.opType[c] === OK && d.opF[c] !== F_ASSIGN && d.opF[c] !== F_SUBSCRIBE) || acks.ops.has(c);
  let nCounted = 0;
  for (let c = 0; c < d.nOps; c++) if (counted(c)) nCounted++;
  const step = Math.max(1, Math.ceil(nCounted / maxPoints));
  const points: UnseenPoint[] = [];
  let total = 0;
  let i = 0;
  for (let c = 0; c < d.nOps; c++) {
    if (!counted(c)) continue;
    const ok = d.opType[c] === OK;
    for (let r = d.opRecStart[c]!; r < d.opRecEnd[c]!; r++) {
      const v = d.recVal[r]!;
      if (d.recPoll[r] === 1) {
        if (!ok || seen[v] === 1) continue;
        seen[v] = 1;
        if (acked[v] === 1) {
          counts[d.valKey[v]!]!--;
          total--;
        }
      } else if (acked[v] === 0 && d.valWriter[v] === c && (ok || acks.offsets.has(v))) {
        acked[v] = 1;
        if (seen[v] === 0) {
          counts[d.valKey[v]!]!++;
          total++;
        }
      }
    }
    i++;
    if (i % step === 0 || i === nCounted) {
      points.push({ index: d.opIndexOf[c]!, time: d.opTime[c]!, counts: Array.from(counts), total });
    }
  }
  return { keys: d.keys.slice(), points };
}
