// Public API of the checkers: the history model, readers and writer, check() and its Results,
// the configuration-aware guarantees, and the derived structures with the lookups a report makes
// in them (op pairs, per-key logs), so a report shows what the checks judged.

export { ANOMALY_KIND, ANOMALY_KIND_LABEL, ANOMALY_KIND_MEANING, ANOMALY_KINDS, type AnomalyKind, byKind } from "./anomaly-kinds.ts";
export {
  type AnomalyReport,
  type CheckOptions,
  check,
  checkDerived,
  checkKeepingDerived,
  checkStream,
  deriveChecked,
  type OpCounts,
  type Results,
  type Stats,
  type Validity,
} from "./check.ts";
export { checkHistoryFile } from "./check-file.ts";
export { type Derived, derive } from "./derive.ts";
export { type ClientTrouble, type FaultEffect, faultEffects } from "./effective-faults.ts";
export { type Exercised, exercisedOf } from "./exercised.ts";
export { describeConfig, explainFinding, summarize } from "./explain.ts";
export { type FaultCount, type FaultCounts, type FaultInterval, faultIntervals } from "./faults.ts";
export {
  ANOMALY_TYPES,
  type AnomalyType,
  type Cycle,
  type CycleStep,
  type Finding,
  type Rel,
} from "./findings.ts";
export { type CheckConfig, GUARANTEE_RULES, type Guarantee, type Guarantees, guaranteesFor } from "./guarantees.ts";
export type { History, Key, MicroOp, Op, OpType, PollMop, Process, SendMop, Value } from "./history.ts";
export { HistoryError, validateOp } from "./history.ts";
// Lookups in the per-key logs by key name, value and offset: all of key-log.ts is public.
export * from "./key-log.ts";
export type { UnseenPoint, UnseenSeries } from "./loss.ts";
export { type LossState, type LossSummary, lossSentence, lossState } from "./loss-summary.ts";
export { lowerBound } from "./lower-bound.ts";
export { type OpPairs, opPairs, pairOf } from "./op-pairs.ts";
export {
  forEachHistoryOp,
  parseEdnHistory,
  parseJsonlHistory,
  readHistoryFile,
  streamHistoryBatches,
  streamHistoryFile,
  streamJsonlBatches,
  streamJsonlHistory,
} from "./read.ts";
export { exitCodeOf, judge, type RunFacts, undecided, verdictInList, verdictName, verdictWord } from "./verdict.ts";
export { formatHistory, formatOp } from "./write.ts";
