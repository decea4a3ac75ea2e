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
