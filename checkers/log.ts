// The per-key logs: offset -> values, filled from every value a poll returned (in any completed op)
// and from the [offset, value] sends of ops that must have committed; then dense indexes (rank of
// an offset among the key's non-empty offsets) and each value's first and last index.
import type { Derived } from "./derive.ts";
import { FloatList, IdMap, IntList } from "./ints.ts";

/** Fills the per-key logs from every poll result and every committed send with an offset. */
export function buildLog(d: Derived): void {
  const nKeys = d.keys.length;
  const offsetSlot: IdMap[] = [];
  const slotsOfKey: IntList[] = [];
  const offsetLimit = () => 4 * d.nRecs + 65536;
  for (let k = 0; k < nKeys; k++) {
    offsetSlot.push(new IdMap(offsetLimit));
    slotsOfKey.push(new IntList(64));
  }
  // Usually one entry (and one slot) per value.
  const size = d.nVals + 1024;
  const slotOffset = new FloatList(size);
  const slotEntry = new IntList(size);
  const entryVal = new IntList(size);
  const entrySlot = new IntList(size);
  const entryOp = new IntList(size);
  const recSlot = new Int32Array(d.nRecs).fill(-1);
  const { slotMore, valMore, valEntry } = d;

  const newEntry = (slot: number, v: number, c: number): number => {
    const e = entryVal.n;
    entryVal.push(v);
    entrySlot.push(slot);
    entryOp.push(c);
    if (valEntry[v] === -1) valEntry[v] = e;
    else {
      const more = valMore.get(v);
      if (more) more.push(e);
      else valMore.set(v, [e]);
    }
    return e;
  };

  for (let r = 0; r < d.nRecs; r++) {
    const off = d.recOff[r]!;
    if (Number.isNaN(off)) continue;
    const c = d.recOp[r]!;
    if (d.recPoll[r] === 0 && d.mustCommit[c] === 0) continue;
    const k = d.recKey[r]!;
    const v = d.recVal[r]!;
    const m = offsetSlot[k]!;
    let slot = m.get(off);
    if (slot === -1) {
      slot = slotOffset.n;
      slotOffset.push(off);
      m.set(off, slot);
      slotsOfKey[k]!.push(slot);
      slotEntry.push(newEntry(slot, v, c));
    } else if (entryVal.a[slotEntry.a[slot]!] !== v) {
      const more = slotMore.get(slot);
      let found = false;
      if (more) for (const e of more) if (entryVal.a[e] === v) found = true;
      if (!found) {
        const e = newEntry(slot, v, c);
        if (more) more.push(e);
        else slotMore.set(slot, [e]);
      }
    }
    recSlot[r] = slot;
  }

  d.slotOffset = slotOffset.done();
  d.slotEntry = slotEntry.done();
  d.entryVal = entryVal.done();
  d.entrySlot = entrySlot.done();
  d.entryOp = entryOp.done();
  d.slotIndex = new Int32Array(slotOffset.n);
  for (let k = 0; k < nKeys; k++) {
    const slots = sortByOffset(slotsOfKey[k]!.done(), d.slotOffset);
    d.keySlots.push(slots);
    for (let i = 0; i < slots.length; i++) d.slotIndex[slots[i]!] = i;
  }
  for (let e = 0; e < d.entryVal.length; e++) {
    const v = d.entryVal[e]!;
    const i = d.slotIndex[d.entrySlot[e]!]!;
    if (d.valFirstIndex[v] === -1 || i < d.valFirstIndex[v]!) d.valFirstIndex[v] = i;
    if (i > d.valLastIndex[v]!) d.valLastIndex[v] = i;
  }
  for (let r = 0; r < d.nRecs; r++) {
    const s = recSlot[r]!;
    d.recIndex[r] = s >= 0 ? d.slotIndex[s]! : d.valFirstIndex[d.recVal[r]!]!;
  }
}

/**
 * Slots in offset order. Offsets of a key are nearly dense, so when their range is not much wider
 * than their count they are placed by offset directly (linear); otherwise sorted.
 */
function sortByOffset(slots: Int32Array, slotOffset: Float64Array): Int32Array {
  let sorted = true;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < slots.length; i++) {
    const o = slotOffset[slots[i]!]!;
    if (i > 0 && o < slotOffset[slots[i - 1]!]!) sorted = false;
    if (o < min) min = o;
    if (o > max) max = o;
  }
  if (sorted) return slots;
  const range = max - min + 1;
  if (range > 4 * slots.length + 1024) return Int32Array.from(slots).sort((a, b) => slotOffset[a]! - slotOffset[b]!);
  const byOffset = new Int32Array(range).fill(-1);
  for (let i = 0; i < slots.length; i++) byOffset[slotOffset[slots[i]!]! - min] = slots[i]!;
  const out = new Int32Array(slots.length);
  let j = 0;
  for (let o = 0; o < range; o++) if (byOffset[o] !== -1) out[j++] = byOffset[o]!;
  return out;
}

/** The values at one slot (usually one; more at an inconsistent offset). */
export function slotValues(d: Derived, slot: number): number[] {
  const out = [d.entryVal[d.slotEntry[slot]!]!];
  const more = d.slotMore.get(slot);
  if (more) for (const e of more) out.push(d.entryVal[e]!);
  return out;
}

