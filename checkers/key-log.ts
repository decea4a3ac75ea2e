// The per-key logs as the checker judged them (log.ts), looked up by what a reader names: keys,
// values, offsets and history indexes. The report's log view and evidence read these, so they show
// exactly the log the anomaly checks read. Lookups of many keys are batched: one pass each.
import { type Derived, entrySlotOf, OK, opIndex, slotValues } from "./derive.ts";
import type { Process, Value } from "./history.ts";
import { inLog } from "./log.ts";

export const TYPE_NAMES = ["ok", "info", "fail"] as const;

/** An op as a reader sees it. An invocation that never completed is an `info` op. */
export interface OpRef {
  index: number;
  type: (typeof TYPE_NAMES)[number];
  process: Process;
}

/** One value at one offset of a key's log. */
export interface LogCell {
  value: Value;
  /** History index of the first send that put it in the log here (reported this offset, must have committed). */
  writtenBy?: number;
  /** ok reads that returned the value at this offset (the first few), and how many records in all. */
  readers: number[];
  readCount: number;
  /** Records of it here returned by reads that did not complete ok (info/fail). */
  otherReads: number;
}

/** The last ok read of a key and the highest offset it returned. */
export interface LastRead {
  index: number;
  process: Process;
  offset: number;
}

/** Key number by name (String(key): poll results name keys as strings). */
export function keyNumbers(d: Derived): Map<string, number> {
  return new Map(d.keys.map((key, k) => [String(key), k]));
}

export function opRef(d: Derived, o: number): OpRef {
  return { index: opIndex(d, o), type: TYPE_NAMES[d.opType[o]!]!, process: d.procs[d.opProc[o]!]! };
}

/** Every non-empty offset of key k's log, ascending. */
export function logOffsets(d: Derived, k: number): number[] {
  const slots = d.keySlots[k]!;
  const offsets = new Array<number>(slots.length);
  for (let i = 0; i < slots.length; i++) offsets[i] = d.slotOffset[slots[i]!]!;
  return offsets;
}

/** Per key number, the value numbers of the wanted values the history names (one pass over the values). */
export function findValues(d: Derived, wanted: ReadonlyMap<number, ReadonlySet<Value>>): Map<number, Map<Value, number>> {
  const found = new Map<number, Map<Value, number>>();
  for (const k of wanted.keys()) found.set(k, new Map());
  for (let v = 0; v < d.nVals; v++) {
    const k = d.valKey[v]!;
    if (wanted.get(k)?.has(d.valOrig[v]!)) found.get(k)!.set(d.valOrig[v]!, v);
  }
  return found;
}

/** The offsets value v sits at in its key's log, ascending (more than one for a duplicate). */
export function valueOffsets(d: Derived, v: number): number[] {
  if (d.valEntry[v] === -1) return [];
  const offsets = [d.slotOffset[entrySlotOf(d, d.valEntry[v]!)]!];
  for (const e of d.valMore.get(v) ?? []) offsets.push(d.slotOffset[entrySlotOf(d, e)]!);
  return offsets.sort((a, b) => a - b);
}

/** The first op that sent value v (the writer the checks name), if any. */
export function writerOf(d: Derived, v: number): OpRef | undefined {
  const o = d.valWriter[v]!;
  return o >= 0 ? opRef(d, o) : undefined;
}

/** The acknowledged records of partly acknowledged (info) bursts, as the loss checks read them. */
export { type InfoAcks, infoAcks } from "./acked.ts";

export function readByOk(d: Derived, v: number): boolean {
  return d.valReadOk[v] === 1;
}

/**
 * Per key number, the cells at the wanted offsets of its log (offsets that hold nothing are left
 * out): each value there in the order it entered the log, who wrote it there and who read it there.
 */
export function logCells(
  d: Derived,
  wanted: ReadonlyMap<number, Iterable<number>>,
  readersKept: number,
): Map<number, Map<number, LogCell[]>> {
  const out = new Map<number, Map<number, LogCell[]>>();
  // Per key number, offset -> the cells there and their value numbers; and the range of those
  // offsets, which most records of a long log fall outside.
  const atOffset: Array<Map<number, { cells: LogCell[]; vals: number[] }> | undefined> = [];
  const lowest = new Float64Array(d.keys.length).fill(Infinity);
  const highest = new Float64Array(d.keys.length).fill(-Infinity);
  for (const [k, offsets] of wanted) {
    const cellsAt = new Map<number, LogCell[]>();
    const byOffset = new Map<number, { cells: LogCell[]; vals: number[] }>();
    for (const offset of offsets) {
      const slot = slotAt(d, k, offset);
      if (slot < 0 || byOffset.has(offset)) continue;
      const vals = slotValues(d, slot);
      const cells = vals.map((v): LogCell => ({ value: d.valOrig[v]!, readers: [], readCount: 0, otherReads: 0 }));
      byOffset.set(offset, { cells, vals });
      cellsAt.set(offset, cells);
      lowest[k] = Math.min(lowest[k]!, offset);
      highest[k] = Math.max(highest[k]!, offset);
    }
    atOffset[k] = byOffset;
    out.set(k, cellsAt);
  }
  for (let r = 0; r < d.nRecs; r++) {
    const k = d.recKey[r]!;
    const offset = d.recOff[r]!;
    if (!(offset >= lowest[k]! && offset <= highest[k]!)) continue;
    const here = atOffset[k]!.get(offset);
    if (here === undefined || !inLog(d, r)) continue;
    const cell = here.cells[here.vals.indexOf(d.recVal[r]!)]!;
    const o = d.recOp[r]!;
    if (d.recPoll[r] === 0) cell.writtenBy ??= opIndex(d, o);
    else if (d.opType[o] === OK) {
      const reader = opIndex(d, o);
      if (cell.readers.length < readersKept && cell.readers.at(-1) !== reader) cell.readers.push(reader);
      cell.readCount++;
    } else cell.otherReads++;
  }
  return out;
}

/** The slot at this offset of key k's log, or -1 (binary search: a key's slots are in offset order). */
function slotAt(d: Derived, k: number, offset: number): number {
  const slots = d.keySlots[k]!;
  let lo = 0;
  let hi = slots.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = d.slotOffset[slots[mid]!]!;
    if (at === offset) return slots[mid]!;
    if (at < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Per key number, its last ok read (normally a final read): scans ops from the end. */
export function lastOkReads(d: Derived, keys: Iterable<number>): Map<number, LastRead> {
  const out = new Map<number, LastRead>();
  const wanted = new Uint8Array(d.keys.length);
  let left = 0;
  for (const k of keys) {
    if (wanted[k] === 1) continue;
    wanted[k] = 1;
    left++;
  }
  for (let o = d.nOps - 1; o >= 0 && left > 0; o--) {
    if (d.opType[o] !== OK) continue;
    const readHere: number[] = [];
    for (let r = d.opRecStart[o]!; r < d.opRecEnd[o]!; r++) {
      const k = d.recKey[r]!;
      if (d.recPoll[r] === 0 || wanted[k] === 0) continue;
      const last = out.get(k);
      if (last === undefined) {
        out.set(k, { index: opIndex(d, o), process: d.procs[d.opProc[o]!]!, offset: d.recOff[r]! });
        readHere.push(k);
      } else if (d.recOff[r]! > last.offset) last.offset = d.recOff[r]!;
    }
    for (const k of readHere) wanted[k] = 0;
    left -= readHere.length;
  }
  return out;
}
