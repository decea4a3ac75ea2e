// How a transaction's micro-op results and its end become its completion op (docs/design.md,
// Clients and History). Pure, so the rule is tested without a cluster.
//
//   commit acknowledged                                   -> ok
//   abort acknowledged (planned, or after a send /         -> fail (nothing of it committed)
//   sendOffsets error that proved nothing had committed)
//   anything else: commit or abort unanswered or refused,  -> info (it may have committed)
//   op timeout, producer fenced, coordinator moved
//
// A send the broker acknowledged keeps its offset in every case (["send", k, [offset, v]]): the
// checkers need the offsets of aborted sends to tell a read of an aborted write (G1a). A send with
// no answer stays ["send", k, v]; a poll returns what it read, whatever became of the transaction.
import type { Records } from "./txn-delivery-buffer.ts";

export type TxnMicroResult = ["send", string, number | [number, number]] | ["poll", Record<string, Records>] | ["poll"];

export type TxnEnd =
  | { stage: "committed" }
  | { stage: "aborted"; planned: boolean; cause?: unknown }
  /** Commit or abort sent but its outcome unknown, or an error with no acknowledged abort after it. */
  | { stage: "unknown"; cause: unknown };

export function txnType(end: TxnEnd): "ok" | "fail" | "info" {
  return end.stage === "committed" ? "ok" : end.stage === "aborted" ? "fail" : "info";
}

/** The producer must be replaced: it may be fenced, or stuck in a transaction the harness lost track of. */
export function needsNewProducer(end: TxnEnd): boolean {
  return end.stage === "unknown" || (end.stage === "aborted" && !end.planned);
}

/** kafkajs's and the broker's names for "a newer producer with this transactional id exists". */
const FENCED = new Set([
  "PRODUCER_FENCED",
  "INVALID_PRODUCER_EPOCH",
  "INVALID_PRODUCER_ID_MAPPING",
  "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
]);

export function isFenced(err: unknown): boolean {
  const e = (err ?? {}) as { type?: string; originalError?: unknown };
  return (
    (e.type !== undefined && FENCED.has(e.type)) || (e.originalError !== undefined && e.originalError !== err && isFenced(e.originalError))
  );
}

/** Reads of a transaction's polls, per key: the first offset it read (where to seek back to). */
export function firstReads(results: readonly TxnMicroResult[]): Map<string, number> {
  const first = new Map<string, number>();
  for (const r of results) {
    if (r[0] !== "poll" || r.length < 2) continue;
    for (const [key, records] of Object.entries(r[1]!)) if (records.length && !first.has(key)) first.set(key, records[0]![0]);
  }
  return first;
}
