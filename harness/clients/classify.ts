// Maps a kafkajs error to the op's completion type (@platformatic/kafka's rules are in
// platformatic/classify.ts). `fail` only when the operation certainly did
// not take effect; anything else is `info` (unknown): a wrong `fail` would hide a lost write.
//
// The errors kafkajs 2.2 raises from producer.send():
//   KafkaJSProtocolError (`type` = the broker's error code) with a type in the set below, not
//   retriable, so raised on the first answer                                            -> fail
//   KafkaJSProtocolError with any other type (NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS,
//   REQUEST_TIMED_OUT, ...: `retriable`)                                                -> info
//   KafkaJSNumberOfRetriesExceeded (retries exhausted; `originalError` is the last one) -> info
//   KafkaJSRequestTimeoutError, KafkaJSConnectionError, KafkaJSConnectionClosedError,
//   KafkaJSNonRetriableError and anything else                                          -> info

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

/** A short, stable description for the history (`error` field), for either library's errors:
 *  kafkajs's (`type` / `name`, `originalError`) and @platformatic/kafka's (`code`, `apiId`, the
 *  attempts of a MultipleErrors in `errors`, `cause`). */
export function describeError(err: unknown): string {
  const e = (err ?? {}) as DescribedError;
  const msg = (e.message ?? String(err)).slice(0, 200);
  const inner = Array.isArray(e.errors) && e.errors.length ? e.errors : undefined;
  const cause = (e.originalError ?? e.cause) as DescribedError | undefined;
  if (inner) return `${nameOf(e)}: ${msg} [${leaves(inner).slice(-4).map((x) => `${nameOf(x)}: ${(x?.message ?? "").slice(0, 80)}`).join("; ")}]`;
  return cause ? `${nameOf(e)}: ${msg} (cause: ${nameOf(cause)}: ${(cause.message ?? "").slice(0, 120)})` : `${nameOf(e)}: ${msg}`;
}

interface DescribedError extends KafkaLikeError {
  message?: string;
  code?: unknown;
  apiId?: string;
  cause?: unknown;
  errors?: unknown[];
}

/** The innermost errors of nested aggregates (platformatic wraps retries in its send's wrapper). */
const leaves = (errors: unknown[]): DescribedError[] =>
  errors.flatMap((x) => {
    const d = x as DescribedError;
    return Array.isArray(d?.errors) && d.errors.length ? leaves(d.errors) : [d];
  });

const nameOf = (e: DescribedError | undefined): string =>
  e?.type ?? e?.apiId ?? (typeof e?.code === "string" && e.code.startsWith("PLT_KFK_") ? e.code : e?.name) ?? "Error";
