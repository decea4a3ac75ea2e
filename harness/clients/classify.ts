// What every client library's error rule shares (each library's own rule is in its classify.ts):
// the two outcomes an error can give an op, the broker errors that prove nothing was appended, and
// how an error is described in the history. `fail` only when the operation certainly did not take
// effect; anything else is `info` (unknown): a wrong `fail` would hide a lost write.

export type Outcome = "fail" | "info";

/** Protocol errors a broker returns before appending anything, none of them retriable. A library
 *  that retries one of them (the error it finally raises may hide an earlier attempt that was
 *  appended) leaves it out; one that does not retry others adds them. */
export const REFUSED_BEFORE_APPEND: ReadonlySet<string> = new Set([
  "MESSAGE_TOO_LARGE",
  "RECORD_LIST_TOO_LARGE",
  "INVALID_RECORD",
  "INVALID_REQUIRED_ACKS",
  "TOPIC_AUTHORIZATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
  "INVALID_TOPIC_EXCEPTION",
  "UNSUPPORTED_VERSION",
]);

/** A short, stable description for the history (`error` field), for either library's errors:
 *  kafkajs's (`type` / `name`, `originalError`) and @platformatic/kafka's (`code`, `apiId`, the
 *  attempts of a MultipleErrors in `errors`, `cause`). */
export function describeError(err: unknown): string {
  const e = (err ?? {}) as DescribedError;
  const msg = (e.message ?? String(err)).slice(0, 200);
  const inner = Array.isArray(e.errors) && e.errors.length ? e.errors : undefined;
  const cause = (e.originalError ?? e.cause) as DescribedError | undefined;
  if (inner)
    return `${nameOf(e)}: ${msg} [${leaves(inner)
      .slice(-4)
      .map((x) => `${nameOf(x)}: ${(x?.message ?? "").slice(0, 80)}`)
      .join("; ")}]`;
  return cause ? `${nameOf(e)}: ${msg} (cause: ${nameOf(cause)}: ${(cause.message ?? "").slice(0, 120)})` : `${nameOf(e)}: ${msg}`;
}

interface DescribedError {
  name?: string;
  type?: string;
  originalError?: unknown;
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
