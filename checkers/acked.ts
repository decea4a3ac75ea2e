// Which sent values the broker acknowledged. A record the broker acknowledged is recorded as
// acknowledged, with its offset, whatever happened to the rest of its burst (docs/design.md, History).
//
// Every value of an ok op was acknowledged. An info `send` op is a burst that was only partly
// answered: its `["send", key, [offset, value]]` records are the ones the broker acknowledged at
// that offset, its plain `["send", key, value]` records the unknown part. Derived's must-commit rule
// is per op (an info op counts as committed only when one of its values was read), which would hide
// a partly acknowledged burst whose acknowledged records all vanished; this is per record.
//
// A record the harness gave up on, answered later, is a late-ack op: counted the same way.
//
// Only `send` ops: in an info `txn` an offset says the record was appended inside a transaction
// whose commit is unknown, which acknowledges nothing. Jepsen's clients complete an info op with
// the invocation's plain values, so histories from elsewhere read as before.
import { type Derived, F_SEND, INFO, OK, recordOffset } from "./derive.ts";

export interface InfoAcks {
  /** Value number -> the offset the broker acknowledged it at, for values written by info send ops. */
  offsets: Map<number, number>;
  /** The info send ops with at least one acknowledged record. */
  ops: Set<number>;
}

const made = new WeakMap<Derived, InfoAcks>();

/** The acknowledged records of info send ops (usually few: bursts cut short by a fault). Made once
 *  per Derived: the loss checks and the unseen series all ask. */
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
    if (w < 0 || d.opType[w] !== INFO || d.opF[w] !== F_SEND || acks.offsets.has(v)) continue;
    acks.offsets.set(v, offset);
    acks.ops.add(w);
  }
  return acks;
}

function findInfoAcks(d: Derived): InfoAcks {
  const offsets = new Map<number, number>();
  const ops = new Set<number>();
  for (let o = 0; o < d.nOps; o++) {
    if (d.opType[o] !== INFO || d.opF[o] !== F_SEND || d.opSynth[o] === 1) continue;
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

/** Whether the broker acknowledged value v: its writer is ok, or acknowledged it within an info burst. */
export function acknowledged(d: Derived, acks: InfoAcks, v: number): boolean {
  const w = d.valWriter[v]!;
  return w >= 0 && (d.opType[w] === OK || acks.offsets.has(v));
}
