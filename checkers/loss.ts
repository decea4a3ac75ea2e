// Loss: lost-write (a committed value below what ok reads reached, never read), unseen
// (acknowledged, never read by the end) and committed-lost (read, so committed, then gone), with
// the unseen count over time for the report. "Acknowledged" and "committed" include the
// acknowledged records of a partly acknowledged burst (an info send op's [offset, value] records,
// acked.ts), even when no value of that burst was read, and the values a read proved committed.
import { acknowledgedValues, infoAcks } from "./acked.ts";
import {
  type Derived,
  entrySlotOf,
  FAIL,
  INFO,
  inTransaction,
  namesKeys,
  OK,
  opIndex,
  recordOffset,
  valueFirstIndex,
  valueLastIndex,
} from "./derive.ts";
import type { Findings } from "./findings.ts";
import type { Key } from "./history.ts";
import { recordInLog, slotValues } from "./log.ts";

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
  for (const v of goneAcknowledged(d, finalReadsFrom)) {
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

/** Each acknowledged value gone from the log at the end (what findUnseen counts): its key and the
 *  time its acknowledgement completed. For telling which faults reached the data path
 *  (effective-faults.ts: a write acknowledged under a fault and lost shows the fault took effect)
 *  and which power cut can have taken it (power-cut.ts). */
export function lostAcknowledgements(d: Derived, finalReadsFrom?: number): Array<{ key: string; time: number }> {
  return goneAcknowledged(d, finalReadsFrom).map((v) => ({ key: String(d.keys[d.valKey[v]!]), time: d.opTime[d.valWriter[v]!]! }));
}

/** The values acknowledged and gone at the end (see findUnseen), found once per derived history
 *  and final-reads boundary: the unseen finding and the effective-fault rule read the same list. */
function goneAcknowledged(d: Derived, finalReadsFrom?: number): number[] {
  const byFrom = goneMade.get(d) ?? new Map<number | undefined, number[]>();
  goneMade.set(d, byFrom);
  let gone = byFrom.get(finalReadsFrom);
  if (gone === undefined) {
    const acked = acknowledgedValues(d);
    const missing = finalReadsFrom === undefined ? d.valReadOk : finalReadValues(d, finalReadsFrom);
    gone = [];
    // Missing: 0 in the reads that count (every ok read, or the final reads).
    for (let v = 0; v < d.nVals; v++) if (missing[v] === 0 && acked[v] === 1) gone.push(v);
    byFrom.set(finalReadsFrom, gone);
  }
  return gone;
}
const goneMade = new WeakMap<Derived, Map<number | undefined, number[]>>();

/**
 * Of the acknowledged values gone at the end (complete final reads), those acknowledged at an
 * offset below the first offset the final reads, asked from offset 0, returned on their key: the
 * log start had moved past them (time- or size-based retention, deleteRecords; a clock jumped past
 * retention.ms), which no replication fault does. Undefined when there are none. `startOffsets`:
 * where the final reads began on each key that lost values so.
 */
export function lostBelowLogStart(d: Derived, finalReadsFrom: number): { count: number; startOffsets: Record<string, number> } | undefined {
  const gone = goneAcknowledged(d, finalReadsFrom);
  if (gone.length === 0) return undefined;
  const first = new Map<number, number>();
  for (let c = 0; c < d.nOps; c++) {
    if (d.opIndexOf[c]! <= finalReadsFrom) continue;
    for (let r = d.opRecStart[c]!; r < d.opRecEnd[c]!; r++) {
      if (d.recPoll[r] !== 1) continue;
      const k = d.valKey[d.recVal[r]!]!;
      const o = recordOffset(d, r);
      if (!(o >= (first.get(k) ?? Infinity))) first.set(k, o);
    }
  }
  let count = 0;
  const startOffsets: Record<string, number> = {};
  for (const v of gone) {
    const e = d.valEntry[v]!;
    const k = d.valKey[v]!;
    const start = first.get(k);
    if (e < 0 || start === undefined || !(d.slotOffset[entrySlotOf(d, e)]! < start)) continue;
    count++;
    startOffsets[String(d.keys[k])] = start;
  }
  return count ? { count, startOffsets } : undefined;
}

/**
 * Values some ok read returned, so committed (a consumer is served only records below the high
 * watermark, which every in-sync replica has), then gone: with complete final reads
 * (`finalReadsFrom`), absent from them; without, their offset held by another value that a read
 * begun after theirs returned (the next leader reused it). Committed by a read: outside transactions any
 * ok read; inside, only a read that proves the transaction committed (derive.ts mustCommit: under
 * read_uncommitted, the final reads). A failed writer's value read is G1a, not counted here.
 */
export function findCommittedLost(d: Derived, out: Findings, finalReadsFrom?: number): void {
  const reused = reusedOffsets(d);
  const inFinal = finalReadsFrom === undefined ? undefined : finalReadValues(d, finalReadsFrom);
  if (inFinal === undefined && reused.size === 0) return;
  for (let v = 0; v < d.nVals; v++) {
    if (d.valReadOk[v] === 0) continue;
    const gone = inFinal ? inFinal[v] === 0 : reused.has(v);
    if (gone && committedByRead(d, v)) addCommittedLost(d, out, v, inFinal ? "final-reads" : "offset-reused", reused.get(v));
  }
}

function committedByRead(d: Derived, v: number): boolean {
  const w = d.valWriter[v]!;
  if (w < 0 || d.opType[w] === FAIL) return false;
  return !inTransaction(d, w) || d.mustCommit[w] === 1;
}

/** Another value an ok read found at a committed value's offset: the value, and that read. */
interface Reuse {
  value: number;
  op: number;
}

/**
 * Value -> another value that an ok read, invoked after the value's first ok read completed, found
 * at its offset. A read, not an acknowledgement: a deposed leader that has not heard of its
 * successor still acknowledges (acks=1) at offsets the new leader has already filled, and that
 * write is the one lost; a read is served only below a high watermark, so the record it returns
 * was committed too, and one of the two committed values is gone either way. Only inconsistent
 * offsets hold two values, so this walks the records only when the log has one.
 */
function reusedOffsets(d: Derived): Map<number, Reuse> {
  const reused = new Map<number, Reuse>();
  if (d.slotMore.size === 0) return reused;
  for (let c = 0; c < d.nOps; c++) {
    if (d.opType[c] !== OK) continue;
    const began = d.opInv[c]! >= 0 ? d.opInv[c]! : d.opPos[c]!;
    for (let r = d.opRecStart[c]!; r < d.opRecEnd[c]!; r++) {
      if (d.recPoll[r] === 0 || !recordInLog(d, r, c)) continue;
      const w = d.recVal[r]!;
      const slot = d.keyOffsetSlots[d.valKey[w]!]!.get(recordOffset(d, r));
      if (!d.slotMore.has(slot)) continue;
      for (const v of slotValues(d, slot)) {
        if (v !== w && d.valReadOk[v] === 1 && !reused.has(v) && d.opPos[d.valFirstOkReader[v]!]! < began)
          reused.set(v, { value: w, op: c });
      }
    }
  }
  return reused;
}

function addCommittedLost(d: Derived, out: Findings, v: number, gone: "final-reads" | "offset-reused", by: Reuse | undefined): void {
  out.add("committed-lost", () => {
    const writer = opIndex(d, d.valWriter[v]!);
    const reader = opIndex(d, d.valFirstOkReader[v]!);
    const reusedBy = by === undefined ? undefined : { value: d.valOrig[by.value]!, op: opIndex(d, by.op) };
    return {
      type: "committed-lost",
      key: d.keys[d.valKey[v]!]!,
      value: d.valOrig[v]!,
      offset: d.slotOffset[entrySlotOf(d, d.valEntry[v]!)]!,
      writer,
      reader,
      gone,
      ...(reusedBy ? { reusedBy } : {}),
      ops: reusedBy ? [writer, reader, reusedBy.op] : [writer, reader],
    };
  });
}

const finalMade = new WeakMap<Derived, Uint8Array>();

/** valuesReadAfter, made once per Derived (the final reads start at one index per history). */
function finalReadValues(d: Derived, from: number): Uint8Array {
  let read = finalMade.get(d);
  if (read === undefined) finalMade.set(d, (read = valuesReadAfter(d, from)));
  return read;
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
 * Unseen count per key after each ok op, each info send op with acknowledged records, and each
 * info transaction shown committed with a send never read (acknowledged so far minus read so far),
 * sampled down to at most SERIES_POINTS evenly spaced such ops, always including the last one.
 */
export function unseenSeries(d: Derived, maxPoints = SERIES_POINTS): UnseenSeries {
  const nKeys = d.keys.length;
  const counts = new Int32Array(nKeys);
  // Per value: ACKED once its acknowledgement is counted, SEEN once an ok read returned it.
  const state = new Uint8Array(d.nVals);
  const acks = infoAcks(d);
  const acknowledged = acknowledgedValues(d);
  // The arrays in locals: read once, not at every record.
  const { opType, opF, opRecStart, opRecEnd, recVal, recPoll, valWriter, valKey, valReadOk, mustCommit } = d;
  // A value a read proved committed counts only if never read (a transaction's unread sends, by the
  // atomic rule): one that was read would count from its writer's completion to its read, which the
  // writer did not know then.
  const proven = (v: number) => valReadOk[v] === 0 && acknowledged[v] === 1;
  const provenOp = (c: number) => {
    if (opType[c] !== INFO || mustCommit[c] === 0 || !inTransaction(d, c)) return false;
    for (let r = opRecStart[c]!; r < opRecEnd[c]!; r++)
      if (recPoll[r] === 0 && valWriter[recVal[r]!] === c && proven(recVal[r]!)) return true;
    return false;
  };
  const counted = (c: number) => (opType[c] === OK && !namesKeys(opF[c]!)) || acks.ops.has(c) || provenOp(c);
  let nCounted = 0;
  for (let c = 0; c < d.nOps; c++) if (counted(c)) nCounted++;
  const step = Math.max(1, Math.ceil(nCounted / maxPoints));
  const points: UnseenPoint[] = [];
  let total = 0;
  let i = 0;
  for (let c = 0; c < d.nOps; c++) {
    if (!counted(c)) continue;
    const ok = opType[c] === OK;
    const end = opRecEnd[c]!;
    for (let r = opRecStart[c]!; r < end; r++) {
      const v = recVal[r]!;
      const was = state[v]!;
      if (recPoll[r] === 1) {
        if (!ok || (was & SEEN) !== 0) continue;
        state[v] = was | SEEN;
        if ((was & ACKED) !== 0) {
          counts[valKey[v]!]!--;
          total--;
        }
      } else if ((was & ACKED) === 0 && valWriter[v] === c && (ok || acks.offsets.has(v) || proven(v))) {
        state[v] = was | ACKED;
        if ((was & SEEN) === 0) {
          counts[valKey[v]!]!++;
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

const ACKED = 1;
const SEEN = 2;
