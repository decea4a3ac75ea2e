// Transactions as the report's transaction view shows them, read from the checker's derived
// structures (so the page shows what was judged): each chosen txn op with its outcome, where each
// of its sends landed (key, offset) and which ops read it, and what its polls returned. Only the
// chosen transactions are looked at closely, so a history of a million ops costs one pass.
import { type Derived, F_TXN, FAIL, INFO, OK, valueFirstIndex } from "./derive.ts";
import type { Key, Value } from "./history.ts";

export interface TxnSendLanding {
  key: Key;
  value: Value;
  /** The offset the transaction's completion gave, or else where reads found it; null if neither. */
  offset: number | null;
  /** Whether the offset comes from reads, not from the completion. */
  offsetFromReads: boolean;
  /** History indexes of the first ops that read it (at most `readersKept`), and how many did. */
  readers: number[];
  readCount: number;
}

export interface TxnPollRange {
  key: Key;
  /** Lowest and highest offset returned, and how many records. */
  from: number;
  to: number;
  count: number;
}

export interface TxnRow {
  /** History index of the completion (of the invocation, for one that never completed). */
  index: number;
  type: "ok" | "info" | "fail";
  /** An invocation that never completed (its process crashed or the history ended). */
  unfinished: boolean;
  sends: TxnSendLanding[];
  polls: TxnPollRange[];
}

export interface TxnCounts {
  ok: number;
  info: number;
  fail: number;
}

const TYPE = ["ok", "info", "fail"] as const;

/** How many txn ops the history has, by outcome. */
export function txnCounts(d: Derived): TxnCounts {
  const c = { ok: 0, info: 0, fail: 0 };
  for (let o = 0; o < d.nOps; o++) {
    if (d.opF[o] !== F_TXN) continue;
    const t = d.opType[o];
    if (t === OK) c.ok++;
    else if (t === INFO) c.info++;
    else if (t === FAIL) c.fail++;
  }
  return c;
}

/**
 * The rows of the txn ops whose history index `wanted` accepts, plus the first `first` txn ops, in
 * history order.
 */
export function txnRows(d: Derived, wanted: (index: number) => boolean, first: number, readersKept = 4): TxnRow[] {
  const chosen = new Uint8Array(d.nOps);
  const ops: number[] = [];
  let taken = 0;
  for (let o = 0; o < d.nOps; o++) {
    if (d.opF[o] !== F_TXN) continue;
    if (taken < first || wanted(d.opIndexOf[o]!)) {
      chosen[o] = 1;
      ops.push(o);
      taken++;
    }
  }
  // Readers of the chosen transactions' values, in one pass over the records.
  const readers = new Map<number, { ops: number[]; count: number }>();
  for (let r = 0; r < d.nRecs; r++) {
    if (d.recPoll[r] === 0) continue;
    const v = d.recVal[r]!;
    const w = d.valWriter[v]!;
    if (w < 0 || chosen[w] === 0 || d.recOp[r] === w) continue;
    let e = readers.get(v);
    if (!e) readers.set(v, (e = { ops: [], count: 0 }));
    const reader = d.opIndexOf[d.recOp[r]!]!;
    if (e.ops.at(-1) === reader) continue;
    e.count++;
    if (e.ops.length < readersKept) e.ops.push(reader);
  }
  return ops.map((o) => row(d, o, readers));
}

function row(d: Derived, o: number, readers: Map<number, { ops: number[]; count: number }>): TxnRow {
  const sends: TxnSendLanding[] = [];
  const polls = new Map<number, TxnPollRange>();
  for (let r = d.opRecStart[o]!; r < d.opRecEnd[o]!; r++) {
    const v = d.recVal[r]!;
    const k = d.recKey[r]!;
    const off = d.recOff[r]!;
    if (d.recPoll[r] === 1) {
      const p = polls.get(k);
      if (!p) polls.set(k, { key: d.keys[k]!, from: off, to: off, count: 1 });
      else {
        p.from = Math.min(p.from, off);
        p.to = Math.max(p.to, off);
        p.count++;
      }
      continue;
    }
    const i = valueFirstIndex(d, v);
    const readAt = i >= 0 ? d.slotOffset[d.keySlots[k]![i]!]! : null;
    const rd = d.valWriter[v] === o ? readers.get(v) : undefined;
    sends.push({
      key: d.keys[k]!,
      value: d.valOrig[v]!,
      offset: Number.isNaN(off) ? readAt : off,
      offsetFromReads: Number.isNaN(off) && readAt !== null,
      readers: rd?.ops ?? [],
      readCount: rd?.count ?? 0,
    });
  }
  return { index: d.opIndexOf[o]!, type: TYPE[d.opType[o]!]!, unfinished: d.opSynth[o] === 1, sends, polls: [...polls.values()] };
}
