// The promises a Kafka user relies on, each backed by the anomalies that would break it, and their
// status in one run: kept, broken (by which anomaly), not promised by this configuration (and why),
// or not tested. Derived from the checkers' configuration-aware Guarantees, never restated here.
import type { AnomalyType, Guarantees, Results } from "../checkers/index.ts";

export interface Promise_ {
  id: string;
  text: string;
  anomalies: AnomalyType[];
  /** Only made, and shown, where the history has transactions. */
  txnOnly?: boolean;
}

export const PROMISES: Promise_[] = [
  { id: "durable", text: "Acknowledged writes survive failover", anomalies: ["lost-write", "unseen"] },
  { id: "read-durable", text: "Records a consumer read survive failover", anomalies: ["committed-lost"] },
  {
    id: "write-order",
    text: "Writes to a partition land in the order they were sent",
    anomalies: ["nonmonotonic-send", "int-nonmonotonic-send"],
  },
  {
    id: "read-order",
    text: "A consumer reads a partition in order, without gaps",
    anomalies: ["poll-skip", "nonmonotonic-poll", "int-poll-skip", "int-nonmonotonic-poll"],
  },
  { id: "no-duplicates", text: "No duplicates: each record is appended once", anomalies: ["duplicate"] },
  {
    id: "committed-reads",
    text: "Consumers never see uncommitted or failed writes",
    anomalies: ["G1a", "precommitted-read", "G1c", "G1c-process", "G1c-realtime", "G1c-ww"],
  },
  { id: "atomic-txns", text: "A committed transaction is visible whole: all of its sends or none", anomalies: ["torn-txn"], txnOnly: true },
  { id: "one-record-per-offset", text: "An offset names one record, for every reader", anomalies: ["inconsistent-offsets"] },
];

export type PromiseStatus = "kept" | "broken" | "not-promised" | "not-tested";

export interface PromiseRow {
  id: string;
  text: string;
  status: PromiseStatus;
  /** Forbidden anomalies found (broken), or the anomalies the promise rests on. */
  broken: Array<{ type: AnomalyType; count: number }>;
  /** Anomalies of this promise that were found but are permitted by the configuration. */
  permittedFound: Array<{ type: AnomalyType; count: number }>;
  /** The anomalies this configuration forbids among the promise's, and those it permits. */
  forbidden: AnomalyType[];
  permitted: AnomalyType[];
  /** Why: what breaks it, why it holds, or why it is not promised. */
  reason: string;
}

/**
 * One row per promise. `results` absent or unknown with nothing tested: rows say "not tested".
 * `txns`: the history has transactions, so the promises about them are made.
 */
export function promiseTable(guarantees: Guarantees, results?: Pick<Results, "anomalies" | "valid">, txns = false): PromiseRow[] {
  const nothingTested = results === undefined || (results.valid === "unknown" && Object.keys(results.anomalies).length === 0);
  return PROMISES.filter((p) => txns || !p.txnOnly).map((p) => {
    const forbidden = p.anomalies.filter((a) => guarantees[a].forbidden);
    const permitted = p.anomalies.filter((a) => !guarantees[a].forbidden);
    const found = (a: AnomalyType) => results?.anomalies[a]?.count ?? 0;
    const broken = forbidden.filter((a) => found(a) > 0).map((type) => ({ type, count: found(type) }));
    const permittedFound = permitted.filter((a) => found(a) > 0).map((type) => ({ type, count: found(type) }));
    let status: PromiseStatus;
    let reason: string;
    if (forbidden.length === 0) {
      status = "not-promised";
      reason = guarantees[p.anomalies[0]!].reason;
    } else if (broken.length > 0) {
      status = "broken";
      reason = guarantees[broken[0]!.type].reason;
    } else if (nothingTested) {
      status = "not-tested";
      reason = "nothing was tested";
    } else {
      status = "kept";
      reason = guarantees[forbidden[0]!].reason;
    }
    return { id: p.id, text: p.text, status, broken, permittedFound, forbidden, permitted, reason };
  });
}
