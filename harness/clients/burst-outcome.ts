// How a burst's per-record outcomes become its completion op (docs/design.md, Clients and History). Pure, so
// the rule is tested without a cluster.
//
// A burst is one op whose records are separate send() calls, so each record has its own outcome: the
// broker acknowledged it (with its offset) or the call failed. The op keeps the burst whole, in send
// order (the ordering checks read it), and each record says what is known about it:
//
//   every record acknowledged                 -> ok,   every record ["send", key, [offset, value]]
//   none acknowledged, every error definite   -> fail, every record ["send", key, value]
//   anything else (some acknowledged, or an   -> info, acknowledged records ["send", key, [offset, value]],
//   error that leaves the record unknown)              the others ["send", key, value]
//
// In a `send` op, an [offset, value] record is one the broker acknowledged at that offset, whatever
// the op's type: the checkers hold it to that (checkers/acked.ts), so a partly acknowledged burst
// whose acknowledged records all vanish is a loss, not an unknown. A plain value in an info op is
// the unknown part: it may or may not have been appended. Under acks=0 the broker returns no offset,
// so no record is ever recorded as acknowledged.
import { describeError, type Outcome } from "./classify.ts";

export type RecordOutcome = { acked: true; offset: number | null } | { acked: false; error: unknown };

/** A send resolved without the record's offset although acks asked for one: nothing says it was written. */
export class NoRecordMetadata extends Error {
  override readonly name = "NoRecordMetadata";
  constructor(topic: string, partition: number) {
    super(`send() resolved with no record metadata for ${topic}-${partition}: nothing says the record was written`);
  }
}

/**
 * The outcome of a send() that resolved, from the offset its answer gave for the record (both
 * clients). Under acks=0 the broker answers nothing: acknowledged, offset unknown. Under acks 1/all
 * an answer carries the offset, so one without it is no acknowledgement (unknown, never ok): kafkajs
 * resolves send() with [] when its cached metadata lacks the partition, having sent nothing.
 */
export function resolvedSend(
  acks: 0 | 1 | -1,
  offset: string | number | bigint | undefined,
  topic: string,
  partition: number,
): RecordOutcome {
  if (acks === 0) return { acked: true, offset: null };
  return offset === undefined ? { acked: false, error: new NoRecordMetadata(topic, partition) } : { acked: true, offset: Number(offset) };
}

/** `["send", key, value]` (offset unknown) or `["send", key, [offset, value]]` (acknowledged). */
export type SentRecord = ["send", string, number | [number, number]];

export interface BurstCompletion {
  type: "ok" | "info" | "fail";
  value: SentRecord[];
  /** The first error of the burst, described (absent when every record was acknowledged). */
  error?: string;
}

/** The completion of a burst of `values` to `key`, from each record's outcome (same order), under
 *  the client library's error rule. */
export function completeBurst(
  key: string,
  values: readonly number[],
  outcomes: readonly RecordOutcome[],
  classify: (err: unknown) => Outcome,
): BurstCompletion {
  if (outcomes.length !== values.length) throw new Error(`a burst of ${values.length} records has ${outcomes.length} outcomes`);
  const errors = outcomes.flatMap((r) => (r.acked ? [] : [r.error]));
  const type =
    errors.length === 0 ? "ok" : errors.length === outcomes.length && errors.every((e) => classify(e) === "fail") ? "fail" : "info";
  const value = values.map((v, i): SentRecord => {
    const r = outcomes[i]!;
    // A definite failure carries no offset either: only an acknowledgement does.
    return r.acked && r.offset !== null ? ["send", key, [r.offset, v]] : ["send", key, v];
  });
  return errors.length ? { type, value, error: describeError(errors[0]) } : { type, value };
}
