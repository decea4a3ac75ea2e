// What each anomaly type is about, for showing them apart (pure): loss (acknowledged writes gone, or
// records a consumer group committed past without reading), the log's integrity (one offset or one
// value twice, a transaction torn), group delivery (a group's reads against its commits), isolation (reads of
// uncommitted or aborted values, dependency cycles) and ordering (the order records landed in or
// were read in: what the client's sends and polls did, not whether anything was kept). Ordering is
// what almost every run has (`int-send-skip` whenever producers write bursts at once), so a report
// or a summary shows it apart from loss. Whether a type is permitted is another matter
// (guarantees.ts); this says only what kind of thing it is.
import type { AnomalyType } from "./findings.ts";

export type AnomalyKind = "loss" | "integrity" | "delivery" | "isolation" | "ordering";

export const ANOMALY_KIND: Record<AnomalyType, AnomalyKind> = {
  unseen: "loss",
  "lost-write": "loss",
  "committed-lost": "loss",
  "group-loss": "loss",
  "group-rewind": "delivery",
  "group-jump": "delivery",
  "group-duplicate": "delivery",
  "inconsistent-offsets": "integrity",
  duplicate: "integrity",
  "torn-txn": "integrity",
  // The output is no faithful copy of the input (the loss summary counts the input's own losses).
  "copy-loss": "integrity",
  "copy-duplicate": "integrity",
  G1a: "isolation",
  "precommitted-read": "isolation",
  G1c: "isolation",
  "G1c-process": "isolation",
  "G1c-realtime": "isolation",
  "G1c-ww": "isolation",
  G0: "isolation",
  "G0-process": "isolation",
  "G0-realtime": "isolation",
  "nonmonotonic-send": "ordering",
  "int-nonmonotonic-send": "ordering",
  "int-send-skip": "ordering",
  "poll-skip": "ordering",
  "nonmonotonic-poll": "ordering",
  "int-poll-skip": "ordering",
  "int-nonmonotonic-poll": "ordering",
};

/** The kinds in the order a reader wants them: what was lost first, ordering noise last. */
export const ANOMALY_KINDS: readonly AnomalyKind[] = ["loss", "integrity", "delivery", "isolation", "ordering"];

/** Each kind as a heading says it (the report's banner, the CLI's summary). */
export const ANOMALY_KIND_LABEL: Record<AnomalyKind, string> = {
  loss: "loss",
  integrity: "log integrity",
  delivery: "group delivery",
  isolation: "isolation",
  ordering: "ordering, not loss",
};

/** What a kind means, in a sentence (for a reader who sees it for the first time). */
export const ANOMALY_KIND_MEANING: Record<AnomalyKind, string> = {
  loss: "acknowledged writes gone from the log",
  integrity: "the log holding a value twice, two values at one offset, or a transaction in part",
  delivery:
    "what a consumer group handed out against what it committed: records read again below a commit, skipped past one, or handed out twice",
  isolation: "reads of values not (yet) committed, or cycles of dependencies between ops",
  ordering: "the order records landed in or were read in, not whether they were kept",
};

/** The types found, grouped by kind (kinds in ANOMALY_KINDS order, types in the order given);
 *  kinds with none found are left out. */
export function byKind(types: readonly AnomalyType[]): { kind: AnomalyKind; types: AnomalyType[] }[] {
  return ANOMALY_KINDS.map((kind) => ({ kind, types: types.filter((t) => ANOMALY_KIND[t] === kind) })).filter((g) => g.types.length > 0);
}
