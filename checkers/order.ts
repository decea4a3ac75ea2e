// Ordering: per process, consecutive ops' reads must continue where the last ok read stopped
// (poll-skip, nonmonotonic-poll) and sends must land after the previous send (nonmonotonic-send);
// within one op, consecutive values of a key must be adjacent (int-poll-skip, int-send-skip) and
// ascending (int-nonmonotonic-poll, int-nonmonotonic-send). Positions are dense indexes, taken from
// the offset actually read or acknowledged, so a duplicate elsewhere in the log cannot fake a skip.
import { type Derived, F_ASSIGN, F_REBALANCE, F_SUBSCRIBE, FAIL, OK, opIndex, recordOp, slotValues } from "./derive.ts";
import { type Findings, type OrderBetweenOps, type OrderWithinOp, SKIPPED_CAP } from "./findings.ts";
import type { Value } from "./history.ts";
import { RecordIndexes } from "./log.ts";

/** A process's positions to continue from, by key: a record (-1: none) and its dense index. */
interface Kept {
  r(k: number): number;
  index(k: number): number;
  set(k: number, r: number, index: number): void;
  /** Forgets the keys not named. */
  keepOnly(named: Set<number>): void;
}

/** In arrays by key: no Map lookup at every op. For histories whose processes times keys are few. */
class KeptByKey implements Kept {
  private readonly recs: Int32Array;
  private readonly indexes: Int32Array;
  constructor(nKeys: number) {
    this.recs = new Int32Array(nKeys).fill(-1);
    this.indexes = new Int32Array(nKeys);
  }
  r(k: number): number {
    return this.recs[k]!;
  }
  index(k: number): number {
    return this.indexes[k]!;
  }
  set(k: number, r: number, index: number): void {
    this.recs[k] = r;
    this.indexes[k] = index;
  }
  keepOnly(named: Set<number>): void {
    for (let k = 0; k < this.recs.length; k++) if (!named.has(k)) this.recs[k] = -1;
  }
}

/** In a Map by key: for many processes over many keys (a Jepsen history with rotating keys and
 *  crashed clients), where arrays by key for every process would take gigabytes. */
class KeptInMap implements Kept {
  private readonly byKey = new Map<number, { r: number; index: number }>();
  r(k: number): number {
    return this.byKey.get(k)?.r ?? -1;
  }
  index(k: number): number {
    return this.byKey.get(k)!.index;
  }
  set(k: number, r: number, index: number): void {
    const e = this.byKey.get(k);
    if (e === undefined) this.byKey.set(k, { r, index });
    else {
      e.r = r;
      e.index = index;
    }
  }
  keepOnly(named: Set<number>): void {
    for (const k of [...this.byKey.keys()]) if (!named.has(k)) this.byKey.delete(k);
  }
}

/** Processes times keys up to which positions are kept in arrays by key (8 MB at most per kind). */
const KEPT_BY_KEY = 1 << 20;

/** `keptByKey`: processes times keys up to which positions are kept in arrays (tests lower it). */
export function findOrderAnomalies(d: Derived, out: Findings, keptByKey = KEPT_BY_KEY): void {
  const nKeys = d.keys.length;
  // Per process, per key: where its last ok read stopped, and where its last send landed.
  const pollKept: Array<Kept | undefined> = [];
  const sendKept: Array<Kept | undefined> = [];
  const newKept = d.procs.length * nKeys <= keptByKey ? () => new KeptByKey(nKeys) : () => new KeptInMap();
  // Per key, within the op: the last record read and sent, with dense indexes.
  const pollStamp = new Int32Array(nKeys).fill(-1);
  const pollLast = new Int32Array(nKeys);
  const pollLastIndex = new Int32Array(nKeys);
  const sendStamp = new Int32Array(nKeys).fill(-1);
  const sendLast = new Int32Array(nKeys);
  const sendLastIndex = new Int32Array(nKeys);
  const sendLastKnown = new Int32Array(nKeys);
  const sendLastKnownIndex = new Int32Array(nKeys);
  // Keys an op touched: stacks of ints, since emptying a JS array (length = 0) drops its storage
  // and refilling it allocates again, for every op of the history.
  const touchedPoll = new Int32Array(nKeys);
  const touchedSend = new Int32Array(nKeys);
  let nPoll = 0;
  let nSend = 0;
  const indexes = new RecordIndexes(d);
  // The arrays in locals: read once, not at every record.
  const { opF, opType, opProc, opRecStart, opRecEnd, recVal, recPoll, valKey } = d;

  for (let c = 0; c < d.nOps; c++) {
    const f = opF[c]!;
    const t = opType[c]!;
    const p = opProc[c]!;
    if (f === F_REBALANCE) {
      // A group handed the member these keys, or took them away: its reads of each start afresh
      // (where the first one starts is the group checker's question: groups.ts).
      const kept = pollKept[p];
      if (kept !== undefined) for (const k of d.opKeys.get(c) ?? []) kept.set(k, -1, 0);
      continue;
    }
    if (f === F_ASSIGN || f === F_SUBSCRIBE) {
      // A consumer's position in keys it no longer names is gone; it may resume anywhere.
      if (t !== FAIL) {
        const named = new Set(d.opKeys.get(c));
        for (const kept of [pollKept[p], sendKept[p]]) {
          kept?.keepOnly(named);
        }
      }
      continue;
    }
    nPoll = 0;
    nSend = 0;
    const sendChecked = t !== FAIL;
    const end = opRecEnd[c]!;
    for (let r = opRecStart[c]!; r < end; r++) {
      const k = valKey[recVal[r]!]!;
      if (recPoll[r] === 1) {
        const i = indexes.of(r, c);
        // A record outside the log (an aborted or unproven transaction's value read under
        // read_uncommitted) has no position: skipped, so the gap across it is still checked.
        if (i < 0) continue;
        if (pollStamp[k] !== c) {
          pollStamp[k] = c;
          touchedPoll[nPoll++] = k;
          const kept = pollKept[p];
          const prev = kept === undefined ? -1 : kept.r(k);
          if (prev >= 0) between(d, out, true, prev, kept!.index(k), r, i);
        } else within(d, out, true, pollLast[k]!, pollLastIndex[k]!, r, i);
        pollLast[k] = r;
        pollLastIndex[k] = i;
      } else if (sendChecked) {
        const i = indexes.of(r, c);
        if (sendStamp[k] !== c) {
          sendStamp[k] = c;
          touchedSend[nSend++] = k;
          sendLastKnown[k] = -1;
          const kept = sendKept[p];
          const prev = kept === undefined ? -1 : kept.r(k);
          if (prev >= 0) between(d, out, false, prev, kept!.index(k), r, i);
        } else within(d, out, false, sendLast[k]!, sendLastIndex[k]!, r, i);
        sendLast[k] = r;
        sendLastIndex[k] = i;
        if (i >= 0) {
          sendLastKnown[k] = r;
          sendLastKnownIndex[k] = i;
        }
      }
    }
    // Only an ok read moves the kept position: a failed or unknown poll tells nothing for sure.
    if (t === OK && nPoll > 0) {
      const kept = pollKept[p] ?? (pollKept[p] = newKept());
      for (let j = 0; j < nPoll; j++) keep(kept, touchedPoll[j]!, pollLast, pollLastIndex);
    }
    if (nSend > 0) {
      const kept = sendKept[p] ?? (sendKept[p] = newKept());
      for (let j = 0; j < nSend; j++) {
        const k = touchedSend[j]!;
        if (sendLastKnown[k]! >= 0) keep(kept, k, sendLastKnown, sendLastKnownIndex);
      }
    }
  }
}

/** Keeps key k's record and index from these lists. */
function keep(kept: Kept, k: number, recs: Int32Array, indexes: Int32Array): void {
  kept.set(k, recs[k]!, indexes[k]!);
}

function between(d: Derived, out: Findings, poll: boolean, prev: number, a: number, r: number, b: number): void {
  if (a < 0 || b < 0) return;
  const delta = b - a;
  if (delta > 1 && poll) addBetween(d, out, "poll-skip", prev, r, a, b);
  else if (delta < 1) addBetween(d, out, poll ? "nonmonotonic-poll" : "nonmonotonic-send", prev, r, a, b);
}

// The findings are made apart from the checks: what a closure captures is allocated on the heap at
// every call of the function that declares it, finding or not (a call per record here).
function addBetween(d: Derived, out: Findings, type: OrderBetweenOps["type"], prev: number, r: number, a: number, b: number): void {
  out.add(type, () => {
    const prevOp = opIndex(d, recordOp(d, prev));
    const step = orderStep(d, prev, r, a, b);
    return { type, prevOp, ...step, ops: prevOp === step.op ? [step.op] : [prevOp, step.op] };
  });
}

function within(d: Derived, out: Findings, poll: boolean, prev: number, a: number, r: number, b: number): void {
  if (a < 0 || b < 0) return;
  const delta = b - a;
  if (delta > 1) addWithin(d, out, poll ? "int-poll-skip" : "int-send-skip", prev, r, a, b);
  else if (delta < 1) addWithin(d, out, poll ? "int-nonmonotonic-poll" : "int-nonmonotonic-send", prev, r, a, b);
}

function addWithin(d: Derived, out: Findings, type: OrderWithinOp["type"], prev: number, r: number, a: number, b: number): void {
  out.add(type, () => {
    const step = orderStep(d, prev, r, a, b);
    return { type, ...step, ops: [step.op] };
  });
}

/** The values at the dense indexes strictly between a and b (capped). */
function skipped(d: Derived, k: number, a: number, b: number): { skipped: Value[]; skippedCount: number } {
  const slots = d.keySlots[k]!;
  const values: Value[] = [];
  for (let i = a + 1; i < b && values.length < SKIPPED_CAP; i++) {
    for (const v of slotValues(d, slots[i]!)) if (values.length < SKIPPED_CAP) values.push(d.valOrig[v]!);
  }
  return { skipped: values, skippedCount: b - a - 1 };
}

/** The evidence two consecutive records `prev` and `r` (dense indexes a, b) have in common. */
function orderStep(d: Derived, prev: number, r: number, a: number, b: number) {
  const c = recordOp(d, r);
  const delta = b - a;
  return {
    key: d.keys[d.valKey[d.recVal[r]!]!]!,
    process: d.procs[d.opProc[c]!]!,
    op: opIndex(d, c),
    prevValue: d.valOrig[d.recVal[prev]!]!,
    value: d.valOrig[d.recVal[r]!]!,
    prevIndex: a,
    index: b,
    delta,
    ...(delta > 1 ? skipped(d, d.valKey[d.recVal[r]!]!, a, b) : {}),
  };
}
