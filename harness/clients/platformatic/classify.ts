// Maps an @platformatic/kafka (1.35) error to the op's completion type, by the same rule as kafkajs
// (../kafkajs/classify.ts): `fail` only when the record certainly was not appended; anything else `info`.
//
// The errors it raises (read from its sources, dist/errors.js and the producer's send path):
//   code PLT_KFK_USER          UserError: refused by the client before any request was written
//                              (option validation, "Failed to serialize a message.", "The producer
//                              is in use by a transaction.")                                     -> fail
//                              except "Unknown topic t." (metadata), which can also come after a
//                              send restarted on stale metadata                                  -> info
//   code PLT_KFK_NETWORK       NetworkError ("Connection closed", "Connection to h:p failed.",
//                              "Connection closed while waiting for ready."; retried) and
//                              TimeoutError ("Request timed out", "Connection to h:p timed out.";
//                              not retried; its code is PLT_KFK_NETWORK too, the class passes
//                              NetworkError.code)                                              -> info
//                              except "Client is closed." (closed: true), raised before a request -> fail
//   code PLT_KFK_RESPONSE      ResponseError: the broker answered with error codes; `errors` holds
//                              one ProtocolError (code PLT_KFK_PROTOCOL) per failed partition, with
//                              `apiId` (NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT,
//                              ...) and `canRetry`. A single answer (no retry happened) whose every
//                              error is one the broker returns before appending (REFUSED_BEFORE_APPEND
//                              in ../classify.ts; CORRUPT_MESSAGE, in kafkajs's set, is retried here)                                                   -> fail
//                              anything else (NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT:
//                              appended locally; NOT_LEADER_OR_FOLLOWER: the send is repeated on the
//                              new leader, earlier attempts dropped from the error)              -> info
//   code PLT_KFK_MULTIPLE      MultipleErrors "Producing messages failed.": the wrapper send()
//                              puts around the errors of its destinations (one per leader; one here,
//                              every send is one record): classified by what it wraps            -> fail if all of them fail
//                              MultipleErrors "produce failed N times.": retries exhausted, `errors`
//                              lists the attempts; an earlier attempt may have been appended     -> info
//   plain Error                "Connection pool is closed." and anything unexpected            -> info
// Retriable protocol errors (NOT_ENOUGH_REPLICAS included) are info even though the broker checks
// them before appending: with repeatOnStaleMetadata (on by default) the client restarts a send on
// a new leader and the error it finally raises no longer lists the attempts before the restart,
// one of which may have been appended (a REQUEST_TIMED_OUT on an isolated leader, say).
import { type Outcome, REFUSED_BEFORE_APPEND } from "../classify.ts";

interface PlatformaticLikeError {
  code?: string;
  message?: string;
  apiId?: string;
  canRetry?: boolean;
  closed?: boolean;
  errors?: unknown[];
}

export function classifyPlatformaticSendError(err: unknown): Outcome {
  const e = (err ?? {}) as PlatformaticLikeError;
  // send() wraps its destinations' errors (producer.js #performSend, runConcurrentCallbacks).
  if (e.code === "PLT_KFK_MULTIPLE" && e.message === "Producing messages failed." && Array.isArray(e.errors) && e.errors.length > 0) {
    return e.errors.every((x) => classifyPlatformaticSendError(x) === "fail") ? "fail" : "info";
  }
  if (e.code === "PLT_KFK_USER") return /^Unknown topic/.test(String((err as Error).message)) ? "info" : "fail";
  if (e.code === "PLT_KFK_NETWORK" && e.closed === true) return "fail";
  if (e.code === "PLT_KFK_RESPONSE" && Array.isArray(e.errors) && e.errors.length > 0) {
    const definite = e.errors.every((x) => {
      const p = (x ?? {}) as PlatformaticLikeError;
      return p.code === "PLT_KFK_PROTOCOL" && p.canRetry === false && p.apiId !== undefined && REFUSED_BEFORE_APPEND.has(p.apiId);
    });
    return definite ? "fail" : "info";
  }
  return "info";
}

// Transactions (txn.ts, rules in txn-outcome.ts / txn-process.ts). The recording
// rule is the same as kafkajs's: ok only when the library resolved commit() (EndTxn answered without
// error), fail when abort() resolved (or beginTransaction() was refused: nothing of the transaction
// was sent), info otherwise. What the library raises on the transactional path:
//   beginTransaction()   UserError "There is already an active transaction." (a begin or an EndTxn
//                        that failed left the library's transaction in place: the producer is
//                        replaced), "Cannot begin a transaction on a non-idempotent producer."; or
//                        FindCoordinator / InitProducerId errors (ResponseError, MultipleErrors
//                        "findCoordinator failed N times." / "initProducerId failed N times.")
//   send()               as a plain send (above), plus AddPartitionsToTxn's: ResponseError with
//                        CONCURRENT_TRANSACTIONS, NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS
//                        (retried; MultipleErrors "addPartitionsToTransaction failed N times." when
//                        the retries run out), INVALID_PRODUCER_EPOCH / PRODUCER_FENCED (fenced, not
//                        retried), INVALID_TXN_STATE
//   addConsumer()        AddOffsetsToTxn: the same coordinator errors ("addOffsetsToTransaction failed")
//   addOffset()          TxnOffsetCommit to the group coordinator: NOT_COORDINATOR,
//                        COORDINATOR_NOT_AVAILABLE (retried against the same node: "commit failed N
//                        times."), ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID (not with generation -1)
//   commit() / abort()   EndTxn: CONCURRENT_TRANSACTIONS, NOT_COORDINATOR (retried), INVALID_TXN_STATE,
//                        INVALID_PRODUCER_EPOCH / PRODUCER_FENCED; TimeoutError "Request timed out"
//                        (not retried); NetworkError "Connection closed" (retried)
// The transaction coordinator's node id is looked up once per producer and never again: after the
// coordinator moves, every request goes to the old node until its retries run out, and the harness
// replaces the producer (a new one looks it up afresh).

/** Protocol errors (ProtocolError.apiId) that mean a newer producer with this transactional id
 *  exists (the same names as kafkajs's, txn-outcome.ts): the transaction's end is unknown and an
 *  abort from this producer cannot be acknowledged. */
const PLATFORMATIC_FENCED = new Set([
  "PRODUCER_FENCED",
  "INVALID_PRODUCER_EPOCH",
  "INVALID_PRODUCER_ID_MAPPING",
  "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
]);

/** Whether any error in the chain (ResponseError / MultipleErrors `errors`, `cause`) names fencing. */
export function isPlatformaticFenced(err: unknown, depth = 0): boolean {
  if (err === null || typeof err !== "object" || depth > 8) return false;
  const e = err as { apiId?: unknown; errors?: unknown; cause?: unknown };
  if (typeof e.apiId === "string" && PLATFORMATIC_FENCED.has(e.apiId)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isPlatformaticFenced(x, depth + 1))) return true;
  return e.cause !== undefined && isPlatformaticFenced(e.cause, depth + 1);
}
