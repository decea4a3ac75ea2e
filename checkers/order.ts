// Ordering: per process, consecutive ops' reads must continue where the last ok read stopped
// (poll-skip, nonmonotonic-poll) and sends must land after the previous send (nonmonotonic-send);
// within one op, consecutive values of a key must be adjacent (int-poll-skip, int-send-skip) and
// ascending (int-nonmonotonic-poll, int-nonmonotonic-send). Positions are dense indexes, taken from
// the offset actually read or acknowledged, so a duplicate elsewhere in the log cannot fake a skip.
import { type Derived, F_ASSIGN, F_SUBSCRIBE, FAIL, OK, opIndex, slotValues } from "./derive.ts";
import { type AnomalyType, type Findings, type OrderBetweenOps, type OrderWithinOp, SKIPPED_CAP } from "./findings.ts";
import type { Value } from "./history.ts";

export function findOrderAnomalies(d: Derived, out: Findings): void {
  const nKeys = d.keys.length;
  const pollKept: Array<Map<number, number> | undefined> = [];
  const sendKept: Array<Map<number, number> | undefined> = [];
  const pollStamp = new Int32Array(nKeys).fill(-1);
  const pollLast = new Int32Array(nKeys);
  const sendStamp = new Int32Array(nKeys).fill(-1);
  const sendLast = new Int32Array(nKeys);
  const sendLastKnown = new Int32Array(nKeys);
  const touchedPoll: number[] = [];
  const touchedSend: number[] = [];

  for (let c = 0; c < d.nOps; c++) {
    const f = d.opF[c]!;
    const t = d.opType[c]!;
    const p = d.opProc[c]!;
    if (f === F_ASSIGN || f === F_SUBSCRIBE) {
      // A consumer's position in keys it no longer names is gone; it may resume anywhere.
      if (t !== FAIL) {
        const named = new Set(d.opKeys.get(c));
        for (const kept of [pollKept[p], sendKept[p]]) {
          if (kept) for (const k of [...kept.keys()]) if (!named.has(k)) kept.delete(k);
        }
      }
      continue;
    }
    touchedPoll.length = 0;
    touchedSend.length = 0;
    const sendChecked = t !== FAIL;
    const end = d.opRecEnd[c]!;
    for (let r = d.opRecStart[c]!; r < end; r++) {
      const k = d.recKey[r]!;
      if (d.recPoll[r] === 1) {
        if (pollStamp[k] !== c) {
          pollStamp[k] = c;
          touchedPoll.push(k);
          const kept = pollKept[p]?.get(k);
          if (kept !== undefined) between(d, out, true, kept, r);
        } else within(d, out, true, pollLast[k]!, r);
        pollLast[k] = r;
      } else if (sendChecked) {
        if (sendStamp[k] !== c) {
          sendStamp[k] = c;
          touchedSend.push(k);
          sendLastKnown[k] = -1;
          const kept = sendKept[p]?.get(k);
          if (kept !== undefined) between(d, out, false, kept, r);
        } else within(d, out, false, sendLast[k]!, r);
        sendLast[k] = r;
        if (d.recIndex[r]! >= 0) sendLastKnown[k] = r;
      }
    }
    // Only an ok read moves the kept position: a failed or unknown poll tells nothing for sure.
    if (t === OK && touchedPoll.length > 0) {
      const kept = pollKept[p] ?? (pollKept[p] = new Map());
      for (const k of touchedPoll) kept.set(k, pollLast[k]!);
    }
    if (touchedSend.length > 0) {
      const kept = sendKept[p] ?? (sendKept[p] = new Map());
      for (const k of touchedSend) if (sendLastKnown[k]! >= 0) kept.set(k, sendLastKnown[k]!);
    }
  }
}

function between(d: Derived, out: Findings, poll: boolean, prev: number, r: number): void {
  const a = d.recIndex[prev]!;
  const b = d.recIndex[r]!;
  if (a < 0 || b < 0) return;
  const delta = b - a;
  let type: AnomalyType;
  if (delta > 1 && poll) type = "poll-skip";
  else if (delta < 1) type = poll ? "nonmonotonic-poll" : "nonmonotonic-send";
  else return;
  out.add(type, () => {
    const prevOp = opIndex(d, d.recOp[prev]!);
    const step = orderStep(d, prev, r, a, b);
    return { type: type as OrderBetweenOps["type"], prevOp, ...step, ops: prevOp === step.op ? [step.op] : [prevOp, step.op] };
  });
}

function within(d: Derived, out: Findings, poll: boolean, prev: number, r: number): void {
  const a = d.recIndex[prev]!;
  const b = d.recIndex[r]!;
  if (a < 0 || b < 0) return;
  const delta = b - a;
  let type: AnomalyType;
  if (delta > 1) type = poll ? "int-poll-skip" : "int-send-skip";
  else if (delta < 1) type = poll ? "int-nonmonotonic-poll" : "int-nonmonotonic-send";
  else return;
  out.add(type, () => {
    const step = orderStep(d, prev, r, a, b);
    return { type: type as OrderWithinOp["type"], ...step, ops: [step.op] };
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
  const c = d.recOp[r]!;
  const delta = b - a;
  return {
    key: d.keys[d.recKey[r]!]!,
    process: d.procs[d.opProc[c]!]!,
    op: opIndex(d, c),
    prevValue: d.valOrig[d.recVal[prev]!]!,
    value: d.valOrig[d.recVal[r]!]!,
    prevIndex: a,
    index: b,
    delta,
    ...(delta > 1 ? skipped(d, d.recKey[r]!, a, b) : {}),
  };
}
