// What a failed offset commit means for the history (group-recorder.ts: ok only when the broker
// acknowledged it). `fail` only for a refusal the group coordinator makes before it appends the
// offsets to __consumer_offsets; anything else is `info`: the commit may have been stored.
//
// Kafka's coordinator checks the member (generation or epoch, member id, rebalance state), the
// group and the request before it appends; those refusals are certain. Two coordinator errors are
// NOT certain: the coordinator turns an append that failed after writing locally into them
// (NOT_ENOUGH_REPLICAS_AFTER_APPEND becomes COORDINATOR_NOT_AVAILABLE, NOT_LEADER_OR_FOLLOWER
// becomes NOT_COORDINATOR), so the offsets may survive; REQUEST_TIMED_OUT likewise. Pure.

/** Kafka error names a coordinator answers an OffsetCommit with before appending anything. */
export const COMMIT_REFUSED = new Set([
  "UNKNOWN_TOPIC_OR_PARTITION",
  "OFFSET_METADATA_TOO_LARGE",
  "COORDINATOR_LOAD_IN_PROGRESS",
  "ILLEGAL_GENERATION",
  "INVALID_GROUP_ID",
  "UNKNOWN_MEMBER_ID",
  "REBALANCE_IN_PROGRESS",
  "INVALID_COMMIT_OFFSET_SIZE",
  "TOPIC_AUTHORIZATION_FAILED",
  "GROUP_AUTHORIZATION_FAILED",
  "UNSUPPORTED_VERSION",
  "GROUP_ID_NOT_FOUND",
  "FENCED_INSTANCE_ID",
  "UNKNOWN_TOPIC_ID",
  "FENCED_MEMBER_EPOCH",
  "STALE_MEMBER_EPOCH",
]);

/** Kafka's error codes of those names (librdkafka reports broker errors by code). */
export const KAFKA_ERROR_NAMES: Readonly<Record<number, string>> = {
  3: "UNKNOWN_TOPIC_OR_PARTITION",
  7: "REQUEST_TIMED_OUT",
  12: "OFFSET_METADATA_TOO_LARGE",
  14: "COORDINATOR_LOAD_IN_PROGRESS",
  15: "COORDINATOR_NOT_AVAILABLE",
  16: "NOT_COORDINATOR",
  22: "ILLEGAL_GENERATION",
  24: "INVALID_GROUP_ID",
  25: "UNKNOWN_MEMBER_ID",
  27: "REBALANCE_IN_PROGRESS",
  28: "INVALID_COMMIT_OFFSET_SIZE",
  29: "TOPIC_AUTHORIZATION_FAILED",
  30: "GROUP_AUTHORIZATION_FAILED",
  35: "UNSUPPORTED_VERSION",
  69: "GROUP_ID_NOT_FOUND",
  82: "FENCED_INSTANCE_ID",
  100: "UNKNOWN_TOPIC_ID",
  110: "FENCED_MEMBER_EPOCH",
  113: "STALE_MEMBER_EPOCH",
};

/** A commit answered with these errors (every attempt's, when the library retried): fail only if
 *  each is a refusal before the append; no error names at all (a lost connection): info. */
export function commitOutcomeOfErrors(names: readonly string[]): "fail" | "info" {
  return names.length > 0 && names.every((n) => COMMIT_REFUSED.has(n)) ? "fail" : "info";
}
