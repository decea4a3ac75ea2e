// Offsets and commitment: duplicate (one value at several offsets), inconsistent-offsets (one
// offset holding several values), G1a (an ok read of a failed write), precommitted-read (an op
// reading its own, not yet committed, send).
import { type Derived, entrySlotOf, FAIL, OK, opIndex, recordOffset, slotEntryOf } from "./derive.ts";
import type { Findings } from "./findings.ts";

export function findDuplicates(d: Derived, out: Findings): void {
  const vals = [...d.valMore.keys()].sort((a, b) => a - b);
  for (const v of vals) {
    const entries = [d.valEntry[v]!, ...d.valMore.get(v)!];
    entries.sort((a, b) => d.slotOffset[entrySlotOf(d, a)]! - d.slotOffset[entrySlotOf(d, b)]!);
    out.add("duplicate", () => {
      const w = d.valWriter[v]!;
      const writer = w >= 0 ? opIndex(d, w) : null;
      const ops = new Set<number>();
      if (writer !== null) ops.add(writer);
      for (const e of entries) ops.add(opIndex(d, d.entryOp[e]!));
      return {
        type: "duplicate",
        key: d.keys[d.valKey[v]!]!,
        value: d.valOrig[v]!,
        offsets: entries.map((e) => d.slotOffset[entrySlotOf(d, e)]!),
        indexes: entries.map((e) => d.slotIndex[entrySlotOf(d, e)]!),
        writer,
        ops: [...ops],
      };
    });
  }
}

export function findInconsistentOffsets(d: Derived, out: Findings): void {
  const slotKey = (s: number) => d.valKey[d.entryVal[slotEntryOf(d, s)]!]!;
  const slots = [...d.slotMore.keys()].sort((a, b) => slotKey(a) - slotKey(b) || d.slotOffset[a]! - d.slotOffset[b]!);
  for (const s of slots) {
    const entries = [slotEntryOf(d, s), ...d.slotMore.get(s)!];
    out.add("inconsistent-offsets", () => ({
      type: "inconsistent-offsets",
      key: d.keys[slotKey(s)]!,
      offset: d.slotOffset[s]!,
      index: d.slotIndex[s]!,
      values: entries.map((e) => d.valOrig[d.entryVal[e]!]!),
      ops: [...new Set(entries.map((e) => opIndex(d, d.entryOp[e]!)))],
    }));
  }
}

/**
 * G1a, one finding per (ok reader, value) whose send failed; and precommitted-read, an op (of any
 * completed type) that read a value it sent itself. One pass over the records for both.
 */
export function findG1aAndPrecommittedReads(d: Derived, out: Findings): void {
  // sentBy[v]: the last op that sent v, made when the first op with many sends that also reads
  // comes. An op with few sends (a transaction's) looks among them instead: an array by value
  // of a 1M-op history is megabytes of fresh memory.
  let sentBy: Int32Array | undefined;
  // The arrays in locals: read once, not at every record.
  const { opRecStart, opRecEnd, opType, recPoll, recVal, valWriter } = d;
  for (let c = 0; c < d.nOps; c++) {
    const start = opRecStart[c]!;
    const end = opRecEnd[c]!;
    const ok = opType[c] === OK;
    let sends = 0;
    let polls = 0;
    for (let r = start; r < end; r++) {
      if (recPoll[r] === 0) {
        sends++;
        continue;
      }
      polls++;
      if (!ok) continue;
      const w = valWriter[recVal[r]!]!;
      if (w >= 0 && opType[w] === FAIL) addG1a(d, out, c, r, w);
    }
    if (sends === 0 || polls === 0) continue;
    if (sends <= FEW_SENDS) {
      for (let r = start; r < end; r++) {
        if (d.recPoll[r] === 0 || !sentHere(d, start, end, d.recVal[r]!, c)) continue;
        addPrecommittedRead(d, out, r, c);
      }
      continue;
    }
    sentBy ??= new Int32Array(d.nVals).fill(-1);
    for (let r = start; r < end; r++) if (d.recPoll[r] === 0) sentBy[d.recVal[r]!] = c;
    for (let r = start; r < end; r++) {
      if (d.recPoll[r] === 0 || sentBy[d.recVal[r]!] !== c) continue;
      addPrecommittedRead(d, out, r, c);
    }
  }
}

/** Sends an op may have for sentHere to look among them rather than use an array by value. */
const FEW_SENDS = 16;

/** Whether op c (records start..end-1) sent value v. Its writer, if that is c; else one of its sends. */
function sentHere(d: Derived, start: number, end: number, v: number, c: number): boolean {
  const w = d.valWriter[v]!;
  if (w === c) return true;
  if (w < 0) return false;
  for (let r = start; r < end; r++) if (d.recPoll[r] === 0 && d.recVal[r] === v) return true;
  return false;
}

// Apart from the loop, for the reason given at addPrecommittedRead.
function addG1a(d: Derived, out: Findings, c: number, r: number, w: number): void {
  out.add("G1a", () => {
    const v = d.recVal[r]!;
    const writer = opIndex(d, w);
    const reader = opIndex(d, c);
    return {
      type: "G1a",
      key: d.keys[d.valKey[v]!]!,
      value: d.valOrig[v]!,
      offset: recordOffset(d, r),
      writer,
      reader,
      ops: [writer, reader],
    };
  });
}

// Apart from the loops: variables a closure captures in a loop body are allocated on the heap at
// every iteration, finding or not.
function addPrecommittedRead(d: Derived, out: Findings, r: number, c: number): void {
  out.add("precommitted-read", () => {
    const v = d.recVal[r]!;
    const op = opIndex(d, c);
    return {
      type: "precommitted-read",
      key: d.keys[d.valKey[v]!]!,
      value: d.valOrig[v]!,
      op,
      offset: recordOffset(d, r),
      ops: [op],
    };
  });
}
