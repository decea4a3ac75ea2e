// Maps a kafkajs error to the op's completion type. `fail` only when the operation certainly did
// not take effect; anything else is `info` (unknown): a wrong `fail` would hide a lost write.

export type Outcome = "fail" | "info";

/** Protocol errors a broker returns before appending anything, when kafkajs did not retry. */
const DEFINITE_BEFORE_APPEND = new Set([
  "MESSAGE_TOO_LARGE",
  "RECORD_LIST_TOO_LARGE",
  "INVALID_RECORD",
  "CORRUPT_MESSAGE",
  "INVALID_REQUIRED_ACKS",
  "TOPIC_AUTHORIZATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
  "INVALID_TOPIC_EXCEPTION",
  "UNSUPPORTED_VERSION",
]);

interface KafkaLikeError {
  name?: string;
  type?: string;
  retriable?: boolean;
  originalError?: unknown;
}

export function classifySendError(err: unknown): Outcome {
  const e = (err ?? {}) as KafkaLikeError;
  // Retries exhausted: an earlier attempt may have timed out after the broker appended.
  if (e.name === "KafkaJSNumberOfRetriesExceeded" || e.retriable) return "info";
  if (e.name === "KafkaJSProtocolError" && e.type && DEFINITE_BEFORE_APPEND.has(e.type)) return "fail";
  return "info";
}

/** A short, stable description for the history (`error` field). */
export function describeError(err: unknown): string {
  const e = (err ?? {}) as KafkaLikeError & { message?: string };
  const cause = e.originalError as (KafkaLikeError & { message?: string }) | undefined;
  const base = e.type ?? e.name ?? "Error";
  const msg = (e.message ?? String(err)).slice(0, 200);
  return cause ? `${base}: ${msg} (cause: ${cause.type ?? cause.name}: ${(cause.message ?? "").slice(0, 120)})` : `${base}: ${msg}`;
}
