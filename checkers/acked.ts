// Which sent values count as acknowledged writes: the values the broker acknowledged, and those a
// read proved committed. A record the broker acknowledged is recorded as acknowledged, with its
// offset, whatever happened to the rest of its burst (docs/design.md, History).
//
// Every value of an ok op was acknowledged. An info `send` op is a burst that was only partly
// answered: its `["send", key, [offset, value]]` records are the ones the broker acknowledged at
// that offset, its plain `["send", key, value]` records the unknown part. Derived's must-commit rule
// is per op (an info op counts as committed only when one of its values was read), which would hide
// a partly acknowledged burst whose acknowledged records all vanished; this is per record.
//
// A record the harness gave up on, answered later, is a late-ack op: counted the same way.
//
// Inside a transaction (a `txn` op, or any op of a transactional history, derive.ts inTransaction)
// an offset says the record was appended, maybe to be aborted: it acknowledges nothing. There a
// read proves the commit (a read_committed one, or the final reads: derive.ts mustCommit), and then
// every write of the transaction counts (Jepsen's atomic rule). Outside transactions a read proves
// only the record it returned. Jepsen's clients complete an info op with the invocation's plain
// values, so histories from elsewhere read as before.
import { type Derived, F_SEND, INFO, inTransaction, OK, recordOffset } from "./derive.ts";

export interface InfoAcks {
  /** Value number -> the offset the broker acknowledged it at, for values written by info send ops. */
  offsets: Map<number, number>;
  /** The info send ops with at least one acknowledged record. */
  ops: Set<number>;
}

const made = new WeakMap<Derived, InfoAcks>();

/** The acknowledged records of info send ops outside transactions (usually few: bursts cut short
 *  by a fault). Made once per Derived: the loss checks and the unseen series all ask. */
export function infoAcks(d: Derived): InfoAcks {
  let acks = made.get(d);
  if (acks === undefined) made.set(d, (acks = addLateAcks(d, findInfoAcks(d))));
  return acks;
}

/** The late-ack ops (history.ts LATE_ACK): a record of an info send op that the broker acknowledged
 *  after the op completed is acknowledged all the same, as if the op had waited for it. */
function addLateAcks(d: Derived, acks: InfoAcks): InfoAcks {
  for (const [v, offset] of d.lateAcks) {
    const w = d.valWriter[v]!;
    if (w < 0 || d.opType[w] !== INFO || d.opF[w] !== F_SEND || inTransaction(d, w) || acks.offsets.has(v)) continue;
    acks.offsets.set(v, offset);
    acks.ops.add(w);
  }
  return acks;
}

function findInfoAcks(d: Derived): InfoAcks {
  const offsets = new Map<number, number>();
  const ops = new Set<number>();
  for (let o = 0; o < d.nOps; o++) {
    if (d.opType[o] !== INFO || d.opF[o] !== F_SEND || d.opSynth[o] === 1 || inTransaction(d, o)) continue;
    for (let r = d.opRecStart[o]!; r < d.opRecEnd[o]!; r++) {
      const v = d.recVal[r]!;
      const offset = recordOffset(d, r);
      if (d.recPoll[r] === 1 || Number.isNaN(offset) || d.valWriter[v] !== o) continue;
      offsets.set(v, offset);
      ops.add(o);
    }
  }
  return { offsets, ops };
}

/**
 * Whether value v counts as an acknowledged write: its writer is ok; or info, and the broker
 * acknowledged v within its burst, or a read proved v committed (inside a transaction: any of the
 * transaction's values, read by a read_committed read or the final reads).
 */
export function acknowledged(d: Derived, acks: InfoAcks, v: number): boolean {
  const w = d.valWriter[v]!;
  if (w < 0) return false;
  if (d.opType[w] === OK) return true;
  if (d.opType[w] !== INFO) return false;
  if (inTransaction(d, w)) return d.mustCommit[w] === 1;
  return acks.offsets.has(v) || d.valReadOk[v] === 1;
}

const ackedMade = new WeakMap<Derived, Uint8Array>();

/**
 * 1 for each value that counts as an acknowledged write (acknowledged() of every value), decided
 * once per Derived: the unseen finding, the unseen series and exercisedOf each ask it of every
 * value, and a byte read is cheaper than the rule (a Map lookup for an info writer's values).
 */
export function acknowledgedValues(d: Derived): Uint8Array {
  let acked = ackedMade.get(d);
  if (acked === undefined) {
    const acks = infoAcks(d);
    const { valWriter, opType } = d;
    acked = new Uint8Array(d.nVals);
    for (let v = 0; v < d.nVals; v++) {
      const w = valWriter[v]!;
      // An ok writer's values, the usual case, without the call.
      if (w >= 0 && (opType[w] === OK || acknowledged(d, acks, v))) acked[v] = 1;
    }
    ackedMade.set(d, acked);
  }
  return acked;
}
