// Maps a librdkafka error (through @confluentinc/kafka-javascript 1.10.1, librdkafka 2.15.1) to the
// op's completion type, by the rule every client follows (classify.ts): `fail` only when the record
// certainly was not appended; anything else `info`.
//
// A record reaches the harness's producer in one of two ways:
//   produce() throws (LibrdKafkaError, `code`): librdkafka refused to enqueue the record, so it
//   was never sent:
//     ERR__QUEUE_FULL (-184), ERR__UNKNOWN_PARTITION (-190), ERR__UNKNOWN_TOPIC (-188),
//     ERR_MSG_SIZE_TOO_LARGE (10), ERR__INVALID_ARG (-186), ERR__FATAL (-150: the producer is in
//     a fatal state and takes nothing more), ERR__STATE (-172), any other throw     -> fail
//     (ConfluentEnqueueError wraps them, so the rule sees where the error came from)
//   the delivery report carries an error code (`code`) after librdkafka gave up on the record:
//     ERR__PURGE_QUEUE (-152): purged before it was ever sent                          -> fail
//     ERR__MSG_TIMED_OUT (-192): message.timeout.ms expired; it may have been sent
//     (a request in flight, or an earlier attempt whose answer was lost)              -> info
//     ERR__PURGE_INFLIGHT (-151), ERR__TRANSPORT (-195), ERR_REQUEST_TIMED_OUT (7),
//     ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND (20), ERR_NOT_LEADER_FOR_PARTITION (6),
//     ERR_NOT_ENOUGH_REPLICAS (19), ERR_OUT_OF_ORDER_SEQUENCE_NUMBER (45),
//     ERR__INCONSISTENT (-149), ERR__GAPLESS_GUARANTEE (-148), ERR__FATAL (-150), ...  -> info
//     A broker error it does not retry and that the broker returns before appending
//     (ERR_MSG_SIZE_TOO_LARGE 10, ERR_INVALID_MSG 2, ERR_RECORD_LIST_TOO_LARGE 18,
//     ERR_INVALID_REQUIRED_ACKS 21, ERR_TOPIC_AUTHORIZATION_FAILED 29,
//     ERR_CLUSTER_AUTHORIZATION_FAILED 31, ERR_TOPIC_EXCEPTION 17, ERR_UNSUPPORTED_VERSION 35,
//     ERR_INVALID_RECORD 87)                                     -> fail only with retries 0,
//     else info: librdkafka retries a record after a timeout or a lost connection, and the
//     report names only the last attempt's error; an earlier attempt may have been appended.
//     (librdkafka knows a record's persistence status, rd_kafka_message_status(), but the
//     package's delivery report does not carry it.)
//   the harness's op timeout fired first (HarnessOpTimeout)                             -> info
// Anything else (a plain Error, no code) -> info.
import type { Outcome } from "../classify.ts";
import type { RdKafkaError } from "./package.ts";

/** librdkafka's codes by name (the package's CODES.ERRORS, librdkafka 2.15.1), those the rule uses. */
export const RD = {
  ERR__PURGE_QUEUE: -152,
  ERR__PURGE_INFLIGHT: -151,
  ERR__MSG_TIMED_OUT: -192,
  ERR_INVALID_MSG: 2,
  ERR_MSG_SIZE_TOO_LARGE: 10,
  ERR_TOPIC_EXCEPTION: 17,
  ERR_RECORD_LIST_TOO_LARGE: 18,
  ERR_INVALID_REQUIRED_ACKS: 21,
  ERR_TOPIC_AUTHORIZATION_FAILED: 29,
  ERR_CLUSTER_AUTHORIZATION_FAILED: 31,
  ERR_UNSUPPORTED_VERSION: 35,
  ERR_INVALID_RECORD: 87,
} as const;

/** Broker errors returned before appending and never retried by librdkafka. */
const DEFINITE_BEFORE_APPEND: ReadonlySet<number> = new Set([
  RD.ERR_INVALID_MSG,
  RD.ERR_MSG_SIZE_TOO_LARGE,
  RD.ERR_TOPIC_EXCEPTION,
  RD.ERR_RECORD_LIST_TOO_LARGE,
  RD.ERR_INVALID_REQUIRED_ACKS,
  RD.ERR_TOPIC_AUTHORIZATION_FAILED,
  RD.ERR_CLUSTER_AUTHORIZATION_FAILED,
  RD.ERR_UNSUPPORTED_VERSION,
  RD.ERR_INVALID_RECORD,
]);

/** produce() threw: the record was not enqueued, so it was never sent. */
export class ConfluentEnqueueError extends Error {
  override readonly name = "ConfluentEnqueueError";
  readonly code: number | undefined;
  constructor(readonly original: unknown) {
    super(`produce() refused the record: ${(original as Error)?.message ?? String(original)}`);
    this.code = (original as { code?: number })?.code;
  }
}

/** A delivery report's error: the record's outcome after librdkafka gave up on it. */
export class ConfluentDeliveryError extends Error {
  override readonly name = "ConfluentDeliveryError";
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(`delivery report error ${code}: ${message}`);
  }
}

/** The rule for one record's error. `retries` is the producer's message.send.max.retries. */
export function classifyConfluentSendError(err: unknown, retries: number): Outcome {
  if (err instanceof ConfluentEnqueueError) return "fail";
  if (err instanceof ConfluentDeliveryError) {
    if (err.code === RD.ERR__PURGE_QUEUE) return "fail";
    if (retries === 0 && DEFINITE_BEFORE_APPEND.has(err.code)) return "fail";
    return "info";
  }
  return "info";
}

// Transactions (confluent/txn.ts): the transactional calls answer with an error object carrying
// librdkafka's flags (rd_kafka_error_is_fatal, _is_retriable, _txn_requires_abort). The outcome of
// a transaction is decided by txn-process.ts from which call failed, as for every client; what a
// library says is only whether its producer is fenced (no abort is tried, the transaction is
// unknown and the producer replaced):
//   ERR__FENCED (-144), ERR_PRODUCER_FENCED (90), ERR_INVALID_PRODUCER_EPOCH (47),
//   ERR_INVALID_PRODUCER_ID_MAPPING (49), ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED (53),
//   ERR__FATAL (-150), and any error flagged fatal: the producer takes no more transactional
//   calls (rdkafka.h: "no way for a producer instance to recover from fatal errors"), so an abort
//   could not be acknowledged anyway.
const TXN_FENCED: ReadonlySet<number> = new Set([-144, 90, 47, 49, 53, -150]);

/** A transactional call's error, with the call's name and librdkafka's flags in its message. */
export class ConfluentTxnError extends Error {
  override readonly name = "ConfluentTxnError";
  readonly code: number | undefined;
  readonly isFatal: boolean;
  readonly isRetriable: boolean;
  readonly isTxnRequiresAbort: boolean;
  constructor(call: string, original: unknown) {
    const o = (original ?? {}) as Partial<RdKafkaError>;
    const flags = [o.isFatal && "fatal", o.isRetriable && "retriable", o.isTxnRequiresAbort && "requires abort"].filter(Boolean);
    super(`${call}: ${o.code ?? "?"} ${o.message ?? String(original)}${flags.length ? ` (${flags.join(", ")})` : ""}`);
    this.code = typeof o.code === "number" ? o.code : undefined;
    this.isFatal = o.isFatal === true;
    this.isRetriable = o.isRetriable === true;
    this.isTxnRequiresAbort = o.isTxnRequiresAbort === true;
  }
}

/** librdkafka's "this producer can do no more": fenced by a newer one, or in a fatal state. Pure. */
export function isConfluentFenced(err: unknown): boolean {
  const e = (err ?? {}) as { code?: unknown; isFatal?: unknown };
  return e.isFatal === true || (typeof e.code === "number" && TXN_FENCED.has(e.code));
}
