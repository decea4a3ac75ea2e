// What a history exercised (pure): the writes the broker acknowledged (the ones a loss could be
// shown for), those acknowledged once a fault had taken effect (the ones the faults could have
// lost), and the values the workload read (a committed value a later read misses). Final reads
// are not the workload: they always read everything that is left, so they exercise nothing.
import { acknowledged, infoAcks } from "./acked.ts";
import { type Derived, F_SEND, OK, recordOffset } from "./derive.ts";
import type { CheckConfig } from "./guarantees.ts";

export interface Exercised {
  /** Distinct values the broker acknowledged (checkers/acked.ts), a send's only with its offset:
   *  none under acks=0, where an ok send means only that the client sent it. */
  acknowledged: number;
  /** Of those, acknowledged at or after the start of the first effective fault (0 without one). */
  acknowledgedAfterFault: number;
  /** Distinct values returned by ok reads of the workload (final reads excluded). */
  read: number;
}

/**
 * `firstEffectiveAt`: ns, the start of the first effective fault (undefined: none);
 * `finalReadsFrom`: history index of the final reads' marker (undefined: every read is the workload's).
 */
export function exercisedOf(d: Derived, firstEffectiveAt: number | undefined, finalReadsFrom: number | undefined): Exercised {
  const acks = infoAcks(d);
  const counted = new Uint8Array(d.nVals);
  // The arrays in locals: read once, not at every record (a million records, a few loops of them).
  const { opF, opRecStart, opRecEnd, recVal, recPoll, valWriter, opTime, opType, opIndexOf } = d;
  let acked = 0;
  let ackedAfterFault = 0;
  for (let o = 0; o < d.nOps; o++) {
    const send = opF[o] === F_SEND;
    const end = opRecEnd[o]!;
    for (let r = opRecStart[o]!; r < end; r++) {
      const v = recVal[r]!;
      if (recPoll[r] === 1 || valWriter[v] !== o || counted[v] === 1 || !acknowledged(d, acks, v)) continue;
      // A send is acknowledged at an offset (its record's, or a late-ack's): an ok send without one
      // (acks=0) only left the client.
      if (send && Number.isNaN(recordOffset(d, r)) && !acks.offsets.has(v)) continue;
      counted[v] = 1;
      acked++;
      if (firstEffectiveAt !== undefined && opTime[o]! >= firstEffectiveAt) ackedAfterFault++;
    }
  }
  const seen = new Uint8Array(d.nVals);
  let read = 0;
  for (let o = 0; o < d.nOps; o++) {
    if (opType[o] !== OK || (finalReadsFrom !== undefined && opIndexOf[o]! > finalReadsFrom)) continue;
    const end = opRecEnd[o]!;
    for (let r = opRecStart[o]!; r < end; r++) {
      const v = recVal[r]!;
      if (recPoll[r] === 1 && seen[v] === 0) {
        seen[v] = 1;
        read++;
      }
    }
  }
  return { acknowledged: acked, acknowledgedAfterFault: ackedAfterFault, read };
}

/** Why a verdict would be vacuous: a producer that was promised something, and nothing was acknowledged. */
export function nothingAcknowledged(config: CheckConfig, e: Exercised): string | undefined {
  if (config.acks === 0 || e.acknowledged > 0) return undefined;
  return "nothing was acknowledged (no ok send with an offset, no acknowledged record of an unknown burst, no committed transaction with a send): no loss could be shown, so the run shows nothing";
}
