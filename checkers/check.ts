// Composes the checkers into Results: every anomaly found, counted, judged against what the
// configuration forbids. Pure: the same history and config give byte-identical results.
import { findCopyAnomalies } from "./copy.ts";
import { findCycles } from "./cycles.ts";
import {
  type Derived,
  type DeriveOptions,
  Deriver,
  derive,
  F_ASSIGN,
  F_POLL,
  F_SEND,
  F_SUBSCRIBE,
  F_TXN,
  FAIL,
  historySizes,
  INFO,
  OK,
} from "./derive.ts";
import { faultEffects } from "./effective-faults.ts";
import { type Exercised, exercisedOf, nothingAcknowledged } from "./exercised.ts";
import { countFaults, type FaultCounts, faultIntervals } from "./faults.ts";
import { ANOMALY_TYPES, type AnomalyType, DEFAULT_EXAMPLE_CAP, type Finding, Findings } from "./findings.ts";
import { groupExercised, groupTroubles } from "./group-trace.ts";
import { findGroupAnomalies } from "./groups.ts";
import { type CheckConfig, type CheckFacts, type Guarantees, guaranteesFor } from "./guarantees.ts";
import type { History, Op } from "./history.ts";
import {
  findCommittedLost,
  findLostWrites,
  findUnseen,
  lostAcknowledgements,
  lostBelowLogStart,
  type UnseenSeries,
  unseenSeries,
} from "./loss.ts";
import { type LossSummary, lossSummary } from "./loss-summary.ts";
import { findDuplicates, findG1aAndPrecommittedReads, findInconsistentOffsets } from "./offsets.ts";
import { findOrderAnomalies } from "./order.ts";
import { noPhaseMarks, notePhase, type PhaseMarks, phaseUnknownReason } from "./phases.ts";
import { powerCutOf } from "./power-cut.ts";
import { findTornTxns } from "./txn-torn.ts";
import { undecided } from "./verdict.ts";

export type Validity = true | false | "unknown";

export interface AnomalyReport {
  count: number;
  forbidden: boolean;
  /** Why it is permitted, or why it is forbidden, under this configuration. */
  reason: string;
  /** The first few findings (at most `exampleCap`), in detection order. */
  examples: Finding[];
}

export interface OpCounts {
  ok: number;
  info: number;
  fail: number;
}

export interface Stats {
  /** Lines in the history (invocations, completions, faults). */
  ops: number;
  /** Client ops (send, poll, txn, assign, subscribe), counted by completion. */
  clientOps: number;
  /** Invocations that never completed (counted as info). */
  unfinished: number;
  processes: number;
  keys: number;
  sends: OpCounts;
  polls: OpCounts;
  txns: OpCounts;
  assigns: OpCounts;
  /** Distinct values sent, and distinct values returned by ok reads. */
  valuesSent: number;
  valuesRead: number;
  /** Non-empty offsets across all keys' logs. */
  logOffsets: number;
  /** Ops of other functions (faults, debug ops), ignored by the checkers. */
  otherOps: number;
}

export interface Results {
  valid: Validity;
  /** Why the result is "unknown" (absent otherwise). */
  unknownReason?: string;
  /** Every anomaly type found, sorted. */
  anomalyTypes: AnomalyType[];
  /** The types found that this configuration forbids: these make the result invalid. */
  forbidden: AnomalyType[];
  anomalies: Partial<Record<AnomalyType, AnomalyReport>>;
  config: CheckConfig;
  guarantees: Guarantees;
  stats: Stats;
  unseenSeries: UnseenSeries;
  /** The faults as they took effect (applied, effective, refused, uncertain; per kind). Absent in
   *  results stored by older versions (and `effective` in those before it was counted). */
  faults?: FaultCounts;
  /** What the workload exercised: writes acknowledged (and after the first effective fault), values
   *  read by the workload. Absent in results stored by older versions. */
  exercised?: Exercised;
  /** Acknowledged writes lost, of how many, and whether the configuration permits it. Absent in
   *  results stored by older versions. */
  loss?: LossSummary;
}

export interface CheckOptions {
  /** Examples kept per anomaly type (default 32). */
  exampleCap?: number;
  /** For checkStream: about how many ops to expect (sizes the structures up front). */
  expectedOps?: number;
}

/** What derive needs of the configuration and the phase markers (DeriveOptions). */
export function deriveOptions(config: CheckConfig, marks: PhaseMarks): DeriveOptions {
  return {
    ...(config.isolation === "read_uncommitted" ? { commitProofFrom: marks.finalReadsFrom ?? null } : {}),
    ...(config.transactional === true ? { transactional: true } : {}),
  };
}

/** The derived structures check() judges a history by, for a page that shows them (reports). */
export function deriveChecked(history: History, config: CheckConfig): Derived {
  const marks = noPhaseMarks();
  for (const op of history as Iterable<Op>) notePhase(marks, op);
  return derive(history, deriveOptions(config, marks));
}

export function check(history: History, config: CheckConfig = {}, options: CheckOptions = {}): Results {
  if (!Array.isArray(history)) {
    const marks = noPhaseMarks();
    for (const op of history as Iterable<Op>) notePhase(marks, op);
    return checkDerived(derive(history, deriveOptions(config, marks)), config, options, marks);
  }
  return checkKeepingDerived(history, config, options).results;
}

/**
 * check() of a history in memory, with the derived structures it judged by: a report of the same
 * run renders from them (reports/render.ts) instead of deriving the history a second time.
 */
export function checkKeepingDerived(
  history: readonly Op[],
  config: CheckConfig = {},
  options: CheckOptions = {},
): { results: Results; derived: Derived } {
  const marks = noPhaseMarks();
  // One pass over the ops, noting the phase markers as they are derived; an index loop, since
  // for-of over a million ops allocates an iterator result per op.
  const b = new Deriver(historySizes(history));
  for (let i = 0; i < history.length; i++) {
    const op = history[i]!;
    b.add(op);
    notePhase(marks, op);
  }
  const derived = b.finish(deriveOptions(config, marks));
  return { results: checkDerived(derived, config, options, marks), derived };
}

/**
 * Checks a history as it streams in, without keeping the ops: only the compact derived structures
 * stay in memory. Gives exactly what check() gives on the same ops.
 */
export async function checkStream(
  ops: AsyncIterable<Op | readonly Op[]> | Iterable<Op | readonly Op[]>,
  config: CheckConfig = {},
  options: CheckOptions = {},
): Promise<Results> {
  const b = new Deriver(options.expectedOps);
  const marks = noPhaseMarks();
  const add = (op: Op) => {
    b.add(op);
    notePhase(marks, op);
  };
  for await (const item of ops) {
    if (Array.isArray(item)) for (const op of item as readonly Op[]) add(op);
    else add(item as Op);
  }
  return checkDerived(b.finish(deriveOptions(config, marks)), config, options, marks);
}

/**
 * Runs every checker on derived structures. `marks`: the history's phase markers; a marked history
 * whose final reads did not complete cannot show loss by `unseen` alone (checkers/phases.ts).
 */
export function checkDerived(d: Derived, config: CheckConfig, options: CheckOptions, marks: PhaseMarks = noPhaseMarks()): Results {
  const out = new Findings(options.exampleCap ?? DEFAULT_EXAMPLE_CAP);
  findLostWrites(d, out);
  // With complete final reads, "unseen" means gone from the log they read (checkers/loss.ts).
  const finalReadsFrom = marks.finalReadsComplete ? marks.finalReadsFrom : undefined;
  findUnseen(d, out, finalReadsFrom);
  findCommittedLost(d, out, finalReadsFrom);
  findDuplicates(d, out);
  findInconsistentOffsets(d, out);
  findG1aAndPrecommittedReads(d, out);
  findTornTxns(d, out, marks);
  findOrderAnomalies(d, out);
  findCycles(d, out, config.wwDeps === true);
  findGroupAnomalies(d, marks.groups, out);
  // Loss needs the whole output: complete final reads, or a history without markers.
  if (config.copy !== undefined) findCopyAnomalies(d, out, !marks.marked || marks.finalReadsComplete);
  const timeline = faultIntervals(marks.nemesis);
  // Incomplete final reads cannot tell a lost write from one not read yet: unsure, so none.
  const lost = marks.marked && !marks.finalReadsComplete ? [] : lostAcknowledgements(d, finalReadsFrom);
  const powerCut = powerCutOf(timeline.faults, lost);
  const results = toResults(d, out, config, powerCut ? { powerCut } : {});
  const effects = faultEffects(timeline, {
    keys: d.keys.map(String),
    workloadFrom: marks.workloadFrom,
    workloadTo: marks.workloadTo,
    finalReadsFrom: marks.finalReadsFrom,
    troubles: marks.troubles.troubles(),
    lost,
    groupTroubles: groupTroubles(marks.groups),
  });
  results.faults = countFaults(timeline.faults, effects);
  const firstEffective = timeline.faults.find((_, i) => effects[i] !== undefined);
  results.exercised = exercisedOf(d, firstEffective?.start, marks.finalReadsFrom);
  const group = groupExercised(marks.groups);
  if (group) results.exercised.group = group;
  const reads = !marks.marked ? "unmarked" : marks.finalReadsComplete ? "complete" : "incomplete";
  // Under acks=0 the broker acknowledges nothing: the loss is counted of the writes sent ok.
  results.loss =
    config.acks === 0 ? lossSummary(results, sentOk(d), reads, "sent") : lossSummary(results, results.exercised.acknowledged, reads);
  const below = reads === "complete" && finalReadsFrom !== undefined ? lostBelowLogStart(d, finalReadsFrom) : undefined;
  if (below) results.loss = { ...results.loss, belowLogStart: below };
  // A verdict needs something that could have been lost: with nothing acknowledged it is vacuous.
  const vacuous = nothingAcknowledged(config, results.exercised);
  if (results.valid === true && vacuous) return { ...results, valid: "unknown", unknownReason: vacuous };
  return undecided(results, phaseUnknownReason(marks));
}

/** Distinct values written by ok ops (what acks=0 "sent"). */
function sentOk(d: Derived): number {
  let n = 0;
  for (let v = 0; v < d.nVals; v++) {
    const w = d.valWriter[v]!;
    if (w >= 0 && d.opType[w] === OK) n++;
  }
  return n;
}

function toResults(d: Derived, out: Findings, config: CheckConfig, facts: CheckFacts): Results {
  const guarantees = guaranteesFor(config, facts);
  const anomalies: Partial<Record<AnomalyType, AnomalyReport>> = {};
  const anomalyTypes: AnomalyType[] = [];
  const forbidden: AnomalyType[] = [];
  for (const type of ANOMALY_TYPES) {
    const count = out.counts.get(type);
    if (!count) continue;
    const g = guarantees[type];
    anomalyTypes.push(type);
    if (g.forbidden) forbidden.push(type);
    anomalies[type] = { count, forbidden: g.forbidden, reason: g.reason, examples: out.examples.get(type) ?? [] };
  }
  const stats = statsOf(d);
  let valid: Validity = forbidden.length === 0;
  let unknownReason: string | undefined;
  if (valid && stats.sends.ok + stats.sends.info + stats.polls.ok + stats.polls.info + stats.txns.ok + stats.txns.info === 0) {
    // Nothing was tested: no send, poll or txn op happened (or might have).
    valid = "unknown";
    unknownReason = "the history has no send, poll or txn op that completed ok or info: nothing was tested";
  }
  return {
    valid,
    ...(unknownReason ? { unknownReason } : {}),
    anomalyTypes,
    forbidden,
    anomalies,
    config,
    guarantees,
    stats,
    unseenSeries: unseenSeries(d),
  };
}

function statsOf(d: Derived): Stats {
  const counts = () => ({ ok: 0, info: 0, fail: 0 });
  const byF = [counts(), counts(), counts(), counts(), counts(), counts()];
  let unfinished = 0;
  for (let c = 0; c < d.nOps; c++) {
    const t = d.opType[c]!;
    const k = byF[d.opF[c]!]!;
    if (t === OK) k.ok++;
    else if (t === INFO) k.info++;
    else if (t === FAIL) k.fail++;
    if (d.opSynth[c] === 1) unfinished++;
  }
  const assigns = byF[F_ASSIGN]!;
  const subs = byF[F_SUBSCRIBE]!;
  let valuesSent = 0;
  let valuesRead = 0;
  for (let v = 0; v < d.nVals; v++) {
    if (d.valWriter[v]! >= 0) valuesSent++;
    if (d.valReadOk[v] === 1) valuesRead++;
  }
  return {
    ops: d.nLines,
    clientOps: d.nOps,
    unfinished,
    processes: d.procs.length,
    keys: d.keys.length,
    sends: byF[F_SEND]!,
    polls: byF[F_POLL]!,
    txns: byF[F_TXN]!,
    assigns: { ok: assigns.ok + subs.ok, info: assigns.info + subs.info, fail: assigns.fail + subs.fail },
    valuesSent,
    valuesRead,
    logOffsets: d.slotOffset.length,
    otherOps: d.nLines - d.nClientLines,
  };
}
