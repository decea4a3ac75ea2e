// Derived structures, built once per check: client ops paired with their invocations, every
// micro-op value as a flat record, per-key logs (offset -> values), dense indexes, writers and
// readers. Every anomaly module reads these and nothing else; reports read them too (through
// op-pairs.ts and key-log.ts), so a report shows what the checks judged.
//
// Map of the arrays. Everything is numbered and kept in typed arrays (a 1M-op history gives a few
// million records; an object per record would be slow and large). The prefix of a field names
// what it is indexed by:
//
//   op…     op number, 0..nOps-1: the client ops (send, poll, txn, assign, subscribe) in the order
//           they completed. An invocation that never completed (the client crashed) becomes an
//           `info` op with the invocation's value, when its process invokes again or at the end.
//   rec…    record number, 0..nRecs-1: one per value in a micro-op (a value sent, or one
//           [offset, value] a poll returned), in op order; op o's records are
//           opRecStart[o] .. opRecEnd[o]-1.
//   val…    value number, 0..nVals-1: one per distinct (key, value); valOrig[v] is the value.
//   keys    key number, 0..keys.length-1: keys[k] is the key; keySlots[k] is its log.
//   slot…   slot number: one per non-empty offset of a key's log. keySlots[k] lists key k's
//           slots in offset order, so a slot's place in that list is its dense index (slotIndex).
//   entry…  entry number: one per distinct (slot, value) of the logs. A slot's first entry is
//           slotEntry[s], a value's first is valEntry[v]; the others (an inconsistent offset, a
//           duplicate value) are in slotMore and valMore. Until a slot gets a second entry,
//           entries and slots are made in step, so entry s is slot s's first entry: slotEntry and
//           entrySlot are the identity, and not stored (slotEntryOf, entrySlotOf).
//
// Links between them: a record names its op, key and value (recOp, recKey, recVal); a value its key
// (valKey), writer and first ok reader (ops); an entry its slot, value and op.
import { type Key, LATE_ACK, type Op, type Process, type Value } from "./history.ts";
import { ByteList, FloatList, type IdMap, IntList, Slab } from "./ints.ts";
import { buildLog } from "./log.ts";
import { ValueIds } from "./value-ids.ts";

export { slotValues } from "./log.ts";

/** opType codes. */
export const OK = 0;
export const INFO = 1;
export const FAIL = 2;
/** opF codes. */
export const F_SEND = 0;
export const F_POLL = 1;
export const F_TXN = 2;
export const F_ASSIGN = 3;
export const F_SUBSCRIBE = 4;
/** A group member's `assigned` or `revoked` event: its position in the named keys starts afresh. */
export const F_REBALANCE = 5;

/** An op naming keys rather than carrying records: assign, subscribe, or a rebalance event. */
export const namesKeys = (f: number): boolean => f === F_ASSIGN || f === F_SUBSCRIBE || f === F_REBALANCE;

export interface Derived {
  /** Ops seen (lines of the history), and how many were client ops (send/poll/txn/assign/subscribe). */
  nLines: number;
  nClientLines: number;

  // By op number.
  nOps: number;
  /** Line (position in the history) of the completion; of the invocation, for one that never completed. */
  opPos: Int32Array;
  /** Line of the invocation, or -1. */
  opInv: Int32Array;
  /** The op's own `index` and `time` fields (of its completion). opIndexOf is opPos itself (the same
   *  array) when every op's index is its line, as in the harness's histories. */
  opIndexOf: Int32Array;
  opTime: Float64Array;
  /** OK, INFO or FAIL. */
  opType: Uint8Array;
  /** F_SEND, F_POLL, F_TXN, F_ASSIGN, F_SUBSCRIBE or F_REBALANCE. */
  opF: Uint8Array;
  /** Process number: the process is procs[opProc[o]]. */
  opProc: Int32Array;
  /** 1 for an invocation that never completed. */
  opSynth: Uint8Array;
  /** The op's records are opRecStart[o] .. opRecEnd[o]-1. */
  opRecStart: Int32Array;
  opRecEnd: Int32Array;
  /** Key numbers named by assign/subscribe ops, by op number. */
  opKeys: Map<number, number[]>;
  /** ok, or info with one of its sent values read by an ok op. */
  mustCommit: Uint8Array;
  /** Every send ran inside a transaction (DeriveOptions.transactional), whatever its op's f. */
  transactional: boolean;
  procs: Process[];

  // By record number.
  nRecs: number;
  /** Built on first read (the checks walk the records op by op: opRecStart..opRecEnd). */
  readonly recOp: Int32Array;
  /** Built on first read (the checks use valKey[recVal[r]], the same number). */
  readonly recKey: Int32Array;
  recVal: Int32Array;
  /** NaN when the offset is unknown. Built on first read when recOffInt holds the offsets (the
   *  checks read recordOffset()). */
  readonly recOff: Float64Array;
  /** The offsets as int32 (-1: unknown), when all fit; else undefined and recOff holds them. */
  recOffInt: Int32Array | undefined;
  /** 1 for a value returned by a poll, 0 for a sent one. */
  recPoll: Uint8Array;

  // By key number.
  keys: Key[];

  // By value number.
  nVals: number;
  valKey: Int32Array;
  /** Built on first read when every value is an int32 (the checks read it only for findings). */
  readonly valOrig: Value[];
  /** First completed op that sent the value, or -1. */
  valWriter: Int32Array;
  /** 1 when an ok op read the value; the first such op, or -1. */
  valReadOk: Uint8Array;
  valFirstOkReader: Int32Array;
  /** Value number -> the offset of a late-ack op for it (history.ts LATE_ACK: answered after its
   *  send op completed), the first one if several. Usually empty. */
  lateAcks: Map<number, number>;
  /** Lowest and highest dense index of the value in its key's log, -1 if not in the log. Built on
   *  first read (the checks call valueFirstIndex and valueLastIndex). */
  readonly valFirstIndex: Int32Array;
  readonly valLastIndex: Int32Array;

  // The logs: by key, slot and entry number.
  /** Per key, its non-empty offsets' slots in offset order: position in the array = dense index. */
  keySlots: Int32Array[];
  /** Per key, offset -> slot (log.ts recordIndex: a record's dense index, from its offset). */
  keyOffsetSlots: IdMap[];
  /** Int32Array when every offset fits one (recOffInt holds the offsets), else Float64Array. */
  slotOffset: Float64Array | Int32Array;
  slotIndex: Int32Array;
  /** First (offset, value) entry of each slot; more entries of inconsistent offsets in slotMore.
   *  Built on first read when it is the identity (the checks read slotEntryOf()). */
  readonly slotEntry: Int32Array;
  slotMore: Map<number, number[]>;
  entryVal: Int32Array;
  /** Built on first read when it is the identity (the checks read entrySlotOf()). */
  readonly entrySlot: Int32Array;
  /** slotEntry and entrySlot as stored: undefined while they are the identity (no slot has a
   *  second entry), which saves two arrays of a million ints on a clean history. */
  slotEntries: Int32Array | undefined;
  entrySlots: Int32Array | undefined;
  /** The first op (writer or reader) that put this value at this offset. */
  entryOp: Int32Array;
  /** First entry of each value (-1 if not in the log); more entries of duplicates in valMore. */
  valEntry: Int32Array;
  valMore: Map<number, number[]>;
}

/** What the derivation needs to know of the configuration. */
export interface DeriveOptions {
  /**
   * read_uncommitted consumers: their reads of a transaction's sends prove nothing about its commit
   * (they return open and aborted transactions' records), so only ok reads after this history index
   * (the read_committed final reads) show that an `info` transaction committed; null: no final
   * reads, so nothing shows it. Left out: any ok read shows it (read_committed).
   */
  commitProofFrom?: number | null;
  /**
   * Every send ran inside a transaction (a transactional history: the txn workload, or Jepsen's
   * with --txn, where `send` ops are transactions too): a send op is judged as a txn op is, its
   * offsets acknowledge nothing until its commit is known (checkers/acked.ts). Left out: only
   * `txn` ops are transactions.
   */
  transactional?: boolean;
}

export function derive(history: Iterable<Op>, opts: DeriveOptions = {}): Derived {
  if (!Array.isArray(history)) {
    const deriver = new Deriver();
    for (const op of history) deriver.add(op);
    return deriver.finish(opts);
  }
  // An index loop: for-of over a million ops allocates an iterator result per op. No pass to count
  // the records first (a pass over a million ops costs ~0.1 s): the record lists are sized from a
  // sample of the ops. Not from a bound such as 3 per line: pages never written cost no memory, but
  // V8 counts every byte of an ArrayBuffer as external memory, and past 64 MB of it, it collects
  // the whole heap (the history) early.
  const ops = history as readonly Op[];
  const deriver = new Deriver(historySizes(ops));
  for (let i = 0; i < ops.length; i++) deriver.add(ops[i]!);
  return deriver.finish(opts);
}

/** What to size a Deriver for, for a history in memory: its lines, and about its records. */
export function historySizes(ops: readonly Op[]): Sizes {
  return { lines: ops.length, records: sampleRecords(ops) };
}

/** Ops sampled to estimate a history's records: runs of consecutive ops spread evenly (not every
 *  n-th op: an even stride over alternating invocations and completions sees only one kind). */
const SAMPLE_RUNS = 64;
const SAMPLE_RUN = 128;
/** The last ops, counted exactly: the final reads are there, a few polls holding a large share of
 *  the records (each reads a whole partition) that a sample would miss or overweight. */
const TAIL = 4096;

/**
 * About how many records the history makes: exactly in its tail, from a sample of runs of ops
 * before it, with a margin (a list that is too short grows by doubling, a copy into fresh memory).
 * Completions are counted; invocations that never completed are not, the margin covers them.
 */
export function sampleRecords(ops: readonly Op[]): number {
  const n = ops.length;
  const tail = Math.max(TAIL, Math.floor(n / 64));
  const body = Math.max(0, n - tail);
  let records = 0;
  for (let i = body; i < n; i++) records += recordsOf(ops[i]!);
  if (body === 0) return records + 1024;
  let sampled = 0;
  let sampledRecords = 0;
  const runs = body <= SAMPLE_RUNS * SAMPLE_RUN ? 1 : SAMPLE_RUNS;
  const run = runs === 1 ? body : SAMPLE_RUN;
  const gap = Math.floor(body / runs);
  for (let j = 0; j < runs; j++) {
    for (let i = j * gap; i < j * gap + run; i++) {
      sampled++;
      sampledRecords += recordsOf(ops[i]!);
    }
  }
  return records + Math.ceil((sampledRecords / sampled) * body * 1.05) + 1024;
}

/** The records of a completion (0 for anything else). */
function recordsOf(op: Op): number {
  if (op.type === "invoke" || fCode(op.f) < 0 || !Array.isArray(op.value)) return 0;
  let records = 0;
  const mops = op.value as unknown[];
  for (let j = 0; j < mops.length; j++) {
    const mop = mops[j] as unknown[];
    if (!Array.isArray(mop)) continue;
    if (mop[0] === "send") records++;
    else if (mop.length === 2 && typeof mop[1] === "object" && mop[1] !== null) {
      const result = mop[1] as Record<string, unknown>;
      for (const key in result) {
        const read = result[key];
        if (Array.isArray(read)) records += read.length;
      }
    }
  }
  return records;
}

/** How many ops, records and values to make room for (hints: the lists grow past them if need be). */
export interface Sizes {
  lines: number;
  records?: number;
  values?: number;
}

/** The opF code of a client op's `f`, or -1 for anything else (faults, debug ops). */
function fCode(f: string): number {
  switch (f) {
    case "send":
      return F_SEND;
    case "poll":
      return F_POLL;
    case "txn":
      return F_TXN;
    case "assign":
      return F_ASSIGN;
    case "subscribe":
      return F_SUBSCRIBE;
    case "assigned":
    case "revoked":
      return F_REBALANCE;
    default:
      return -1;
  }
}

/** A process as the Deriver knows it: its invocation waiting for its completion (op undefined:
 *  none), and its number (-1 until its first op is added). One per process, reused, so a line
 *  costs one lookup of its process. */
interface ProcState {
  line: number;
  op: Op | undefined;
  id: number;
}

/** Processes numbered below this are looked up in an array (the harness numbers them from 0). */
const SMALL_PROCESSES = 1 << 16;

/** Builds the derived structures one op at a time, so a history can be checked as it streams in. */
export class Deriver {
  private nLines = 0;
  private nClientLines = 0;
  /** Per process: small integers in an array, the others in a Map. */
  private readonly smallProcs: Array<ProcState | undefined> = [];
  private readonly otherProcs = new Map<Process, ProcState>();

  // Sized from the history's length when it is known, so the lists rarely grow: each growth of a
  // large typed array copies it into fresh memory and makes V8 collect garbage early.
  private opPos: IntList;
  private opInv: IntList;
  /** Made at the first op whose index is not its line; until then opPos holds the indexes. */
  private opIndexOf: IntList | undefined;
  private opTime: FloatList;
  private opType: ByteList;
  private opF: ByteList;
  private opProc: IntList;
  private opSynth: ByteList;
  /** opRecStart[o]; opRecEnd[o] is the next op's start (records are numbered in op order), so
   *  both are views of this one list, closed by nRecs at the end. */
  private opRecBound: IntList;
  private opKeys = new Map<number, number[]>();
  private procs: Process[] = [];

  private recVal: IntList;
  /** Offsets as int32, -1 when unknown, while every offset fits (Kafka's rarely pass 2^31); at the
   *  first that does not, all move to recOffFloat. Half the memory of floats, so half the fresh
   *  pages to fill. */
  private recOffInt: IntList;
  private recOffFloat: FloatList | undefined;
  private recPoll: ByteList;

  private keyIds = new Map<string, number>();
  private keys: Key[] = [];
  /** Whether the key was only seen in poll results so far, where it is a string whatever it was. */
  private keyFromPoll: boolean[] = [];
  /** Per key, the highest offset of its records so far (-1: none), to size its log's offset table. */
  private keyMaxOffset: number[] = [];
  // Direct tables may grow to a few times the number of values seen so far, never more.
  private readonly valueLimit = () => 4 * this.nVals + 65536;
  private valKey: IntList;
  /** (key, value) -> value number. */
  private valIds: ValueIds;
  /** The values, as int32 while every one is (the harness's are): half the memory of an array of
   *  a million values, and no array of holes made up front; at the first that is not, all move to
   *  valValues. */
  private valInts: IntList | undefined;
  private valValues: Value[] | undefined;
  private nVals = 0;
  private valWriter: IntList;
  private valReadOk: ByteList;
  private valFirstOkReader: IntList;
  private lateAcks = new Map<number, number>();

  /** `sizes`: how many ops (lines) the history has, and records and values if counted: hints for sizing. */
  constructor(sizes: number | Sizes = 0) {
    const { lines, records = lines * 3, values } = typeof sizes === "number" ? { lines: sizes } : sizes;
    const ops = Math.max(1024, Math.ceil(lines / 2) + 16);
    const recs = Math.max(4096, records + 16);
    const vals = Math.max(1024, (values ?? ops) + 1024);
    // One allocation for every list (ints.ts, Slab); pages never written cost nothing.
    const slab = new Slab(
      Slab.bytes(ops, 8) +
        3 * Slab.bytes(ops, 4) +
        Slab.bytes(ops + 1, 4) +
        2 * Slab.bytes(recs, 4) +
        5 * Slab.bytes(vals, 4) +
        3 * Slab.bytes(ops, 1) +
        Slab.bytes(recs, 1) +
        Slab.bytes(vals, 1),
    );
    this.opPos = new IntList(slab.int32(ops));
    this.opInv = new IntList(slab.int32(ops));
    this.opTime = new FloatList(slab.float64(ops));
    this.opType = new ByteList(slab.uint8(ops));
    this.opF = new ByteList(slab.uint8(ops));
    this.opProc = new IntList(slab.int32(ops));
    this.opSynth = new ByteList(slab.uint8(ops));
    this.opRecBound = new IntList(slab.int32(ops + 1));
    this.recVal = new IntList(slab.int32(recs));
    this.recOffInt = new IntList(slab.int32(recs));
    this.recPoll = new ByteList(slab.uint8(recs));
    this.valKey = new IntList(slab.int32(vals));
    this.valIds = new ValueIds(this.valKey, this.valueLimit, slab.int32(vals));
    this.valWriter = new IntList(slab.int32(vals));
    this.valReadOk = new ByteList(slab.uint8(vals));
    this.valFirstOkReader = new IntList(slab.int32(vals));
    this.valInts = new IntList(slab.int32(vals));
  }

  /** Adds the next op of the history. */
  add(op: Op): void {
    const line = this.nLines++;
    const f = fCode(op.f);
    if (f < 0) {
      if (op.f === LATE_ACK && Array.isArray(op.value)) this.addLateAcks(op.value);
      return;
    }
    this.nClientLines++;
    const proc = this.procState(op.process);
    if (op.type === "invoke") {
      // A process that invokes again has given up on its previous invocation.
      if (proc.op !== undefined) this.addUnfinished(proc.op, proc.line, proc);
      proc.line = line;
      proc.op = op;
      return;
    }
    const invocation = proc.op;
    if (invocation !== undefined && invocation.f === op.f) {
      this.addOp(op, f, line, proc.line, invocation, typeCode(op.type), false, proc);
      proc.op = undefined;
    } else this.addOp(op, f, line, -1, undefined, typeCode(op.type), false, proc);
  }

  private procState(p: Process): ProcState {
    if (typeof p === "number" && p >= 0 && p < SMALL_PROCESSES && (p | 0) === p) {
      let proc = this.smallProcs[p];
      if (proc === undefined) this.smallProcs[p] = proc = { line: -1, op: undefined, id: -1 };
      return proc;
    }
    let proc = this.otherProcs.get(p);
    if (proc === undefined) this.otherProcs.set(p, (proc = { line: -1, op: undefined, id: -1 }));
    return proc;
  }

  /** The process's number: the next one at its first op. */
  private procId(proc: ProcState, p: Process): number {
    if (proc.id < 0) {
      proc.id = this.procs.length;
      this.procs.push(p);
    }
    return proc.id;
  }

  /**
   * What add() does with an `ok` completion of a send, poll or txn op, given as its parts instead
   * of an Op: the file check's fast path (scan-line.ts), which reads the harness's own lines
   * without building an object per op. Returns the op number; the caller then adds its records in
   * micro-op order with sendRecord, pollKey and pollRecord, exactly as add() would.
   */
  addOk(process: Process, fName: string, index: number, time: number): number {
    const line = this.nLines++;
    this.nClientLines++;
    const f = fCode(fName);
    const proc = this.procState(process);
    const invocation = proc.op;
    const paired = invocation !== undefined && invocation.f === fName;
    if (paired) proc.op = undefined;
    return this.addOpHead(line, paired ? proc.line : -1, index, time, this.procId(proc, process), OK, f, false);
  }

  /** A value sent by op o (offset NaN: unknown). */
  sendRecord(o: number, key: Key, offset: number, value: Value): void {
    const k = this.internKey(key, false);
    const v = this.internVal(k, value);
    this.pushRec(v, offset, 0);
    if (offset > this.keyMaxOffset[k]!) this.keyMaxOffset[k] = offset;
    if (this.valWriter.a[v] === -1) this.valWriter.a[v] = o;
  }

  /** A key of a poll result (interned even when it read nothing): its key number, for pollRecord. */
  pollKey(key: string): number {
    return this.internKey(key, true);
  }

  /** One [offset, value] an ok op o read from key k, as addPollResult records it. */
  pollRecord(o: number, k: number, offset: number, value: Value): void {
    const v = this.internVal(k, value);
    this.pushRec(v, offset, 1);
    if (offset > this.keyMaxOffset[k]!) this.keyMaxOffset[k] = offset;
    this.valReadOk.a[v] = 1;
    if (this.valFirstOkReader.a[v] === -1) this.valFirstOkReader.a[v] = o;
  }

  /** An invocation that never completed, as an info op with the invocation's value. */
  private addUnfinished(invocation: Op, line: number, proc: ProcState): void {
    this.addOp(invocation, fCode(invocation.f), line, line, undefined, INFO, true, proc);
  }

  private addOp(
    op: Op,
    f: number,
    line: number,
    invLine: number,
    invocation: Op | undefined,
    type: number,
    unfinished: boolean,
    proc: ProcState,
  ): void {
    const o = this.addOpHead(line, invLine, op.index, op.time, this.procId(proc, op.process), type, f, unfinished);
    // A failed or crashed op may carry no value: its invocation says what it tried.
    const value = op.value ?? invocation?.value;
    if (namesKeys(f)) {
      const named: number[] = [];
      if (Array.isArray(value)) for (const key of value as Key[]) named.push(this.internKey(key, false));
      this.opKeys.set(o, named);
    } else if (Array.isArray(value)) {
      this.addRecords(o, value, type);
    }
  }

  /** Op o's fields (everything but its records, which follow it); returns o. */
  private addOpHead(
    line: number,
    invLine: number,
    index: number,
    time: number,
    procId: number,
    type: number,
    f: number,
    unfinished: boolean,
  ): number {
    const o = this.opPos.n;
    this.opPos.push(line);
    this.opInv.push(invLine);
    if (this.opIndexOf !== undefined) this.opIndexOf.push(index);
    else if (index !== line) {
      this.opIndexOf = new IntList(this.opPos.a.length);
      this.opIndexOf.a.set(this.opPos.a.subarray(0, o));
      this.opIndexOf.n = o;
      this.opIndexOf.push(index);
    }
    this.opTime.push(time);
    this.opType.push(type);
    this.opF.push(f);
    this.opProc.push(procId);
    this.opSynth.push(unfinished ? 1 : 0);
    this.opRecBound.push(this.recVal.n);
    return o;
  }

  /** One record per value the op's micro-ops send or read. */
  private addRecords(o: number, mops: unknown[], type: number): void {
    for (let i = 0; i < mops.length; i++) {
      const mop = mops[i] as unknown[];
      if (mop[0] === "send") this.addSend(o, mop[1] as Key, mop[2]);
      else if (mop.length === 2) this.addPollResult(o, mop[1] as Record<string, Array<[number, Value]>>, type);
    }
  }

  /** `sent` is the value, or [offset, value] once the send was acknowledged. */
  private addSend(o: number, key: Key, sent: unknown): void {
    let offset = Number.NaN;
    let value: Value;
    if (Array.isArray(sent)) {
      if (sent[0] !== null) offset = sent[0] as number;
      value = sent[1] as Value;
    } else value = sent as Value;
    this.sendRecord(o, key, offset, value);
  }

  /** A late-ack op's `["send", key, [offset, value]]` micro-ops: no record, the value's late offset. */
  private addLateAcks(mops: unknown[]): void {
    for (const mop of mops) {
      if (!Array.isArray(mop) || mop[0] !== "send" || !Array.isArray(mop[2]) || typeof mop[2][0] !== "number") continue;
      const v = this.internVal(this.internKey(mop[1] as Key, false), mop[2][1] as Value);
      if (!this.lateAcks.has(v)) this.lateAcks.set(v, mop[2][0]);
    }
  }

  private addPollResult(o: number, result: Record<string, Array<[number, Value]>>, type: number): void {
    for (const key in result) {
      const k = this.internKey(key, true);
      const read = result[key]!;
      let max = this.keyMaxOffset[k]!;
      for (let j = 0; j < read.length; j++) {
        const record = read[j]!;
        const v = this.internVal(k, record[1]);
        const offset = record[0];
        this.pushRec(v, offset, 1);
        if (offset > max) max = offset;
        if (type === OK) {
          this.valReadOk.a[v] = 1;
          if (this.valFirstOkReader.a[v] === -1) this.valFirstOkReader.a[v] = o;
        }
      }
      this.keyMaxOffset[k] = max;
    }
  }

  private pushRec(v: number, offset: number, poll: number): void {
    this.recVal.push(v);
    this.recPoll.push(poll);
    if (this.recOffFloat !== undefined) this.recOffFloat.push(offset);
    else if (offset >= 0 && offset <= 0x7fffffff && (offset | 0) === offset) this.recOffInt.push(offset);
    else if (Number.isNaN(offset)) this.recOffInt.push(-1);
    else {
      this.recOffFloat = new FloatList(Math.max(1024, this.recOffInt.a.length));
      const ints = this.recOffInt.done();
      for (let r = 0; r < ints.length; r++) this.recOffFloat.push(ints[r]! < 0 ? Number.NaN : ints[r]!);
      this.recOffFloat.push(offset);
    }
  }

  // Consecutive records are mostly of one key: remember the last one looked up.
  private lastKey: string | undefined;
  private lastKeyId = -1;

  private internKey(key: Key, fromPollResult: boolean): number {
    const name = typeof key === "string" ? key : String(key);
    let k: number | undefined = name === this.lastKey ? this.lastKeyId : this.keyIds.get(name);
    if (k === undefined) {
      k = this.keys.length;
      this.keyIds.set(name, k);
      this.keys.push(key);
      this.keyFromPoll.push(fromPollResult);
      this.keyMaxOffset.push(-1);
    } else if (!fromPollResult && this.keyFromPoll[k]) {
      // Poll results are JSON objects whose keys are strings; a send or assign shows the real type.
      this.keys[k] = key;
      this.keyFromPoll[k] = false;
    }
    this.lastKey = name;
    this.lastKeyId = k;
    return k;
  }

  private internVal(k: number, value: Value): number {
    let v = this.valIds.get(k, value);
    if (v === -1) {
      v = this.nVals++;
      this.valIds.set(k, value, v);
      if (this.valInts !== undefined && typeof value === "number" && (value | 0) === value) this.valInts.push(value);
      else {
        if (this.valInts !== undefined) {
          this.valValues = Array.from(this.valInts.done());
          this.valInts = undefined;
        }
        this.valValues!.push(value);
      }
      this.valKey.push(k);
      this.valWriter.push(-1);
      this.valReadOk.push(0);
      this.valFirstOkReader.push(-1);
    }
    return v;
  }

  /** Ends the history: invocations still pending become info ops, and the logs are built. */
  finish(opts: DeriveOptions = {}): Derived {
    const left = [...this.smallProcs, ...this.otherProcs.values()].filter((p) => p?.op !== undefined).sort((x, y) => x!.line - y!.line);
    for (const p of left) {
      const op = p!.op!;
      p!.op = undefined;
      this.addUnfinished(op, p!.line, p!);
    }
    const d = this.finishOps();
    d.transactional = opts.transactional === true;
    markMustCommit(d, opts.commitProofFrom);
    buildLog(d, this.keyMaxOffset);
    return d;
  }

  /** The lists as arrays; the log's arrays stay empty until buildLog fills them. */
  private finishOps(): Derived {
    const nOps = this.opPos.n;
    const nVals = this.nVals;
    const nRecs = this.recVal.n;
    const opPos = this.opPos.done();
    const slab = new Slab(Slab.bytes(nOps, 1) + Slab.bytes(nVals, 4));
    this.opRecBound.push(nRecs);
    const bounds = this.opRecBound.done();
    const recVal = this.recVal.done();
    const valKey = this.valKey.done();
    const recOffInt = this.recOffFloat === undefined ? this.recOffInt.done() : undefined;
    // Plain data in a literal (no getter: V8 makes an object literal with one a dictionary, and
    // every field read of it a hash lookup); the parts built on first read are on LAZY_PARTS.
    const d: Built = {
      __proto__: LAZY_PARTS,
      nLines: this.nLines,
      nClientLines: this.nClientLines,
      nOps,
      opPos,
      opInv: this.opInv.done(),
      opIndexOf: this.opIndexOf?.done() ?? opPos,
      opTime: this.opTime.done(),
      opType: this.opType.done(),
      opF: this.opF.done(),
      opProc: this.opProc.done(),
      opSynth: this.opSynth.done(),
      opRecStart: bounds.subarray(0, nOps),
      opRecEnd: bounds.subarray(1, nOps + 1),
      opKeys: this.opKeys,
      mustCommit: slab.uint8(nOps),
      transactional: false,
      procs: this.procs,
      nRecs,
      recOps: undefined,
      recKeys: undefined,
      recOffs: this.recOffFloat?.done(),
      valFirstIndexes: undefined,
      valLastIndexes: undefined,
      recVal,
      recOffInt,
      recPoll: this.recPoll.done(),
      keys: this.keys,
      nVals,
      valKey,
      valInts: this.valInts?.done(),
      valOrigs: this.valValues,
      valWriter: this.valWriter.done(),
      valReadOk: this.valReadOk.done(),
      valFirstOkReader: this.valFirstOkReader.done(),
      lateAcks: this.lateAcks,
      // Filled by buildLog.
      keySlots: [],
      keyOffsetSlots: [],
      slotOffset: new Float64Array(0),
      slotIndex: new Int32Array(0),
      slotMore: new Map(),
      entryVal: new Int32Array(0),
      slotEntries: undefined,
      entrySlots: undefined,
      entryOp: new Int32Array(0),
      valEntry: slab.int32(nVals).fill(-1),
      valMore: new Map(),
    };
    return d as Built & typeof LAZY_PARTS;
  }
}

/** Derived as finishOps makes it: the lazy parts' stores beside the fields. */
type Lazy = "recOp" | "recKey" | "recOff" | "slotEntry" | "entrySlot" | "valFirstIndex" | "valLastIndex" | "valOrig";
interface Built extends Omit<Derived, Lazy> {
  __proto__: typeof LAZY_PARTS;
  recOps: Int32Array | undefined;
  recKeys: Int32Array | undefined;
  recOffs: Float64Array | undefined;
  valFirstIndexes: Int32Array | undefined;
  valLastIndexes: Int32Array | undefined;
  /** The values: valOrigs, or made from valInts on first read. */
  valInts: Int32Array | undefined;
  valOrigs: Value[] | undefined;
}

/** The parts of Derived made on first read (reports): the checks walk records op by op and take a
 *  record's key from its value, and an array by record of a 1M-op history is megabytes of fresh
 *  memory. The prototype of every Derived. */
const LAZY_PARTS = {
  get recOp(): Int32Array {
    const d = this as unknown as Built;
    return (d.recOps ??= recordOps(d));
  },
  get recKey(): Int32Array {
    const d = this as unknown as Built;
    return (d.recKeys ??= recordKeys(d.recVal, d.valKey));
  },
  get recOff(): Float64Array {
    const d = this as unknown as Built;
    return (d.recOffs ??= floatOffsets(d.recOffInt!));
  },
  get slotEntry(): Int32Array {
    const d = this as unknown as Built;
    return (d.slotEntries ??= identity(d.slotOffset.length));
  },
  get entrySlot(): Int32Array {
    const d = this as unknown as Built;
    return (d.entrySlots ??= identity(d.entryVal.length));
  },
  get valOrig(): Value[] {
    const d = this as unknown as Built;
    return (d.valOrigs ??= Array.from(d.valInts!));
  },
  get valFirstIndex(): Int32Array {
    const d = this as unknown as Built & Derived;
    return (d.valFirstIndexes ??= byValue(d, valueFirstIndex));
  },
  get valLastIndex(): Int32Array {
    const d = this as unknown as Built & Derived;
    return (d.valLastIndexes ??= byValue(d, valueLastIndex));
  },
};

function byValue(d: Derived, f: (d: Derived, v: number) => number): Int32Array {
  const out = new Int32Array(d.nVals);
  for (let v = 0; v < d.nVals; v++) out[v] = f(d, v);
  return out;
}

/** Each record's op number, from the ops' record ranges. */
function recordOps(d: Built): Int32Array {
  const out = new Int32Array(d.nRecs);
  for (let o = 0; o < d.nOps; o++) out.fill(o, d.opRecStart[o]!, d.opRecEnd[o]!);
  return out;
}

/** The op of record r, by binary search in the ops' record ranges (for findings; loops walk ops). */
export function recordOp(d: Derived, r: number): number {
  // The last op starting at or before r: an empty op starting at r comes before the one holding r.
  let lo = 0;
  let hi = d.nOps - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (d.opRecStart[mid]! <= r) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** Slot s's first entry: what slotEntry holds, without building slotEntry. */
export function slotEntryOf(d: Derived, s: number): number {
  return d.slotEntries === undefined ? s : d.slotEntries[s]!;
}

/** The lowest dense index of value v in its key's log, -1 if not in the log: what valFirstIndex
 *  holds, without building it (an array by value, 2 MB for a 1M-op history). */
export function valueFirstIndex(d: Derived, v: number): number {
  const e = d.valEntry[v]!;
  if (e < 0) return -1;
  const index = d.slotIndex[entrySlotOf(d, e)]!;
  return d.valMore.size === 0 ? index : moreIndex(d, v, index, Math.min);
}

/** The highest dense index of value v in its key's log, -1 if not in the log (valLastIndex). */
export function valueLastIndex(d: Derived, v: number): number {
  const e = d.valEntry[v]!;
  if (e < 0) return -1;
  const index = d.slotIndex[entrySlotOf(d, e)]!;
  return d.valMore.size === 0 ? index : moreIndex(d, v, index, Math.max);
}

/** `index`, the dense index of value v's first entry, or that of another of its entries (a value
 *  at several offsets: a duplicate) if `pick` prefers it. */
function moreIndex(d: Derived, v: number, index: number, pick: (a: number, b: number) => number): number {
  const more = d.valMore.get(v);
  if (more !== undefined) for (const m of more) index = pick(index, d.slotIndex[entrySlotOf(d, m)]!);
  return index;
}

/** Entry e's slot: what entrySlot holds, without building entrySlot. */
export function entrySlotOf(d: Derived, e: number): number {
  return d.entrySlots === undefined ? e : d.entrySlots[e]!;
}

/** Offsets as floats, NaN when unknown. */
function floatOffsets(ints: Int32Array): Float64Array {
  const out = new Float64Array(ints.length);
  for (let r = 0; r < ints.length; r++) out[r] = ints[r]! < 0 ? Number.NaN : ints[r]!;
  return out;
}

/** The offset of record r, NaN when unknown: what recOff holds, without building recOff. */
export function recordOffset(d: Derived, r: number): number {
  const ints = d.recOffInt;
  if (ints === undefined) return d.recOff[r]!;
  const x = ints[r]!;
  return x < 0 ? Number.NaN : x;
}

/** Each record's key number: the key of its value. */
function recordKeys(recVal: Int32Array, valKey: Int32Array): Int32Array {
  const out = new Int32Array(recVal.length);
  for (let r = 0; r < recVal.length; r++) out[r] = valKey[recVal[r]!]!;
  return out;
}

function typeCode(type: string): number {
  return type === "ok" ? OK : type === "info" ? INFO : FAIL;
}

/**
 * An ok op must have committed; so must an info op one of whose sent values an ok op read (under
 * read_uncommitted, for a transaction: an ok read at or after the final reads, see DeriveOptions).
 */
function markMustCommit(d: Derived, commitProofFrom?: number | null): void {
  const proof = commitProofFrom === undefined ? undefined : readsFrom(d, commitProofFrom);
  for (let o = 0; o < d.nOps; o++) {
    const type = d.opType[o]!;
    if (type === OK) d.mustCommit[o] = 1;
    else if (type === INFO) {
      const read = proof !== undefined && inTransaction(d, o) ? proof : d.valReadOk;
      for (let r = d.opRecStart[o]!; r < d.opRecEnd[o]!; r++) {
        if (d.recPoll[r] === 0 && read[d.recVal[r]!] === 1) {
          d.mustCommit[o] = 1;
          break;
        }
      }
    }
  }
}

/** 1 for each value an ok op after history index `from` read (none when from is null). */
function readsFrom(d: Derived, from: number | null): Uint8Array {
  const read = new Uint8Array(d.nVals);
  if (from === null) return read;
  for (let o = 0; o < d.nOps; o++) {
    if (d.opType[o] !== OK || d.opIndexOf[o]! <= from) continue;
    for (let r = d.opRecStart[o]!; r < d.opRecEnd[o]!; r++) if (d.recPoll[r] === 1) read[d.recVal[r]!] = 1;
  }
  return read;
}

/** Whether op o's sends ran inside a transaction: a txn op, or any op of a transactional history. */
export function inTransaction(d: Derived, o: number): boolean {
  return d.transactional || d.opF[o] === F_TXN;
}

/** The history index (op.index) of client op o. */
export function opIndex(d: Derived, o: number): number {
  return d.opIndexOf[o]!;
}
