// The per-key logs: offset -> values, filled from every value a poll returned (in any completed op)
// and from the [offset, value] sends of ops that must have committed; then dense indexes (rank of
// an offset among the key's non-empty offsets). Fills the log fields of Derived (slot…, entry…,
// keySlots, keyOffsetSlots, valEntry, valMore); a value's first and last index are read from its
// entries (derive.ts valueFirstIndex, valueLastIndex).
import { type Derived, F_TXN, FAIL, inTransaction, OK, recordOffset, slotEntryOf, valueFirstIndex } from "./derive.ts";
import { FloatList, IdMap, IntList, Slab } from "./ints.ts";

/** `maxOffsets`: per key number, the highest integer offset of its records (-1: none), to size
 *  its offset table. */
export function buildLog(d: Derived, maxOffsets: readonly number[] = []): void {
  placeRecords(d, maxOffsets);
  rankSlots(d);
}

/**
 * The dense index of record r of op o: where its offset sits in its key's log, or, for a record
 * outside the log (a send whose op may not have committed, or with no offset), where its value
 * first sits (-1 if nowhere).
 */
export function recordIndex(d: Derived, r: number, o: number): number {
  const v = d.recVal[r]!;
  if (!recordInLog(d, r, o)) return valueFirstIndex(d, v);
  return d.slotIndex[d.keyOffsetSlots[d.valKey[v]!]!.get(recordOffset(d, r))]!;
}

/**
 * recordInLog for a loop that asks it of every record: the arrays it reads taken out of Derived
 * once. Gives what recordInLog gives.
 */
class InLog {
  protected readonly offs: Int32Array | undefined;
  protected readonly recVal: Int32Array;
  private readonly recPoll: Uint8Array;
  private readonly valWriter: Int32Array;
  private readonly opF: Uint8Array;
  private readonly opType: Uint8Array;
  private readonly mustCommit: Uint8Array;
  private readonly transactional: boolean;

  constructor(protected readonly d: Derived) {
    this.offs = d.recOffInt;
    this.recVal = d.recVal;
    this.recPoll = d.recPoll;
    this.valWriter = d.valWriter;
    this.opF = d.opF;
    this.opType = d.opType;
    this.mustCommit = d.mustCommit;
    this.transactional = d.transactional;
  }

  /** recordInLog(d, r, o). */
  has(r: number, o: number): boolean {
    const offs = this.offs;
    if (offs === undefined) return recordInLog(this.d, r, o);
    // Int offsets: -1 is unknown.
    if (offs[r]! < 0) return false;
    if (this.recPoll[r] === 0) return this.mustCommit[o] === 1;
    const w = this.valWriter[this.recVal[r]!]!;
    if (w < 0 || !(this.transactional || this.opF[w] === F_TXN)) return true;
    const t = this.opType[w]!;
    return t === FAIL ? false : t === OK || this.mustCommit[w] === 1;
  }
}

/**
 * recordIndex for a loop that asks it of every record (the order checks): the arrays it reads
 * taken out of Derived once, and the offset looked up in its key's table directly. Gives what
 * recordIndex gives.
 */
export class RecordIndexes extends InLog {
  private readonly valKey: Int32Array;
  private readonly slotIndex: Int32Array;
  private readonly tables: Int32Array[];

  constructor(d: Derived) {
    super(d);
    this.valKey = d.valKey;
    this.slotIndex = d.slotIndex;
    this.tables = d.keyOffsetSlots.map((m) => m.direct());
  }

  /** recordIndex(d, r, o). */
  of(r: number, o: number): number {
    const offs = this.offs;
    if (offs === undefined) return recordIndex(this.d, r, o);
    const v = this.recVal[r]!;
    if (!this.has(r, o)) return valueFirstIndex(this.d, v);
    const off = offs[r]!;
    const k = this.valKey[v]!;
    const table = this.tables[k]!;
    const id = off < table.length ? table[off]! : 0;
    return this.slotIndex[id !== 0 ? id - 1 : this.d.keyOffsetSlots[k]!.get(off)]!;
  }
}

/**
 * Whether record r belongs in its key's log: a value read, or sent by an op that must have committed,
 * at a known offset. Not a read of a failed transaction's value: that record does sit in the
 * partition, aborted, and read_committed readers (the final reads among them) step over it, so as a
 * position of the log it would make each of them look as if it skipped a record. Reading it is G1a
 * (offsets.ts), found from the records. Nor a read of an unknown transaction's value that no
 * proof of commit backs (read_uncommitted: the transaction may have aborted after the read).
 */
export function inLog(d: Derived, r: number): boolean {
  return recordInLog(d, r, d.recOp[r]!);
}

/** inLog, for record r of op o (the checks walk records op by op, so they know it). */
export function recordInLog(d: Derived, r: number, o: number): boolean {
  if (Number.isNaN(recordOffset(d, r))) return false;
  if (d.recPoll[r] === 0) return d.mustCommit[o] === 1;
  const w = d.valWriter[d.recVal[r]!]!;
  if (w < 0 || !inTransaction(d, w)) return true;
  // A read of an unknown transaction not shown committed: under read_uncommitted it may have
  // been aborted after the read (read_committed reads make it committed, markMustCommit).
  return d.opType[w] === FAIL ? false : d.opType[w] === OK || d.mustCommit[w] === 1;
}

/** Puts each record that belongs in the log at its (key, offset) slot, as an entry of its value there. */
function placeRecords(d: Derived, maxOffsets: readonly number[]): void {
  const nKeys = d.keys.length;
  // Per key, offset -> slot number: a direct table sized by the key's highest offset when that is
  // not far above the number of records.
  const offsetLimit = () => 4 * d.nRecs + 65536;
  const slotAt = d.keyOffsetSlots;
  for (let k = 0; k < nKeys; k++) {
    const max = maxOffsets[k] ?? -1;
    slotAt.push(new IdMap(offsetLimit, typeof max === "number" && max >= 0 && max < offsetLimit() ? Math.floor(max) + 1 : 0));
  }
  const lists = new LogLists(d);
  const inLog = new InLog(d);
  const { opRecStart, opRecEnd, recVal, valKey } = d;

  // Op by op, which walks the records in order.
  for (let o = 0; o < d.nOps; o++) {
    const end = opRecEnd[o]!;
    for (let r = opRecStart[o]!; r < end; r++) {
      if (!inLog.has(r, o)) continue;
      const offset = recordOffset(d, r);
      const v = recVal[r]!;
      const k = valKey[v]!;
      const slot = slotAt[k]!.get(offset);
      if (slot === -1) slotAt[k]!.set(offset, lists.addSlot(offset, v, o));
      else if (!lists.slotHolds(slot, v)) lists.addMoreAtSlot(slot, v, o);
    }
  }

  lists.done();
  for (let k = 0; k < nKeys; k++) d.keySlots.push(slotsInOrder(slotAt[k]!, d.slotOffset));
}

/** The growing slot and entry arrays of the logs, with the first-and-more links of slots and values. */
class LogLists {
  // Usually one entry (and one slot) per value. Offsets as int32 when every record's fits.
  private readonly slotOffset: IntList | FloatList;
  private readonly entryVal: IntList;
  private readonly entryOp: IntList;
  /** Slot -> first entry and entry -> slot: made at the first slot with a second entry. Until
   *  then entries are made in step with slots (entry s is slot s's first), so both are the identity. */
  private slotEntry: IntList | undefined;
  private entrySlot: IntList | undefined;

  constructor(private readonly d: Derived) {
    const size = d.nVals + 1024;
    const ints = d.recOffInt !== undefined;
    const slab = new Slab(Slab.bytes(size, ints ? 4 : 8) + 2 * Slab.bytes(size, 4));
    this.slotOffset = ints ? new IntList(slab.int32(size)) : new FloatList(slab.float64(size));
    this.entryVal = new IntList(slab.int32(size));
    this.entryOp = new IntList(slab.int32(size));
  }

  /** A new slot at this offset, holding value v first put there by op o. */
  addSlot(offset: number, v: number, o: number): number {
    const slot = this.slotOffset.n;
    this.slotOffset.push(offset);
    const e = this.addEntry(slot, v, o);
    this.slotEntry?.push(e);
    return slot;
  }

  /** Whether value v is already one of the slot's entries. */
  slotHolds(slot: number, v: number): boolean {
    const first = this.slotEntry === undefined ? slot : this.slotEntry.a[slot]!;
    if (this.entryVal.a[first] === v) return true;
    const more = this.d.slotMore.get(slot);
    if (more) for (const e of more) if (this.entryVal.a[e] === v) return true;
    return false;
  }

  /** Another value at an offset that already holds one (an inconsistent offset). */
  addMoreAtSlot(slot: number, v: number, o: number): void {
    if (this.slotEntry === undefined) {
      // Entries stop being made in step with slots: the identity so far, stored.
      const n = this.slotOffset.n;
      this.slotEntry = identityList(n, this.slotOffset.a.length);
      this.entrySlot = identityList(n, this.entryVal.a.length);
    }
    addTo(this.d.slotMore, slot, this.addEntry(slot, v, o));
  }

  private addEntry(slot: number, v: number, o: number): number {
    const e = this.entryVal.n;
    this.entryVal.push(v);
    this.entrySlot?.push(slot);
    this.entryOp.push(o);
    // A value's second entry is at a second offset: a duplicate.
    if (this.d.valEntry[v] === -1) this.d.valEntry[v] = e;
    else addTo(this.d.valMore, v, e);
    return e;
  }

  /** Hands the arrays to d. */
  done(): void {
    const d = this.d;
    d.slotOffset = this.slotOffset.done();
    d.slotEntries = this.slotEntry?.done();
    d.entryVal = this.entryVal.done();
    d.entrySlots = this.entrySlot?.done();
    d.entryOp = this.entryOp.done();
  }
}

/** A list holding 0..n-1, with room for `capacity`. */
function identityList(n: number, capacity: number): IntList {
  const list = new IntList(Math.max(capacity, n + 1024));
  for (let i = 0; i < n; i++) list.a[i] = i;
  list.n = n;
  return list;
}

function addTo(more: Map<number, number[]>, at: number, e: number): void {
  const list = more.get(at);
  if (list) list.push(e);
  else more.set(at, [e]);
}

/** Dense indexes: each slot's position among its key's slots in offset order. */
function rankSlots(d: Derived): void {
  d.slotIndex = new Int32Array(d.slotOffset.length);
  for (const slots of d.keySlots) for (let i = 0; i < slots.length; i++) d.slotIndex[slots[i]!] = i;
}

/** A key's slots in offset order: its offset table's walked in order, with any held apart sorted in. */
function slotsInOrder(slotAt: IdMap, slotOffset: Float64Array | Int32Array): Int32Array {
  const { inOrder, rest } = slotAt.ids();
  if (rest.length === 0) return inOrder;
  return Int32Array.from([...inOrder, ...rest]).sort((a, b) => slotOffset[a]! - slotOffset[b]!);
}

/** The values at one slot (usually one; more at an inconsistent offset). */
export function slotValues(d: Derived, slot: number): number[] {
  const out = [d.entryVal[slotEntryOf(d, slot)]!];
  const more = d.slotMore.get(slot);
  if (more) for (const e of more) out.push(d.entryVal[e]!);
  return out;
}
