// Derived structures, built once per check (DESIGN.md section 7): client ops paired with their
// invocations, every micro-op as a flat record, per-key logs (offset -> values), dense indexes,
// writers and readers. Every anomaly module reads these and nothing else.
import type { Key, Op, Process, Value } from "./history.ts";
import { FloatList, IdMap, IntList } from "./ints.ts";
import { buildLog } from "./log.ts";

export { slotValues } from "./log.ts";

export const OK = 0;
export const INFO = 1;
export const FAIL = 2;
export const F_SEND = 0;
export const F_POLL = 1;
export const F_TXN = 2;
export const F_ASSIGN = 3;
export const F_SUBSCRIBE = 4;

/**
 * Client ops are numbered 0..nOps-1 in the order they completed ("c" below). An invocation that
 * never completed (the client crashed) becomes an `info` op at the end, with the invocation's value.
 * Records (micro-op values) are numbered 0..nRecs-1 in op order; keys and values are interned.
 */
export interface Derived {
  /** Ops seen (lines of the history), and how many were client ops (send/poll/txn/assign/subscribe). */
  nLines: number;
  nClientLines: number;
  nOps: number;
  /** Stream position of the completion (of the invocation, for one that never completed). */
  opPos: Int32Array;
  /** Stream position of the invocation, or -1. */
  opInv: Int32Array;
  /** The op's own `index` and `time` fields (of its completion). */
  opIndexOf: Int32Array;
  opTime: Float64Array;
  opType: Uint8Array;
  opF: Uint8Array;
  opProc: Int32Array;
  /** 1 for an invocation that never completed. */
  opSynth: Uint8Array;
  opRecStart: Int32Array;
  opRecEnd: Int32Array;
  /** Keys named by assign/subscribe ops. */
  opKeys: Map<number, number[]>;
  /** ok, or info with one of its sent values read by an ok op. */
  mustCommit: Uint8Array;
  procs: Process[];

  nRecs: number;
  recOp: Int32Array;
  recKey: Int32Array;
  recVal: Int32Array;
  /** NaN when the offset is unknown. */
  recOff: Float64Array;
  /** 1 for a value returned by a poll, 0 for a sent one. */
  recPoll: Uint8Array;
  /** Dense index of the record's offset (or of the value's first index), -1 if unknown. */
  recIndex: Int32Array;

  keys: Key[];
  nVals: number;
  valKey: Int32Array;
  valOrig: Value[];
  /** First completed op that sent the value, or -1. */
  valWriter: Int32Array;
  valReadOk: Uint8Array;
  valFirstOkReader: Int32Array;
  valFirstIndex: Int32Array;
  valLastIndex: Int32Array;

  /** Per key, its non-empty offsets' slots in offset order: position in the array = dense index. */
  keySlots: Int32Array[];
  slotOffset: Float64Array;
  slotIndex: Int32Array;
  /** First (offset, value) entry of each slot; more entries of inconsistent offsets in slotMore. */
  slotEntry: Int32Array;
  slotMore: Map<number, number[]>;
  entryVal: Int32Array;
  entrySlot: Int32Array;
  /** The first op (writer or reader) that put this value at this offset. */
  entryOp: Int32Array;
  /** First entry of each value (-1 if not in the log); more entries of duplicates in valMore. */
  valEntry: Int32Array;
  valMore: Map<number, number[]>;
}

export function derive(history: Iterable<Op>): Derived {
  const b = new Deriver(Array.isArray(history) ? history.length : undefined);
  for (const op of history) b.add(op);
  return b.finish();
}

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
    default:
      return -1;
  }
}

interface Pending {
  pos: number;
  op: Op;
}

/** Builds the derived structures one op at a time, so a history can be checked as it streams in. */
export class Deriver {
  private nLines = 0;
  private nClientLines = 0;
  private readonly pending = new Map<Process, Pending>();

  // Sized from the history's length when it is known, so the lists rarely grow (each growth of a
  // large typed array makes V8 collect garbage early).
  private opPos: IntList;
  private opInv: IntList;
  private opIndexOf: IntList;
  private opTime: FloatList;
  private opType: IntList;
  private opF: IntList;
  private opProc: IntList;
  private opSynth: IntList;
  private opRecStart: IntList;
  private opRecEnd: IntList;
  private opKeys = new Map<number, number[]>();
  private procIds = new Map<Process, number>();
  private procs: Process[] = [];

  private recOp: IntList;
  private recKey: IntList;
  private recVal: IntList;
  private recOff: FloatList;
  private recPoll: IntList;

  private keyIds = new Map<string, number>();
  private keys: Key[] = [];
  private keyFromPoll: boolean[] = [];
  private keyVals: IdMap[] = [];
  // Direct tables may grow to a few times the number of values seen so far, never more.
  private readonly valueLimit = () => 4 * this.valOrig.length + 65536;
  private valKey: IntList;
  private valOrig: Value[] = [];
  private valWriter: IntList;
  private valReadOk: IntList;
  private valFirstOkReader: IntList;

  /** `lines`: how many ops the history has, if known (a hint for sizing). */
  constructor(lines = 0) {
    const ops = Math.max(1024, Math.ceil(lines / 2) + 16);
    const recs = Math.max(4096, lines * 3);
    this.opPos = new IntList(ops);
    this.opInv = new IntList(ops);
    this.opIndexOf = new IntList(ops);
    this.opTime = new FloatList(ops);
    this.opType = new IntList(ops);
    this.opF = new IntList(ops);
    this.opProc = new IntList(ops);
    this.opSynth = new IntList(ops);
    this.opRecStart = new IntList(ops);
    this.opRecEnd = new IntList(ops);
    this.recOp = new IntList(recs);
    this.recKey = new IntList(recs);
    this.recVal = new IntList(recs);
    this.recOff = new FloatList(recs);
    this.recPoll = new IntList(recs);
    this.valKey = new IntList(ops);
    this.valWriter = new IntList(ops);
    this.valReadOk = new IntList(ops);
    this.valFirstOkReader = new IntList(ops);
  }

  /** Adds the next op of the history. */
  add(op: Op): void {
    const pos = this.nLines++;
    const f = fCode(op.f);
    if (f < 0) return;
    this.nClientLines++;
    const type = op.type;
    if (type === "invoke") {
      const prev = this.pending.get(op.process);
      if (prev !== undefined) this.addOp(prev.op, fCode(prev.op.f), prev.pos, prev.pos, undefined, INFO, true);
      this.pending.set(op.process, { pos, op });
      return;
    }
    const inv = this.pending.get(op.process);
    let invOp: Op | undefined;
    let invPos = -1;
    if (inv !== undefined && inv.op.f === op.f) {
      this.pending.delete(op.process);
      invOp = inv.op;
      invPos = inv.pos;
    }
    this.addOp(op, f, pos, invPos, invOp, type === "ok" ? OK : type === "info" ? INFO : FAIL, false);
  }

  private addOp(op: Op, f: number, pos: number, inv: number, invOp: Op | undefined, type: number, synth: boolean): void {
    const c = this.opPos.n;
    this.opPos.push(pos);
    this.opInv.push(inv);
    this.opIndexOf.push(op.index);
    this.opTime.push(op.time);
    this.opType.push(type);
    this.opF.push(f);
    this.opProc.push(this.internProc(op.process));
    this.opSynth.push(synth ? 1 : 0);
    this.opRecStart.push(this.recOp.n);
    const value = op.value ?? invOp?.value;
    if (f === F_ASSIGN || f === F_SUBSCRIBE) {
      const ks: number[] = [];
      if (Array.isArray(value)) for (const k of value as Key[]) ks.push(this.internKey(k, false));
      this.opKeys.set(c, ks);
    } else if (Array.isArray(value)) {
      this.addRecords(c, value, type);
    }
    this.opRecEnd.push(this.recOp.n);
  }

  private addRecords(c: number, mops: unknown[], type: number): void {
    for (let i = 0; i < mops.length; i++) {
      const m = mops[i] as unknown[];
      if (m[0] === "send") {
        const x = m[2];
        let off = Number.NaN;
        let v: Value;
        if (Array.isArray(x)) {
          if (x[0] !== null) off = x[0] as number;
          v = x[1] as Value;
        } else v = x as Value;
        const k = this.internKey(m[1] as Key, false);
        const vid = this.internVal(k, v);
        this.pushRec(c, k, vid, off, 0);
        if (this.valWriter.a[vid] === -1) this.valWriter.a[vid] = c;
      } else if (m.length === 2) {
        const res = m[1] as Record<string, Array<[number, Value]>>;
        for (const ks in res) {
          const k = this.internKey(ks, true);
          const recs = res[ks]!;
          for (let j = 0; j < recs.length; j++) {
            const rec = recs[j]!;
            const vid = this.internVal(k, rec[1]);
            this.pushRec(c, k, vid, rec[0], 1);
            if (type === OK) {
              this.valReadOk.a[vid] = 1;
              if (this.valFirstOkReader.a[vid] === -1) this.valFirstOkReader.a[vid] = c;
            }
          }
        }
      }
    }
  }

  private pushRec(c: number, k: number, v: number, off: number, poll: number): void {
    this.recOp.push(c);
    this.recKey.push(k);
    this.recVal.push(v);
    this.recOff.push(off);
    this.recPoll.push(poll);
  }

  private internProc(p: Process): number {
    let id = this.procIds.get(p);
    if (id === undefined) {
      id = this.procs.length;
      this.procIds.set(p, id);
      this.procs.push(p);
    }
    return id;
  }

  private lastKey: string | undefined;
  private lastKeyId = -1;

  private internKey(k: Key, fromPollMap: boolean): number {
    const s = typeof k === "string" ? k : String(k);
    let id: number | undefined = s === this.lastKey ? this.lastKeyId : this.keyIds.get(s);
    if (id === undefined) {
      id = this.keys.length;
      this.keyIds.set(s, id);
      this.keys.push(k);
      this.keyFromPoll.push(fromPollMap);
      this.keyVals.push(new IdMap(this.valueLimit));
    } else if (!fromPollMap && this.keyFromPoll[id]) {
      // Poll results are JSON objects whose keys are strings; a send or assign shows the real type.
      this.keys[id] = k;
      this.keyFromPoll[id] = false;
    }
    this.lastKey = s;
    this.lastKeyId = id;
    return id;
  }

  private internVal(k: number, v: Value): number {
    const m = this.keyVals[k]!;
    let id = m.get(v);
    if (id === -1) {
      id = this.valOrig.length;
      m.set(v, id);
      this.valOrig.push(v);
      this.valKey.push(k);
      this.valWriter.push(-1);
      this.valReadOk.push(0);
      this.valFirstOkReader.push(-1);
    }
    return id;
  }

  /** Ends the history: invocations still pending become info ops, and the logs are built. */
  finish(): Derived {
    const left = [...this.pending.values()].sort((x, y) => x.pos - y.pos);
    this.pending.clear();
    for (const p of left) this.addOp(p.op, fCode(p.op.f), p.pos, p.pos, undefined, INFO, true);
    const d = this.finishOps();
    buildLog(d);
    return d;
  }

  private finishOps(): Derived {
    const nOps = this.opPos.n;
    const nVals = this.valOrig.length;
    const d: Derived = {
      nLines: this.nLines,
      nClientLines: this.nClientLines,
      nOps,
      opPos: this.opPos.done(),
      opInv: this.opInv.done(),
      opIndexOf: this.opIndexOf.done(),
      opTime: this.opTime.done(),
      opType: new Uint8Array(this.opType.done()),
      opF: new Uint8Array(this.opF.done()),
      opProc: this.opProc.done(),
      opSynth: new Uint8Array(this.opSynth.done()),
      opRecStart: this.opRecStart.done(),
      opRecEnd: this.opRecEnd.done(),
      opKeys: this.opKeys,
      mustCommit: new Uint8Array(nOps),
      procs: this.procs,
      nRecs: this.recOp.n,
      recOp: this.recOp.done(),
      recKey: this.recKey.done(),
      recVal: this.recVal.done(),
      recOff: this.recOff.done(),
      recPoll: new Uint8Array(this.recPoll.done()),
      recIndex: new Int32Array(this.recOp.n).fill(-1),
      keys: this.keys,
      nVals,
      valKey: this.valKey.done(),
      valOrig: this.valOrig,
      valWriter: this.valWriter.done(),
      valReadOk: new Uint8Array(this.valReadOk.done()),
      valFirstOkReader: this.valFirstOkReader.done(),
      valFirstIndex: new Int32Array(nVals).fill(-1),
      valLastIndex: new Int32Array(nVals).fill(-1),
      keySlots: [],
      slotOffset: new Float64Array(0),
      slotIndex: new Int32Array(0),
      slotEntry: new Int32Array(0),
      slotMore: new Map(),
      entryVal: new Int32Array(0),
      entrySlot: new Int32Array(0),
      entryOp: new Int32Array(0),
      valEntry: new Int32Array(nVals).fill(-1),
      valMore: new Map(),
    };
    for (let c = 0; c < nOps; c++) {
      const t = d.opType[c]!;
      if (t === OK) d.mustCommit[c] = 1;
      else if (t === INFO) {
        for (let r = d.opRecStart[c]!; r < d.opRecEnd[c]!; r++) {
          if (d.recPoll[r] === 0 && d.valReadOk[d.recVal[r]!] === 1) {
            d.mustCommit[c] = 1;
            break;
          }
        }
      }
    }
    return d;
  }
}

/** The history index (op.index) of client op c. */
export function opIndex(d: Derived, c: number): number {
  return d.opIndexOf[c]!;
}
