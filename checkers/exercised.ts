// What a history exercised (pure): the writes the broker acknowledged (the ones a loss could be
// shown for), those acknowledged once a fault had taken effect (the ones the faults could have
// lost), and the values the workload read (a committed value a later read misses). Final reads
// are not the workload: they always read everything that is left, so they exercise nothing.
import { acknowledgedValues, infoAcks } from "./acked.ts";
import { type Derived, F_SEND, OK, recordOffset } from "./derive.ts";
import type { GroupExercised } from "./group-trace.ts";
import type { CheckConfig } from "./guarantees.ts";

export interface Exercised {
  /** Distinct values the broker acknowledged (checkers/acked.ts), a send's only with its offset:
   *  none under acks=0, where an ok send means only that the client sent it. */
  acknowledged: number;
  /** Of those, acknowledged at or after the start of the first effective fault (0 without one). */
  acknowledgedAfterFault: number;
  /** Distinct values returned by ok reads of the workload (final reads excluded). */
  read: number;
  /** Consumer groups: partitions handed over, commits, member crashes (absent without groups). */
  group?: GroupExercised;
}

/**
 * `firstEffectiveAt`: ns, the start of the first effective fault (undefined: none);
 * `finalReadsFrom`: history index of the final reads' marker (undefined: every read is the workload's).
 */
export function exercisedOf(d: Derived, firstEffectiveAt: number | undefined, finalReadsFrom: number | undefined): Exercised {
  const acks = infoAcks(d);
  const acknowledged = acknowledgedValues(d);
  // Per value: COUNTED once its acknowledgement is counted, SEEN once a workload read returned it.
  const state = new Uint8Array(d.nVals);
  // The arrays in locals: read once, not at every record (a million records).
  const { opF, opRecStart, opRecEnd, recVal, recPoll, valWriter, opTime, opType, opIndexOf } = d;
  let acked = 0;
  let ackedAfterFault = 0;
  let read = 0;
  // One pass over the records: a write's acknowledgement at its writer, a read at an ok reader.
  for (let o = 0; o < d.nOps; o++) {
    const send = opF[o] === F_SEND;
    const reads = opType[o] === OK && (finalReadsFrom === undefined || opIndexOf[o]! <= finalReadsFrom);
    const end = opRecEnd[o]!;
    for (let r = opRecStart[o]!; r < end; r++) {
      const v = recVal[r]!;
      const was = state[v]!;
      if (recPoll[r] === 1) {
        if (reads && (was & SEEN) === 0) {
          state[v] = was | SEEN;
          read++;
        }
        continue;
      }
      if (valWriter[v] !== o || (was & COUNTED) !== 0 || acknowledged[v] === 0) continue;
      // A send is acknowledged at an offset (its record's, or a late-ack's): an ok send without one
      // (acks=0) only left the client.
      if (send && Number.isNaN(recordOffset(d, r)) && !acks.offsets.has(v)) continue;
      state[v] = was | COUNTED;
      acked++;
      if (firstEffectiveAt !== undefined && opTime[o]! >= firstEffectiveAt) ackedAfterFault++;
    }
  }
  return { acknowledged: acked, acknowledgedAfterFault: ackedAfterFault, read };
}

const COUNTED = 1;
const SEEN = 2;

/** Why a verdict would be vacuous: a producer that was promised something, and nothing was
 *  acknowledged; or a group workload none of whose commits was acknowledged. */
export function nothingAcknowledged(config: CheckConfig, e: Exercised): string | undefined {
  if (config.acks !== 0 && e.acknowledged === 0) {
    return "nothing was acknowledged (no ok send with an offset, no acknowledged record of an unknown burst, no committed transaction with a send): no loss could be shown, so the run shows nothing";
  }
  if (config.commit !== undefined && (e.group?.commits.ok ?? 0) === 0) {
    return "no offset commit of the consumer group was acknowledged: nothing the group skipped could be shown, so the run shows nothing about the group";
  }
  return undefined;
}
