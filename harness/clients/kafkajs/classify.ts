// Maps a kafkajs error to the op's completion type (the shared rule and error descriptions are in
// ../classify.ts). `fail` only when the operation certainly did not take effect; anything else is
// `info` (unknown): a wrong `fail` would hide a lost write.
//
// The errors kafkajs 2.2 raises from producer.send():
//   KafkaJSProtocolError (`type` = the broker's error code) with a type the broker returns before
//   appending (REFUSED_BEFORE_APPEND, and CORRUPT_MESSAGE), not retriable, so raised on the first
//   answer                                                                              -> fail
//   KafkaJSProtocolError with any other type (NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS,
//   REQUEST_TIMED_OUT, ...: `retriable`)                                                -> info
//   KafkaJSNumberOfRetriesExceeded (retries exhausted; `originalError` is the last one) -> info
//   KafkaJSRequestTimeoutError, KafkaJSConnectionError, KafkaJSConnectionClosedError,
//   KafkaJSNonRetriableError and anything else                                          -> info
import { type Outcome, REFUSED_BEFORE_APPEND } from "../classify.ts";

/** kafkajs does not retry CORRUPT_MESSAGE (@platformatic/kafka does). */
const DEFINITE_BEFORE_APPEND = new Set([...REFUSED_BEFORE_APPEND, "CORRUPT_MESSAGE"]);

interface KafkajsLikeError {
  name?: string;
  type?: string;
  retriable?: boolean;
}

export function classifySendError(err: unknown): Outcome {
  const e = (err ?? {}) as KafkajsLikeError;
  // Retries exhausted: an earlier attempt may have timed out after the broker appended.
  if (e.name === "KafkaJSNumberOfRetriesExceeded" || e.retriable) return "info";
  if (e.name === "KafkaJSProtocolError" && e.type && DEFINITE_BEFORE_APPEND.has(e.type)) return "fail";
  return "info";
}

/** OffsetCommit answers by which the coordinator refuses a member before it appends anything: the
 *  member is not (or no longer) in the generation it commits for, or may not commit at all. */
const COMMIT_REFUSED = new Set([
  "REBALANCE_IN_PROGRESS",
  "ILLEGAL_GENERATION",
  "UNKNOWN_MEMBER_ID",
  "FENCED_INSTANCE_ID",
  "GROUP_AUTHORIZATION_FAILED",
  "OFFSET_METADATA_TOO_LARGE",
]);

/**
 * A group member's offset commit that raised, made by one OffsetCommit request (no retry):
 *   KafkaJSProtocolError with a type in COMMIT_REFUSED                              -> fail
 *   anything else: a timeout, a dropped connection, NOT_COORDINATOR_FOR_GROUP or
 *   COORDINATOR_NOT_AVAILABLE (Kafka answers these also when its append to __consumer_offsets
 *   failed after reaching the leader's log), REQUEST_TIMED_OUT                       -> info
 */
export function classifyCommitError(err: unknown): Outcome {
  const e = (err ?? {}) as KafkajsLikeError;
  return e.name === "KafkaJSProtocolError" && e.type && COMMIT_REFUSED.has(e.type) ? "fail" : "info";
}
