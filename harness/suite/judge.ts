// A scenario's runs judged against its expectation (pure): the verdict each run must have, the
// anomalies that must never appear, the ones some run must find, and the faults that must have
// taken effect and the writes acknowledged and read for any of it to mean something.

import { basename } from "node:path";
import type { Exercised } from "../../checkers/exercised.ts";
import { type FaultCounts, noFaultCount } from "../../checkers/faults.ts";
import { type AnomalyType, verdictName } from "../../checkers/index.ts";
import type { LossSummary } from "../../checkers/loss-summary.ts";
import type { RunOutcome } from "../run/runner.ts";
import type { StoredExpectation } from "../run/stored-run.ts";
import { isDetection, type Scenario } from "./suite-file.ts";

/** What the suite keeps of one run of a scenario. */
export interface ScenarioRun {
  seed: number;
  /** The workload's kind (spec.workload.kind): a group control's default floors are the group workload's. */
  workload?: string;
  dir: string;
  valid: boolean | "unknown";
  ops: number;
  sendsOk: number;
  /** Writes acknowledged (and after the first effective fault), values the workload read (results.exercised). */
  exercised: Exercised;
  /** Acknowledged writes lost, and whether permitted (results.loss; absent from older results). */
  loss?: LossSummary;
  anomalies: Partial<Record<AnomalyType, number>>;
  forbidden: AnomalyType[];
  /** Faults in the run's schedule, and how they took effect (from the history). */
  faultsPlanned: number;
  faults: FaultCounts;
}

export interface ScenarioOutcome {
  name: string;
  config: string;
  faults: string;
  runs: ScenarioRun[];
  /** How many runs found what the scenario looks for (foundIn). */
  found: number;
  /** The client's known findings (knownFindings) some run showed: reported, not held against it. */
  known?: string[];
  met: boolean;
  problems: string[];
  /** Wall-clock seconds of the scenario's runs. */
  seconds: number;
}

export function scenarioRunOf(o: RunOutcome): ScenarioRun {
  const anomalies: Partial<Record<AnomalyType, number>> = {};
  for (const t of o.results.anomalyTypes) anomalies[t] = o.results.anomalies[t]!.count;
  return {
    seed: o.spec.seed,
    workload: o.spec.workload.kind,
    dir: o.dir,
    valid: o.results.valid,
    ops: o.results.stats.ops,
    sendsOk: o.results.stats.sends.ok,
    exercised: o.results.exercised ?? { acknowledged: 0, acknowledgedAfterFault: 0, read: 0 },
    ...(o.results.loss ? { loss: o.results.loss } : {}),
    anomalies,
    forbidden: o.results.forbidden,
    faultsPlanned: o.faultsPlanned,
    faults: o.results.faults ?? { ...noFaultCount(), byKind: {} },
  };
}

/** "4 applied (2 effective), 1 refused, 0 uncertain of 5 planned". */
export const faultTally = (f: FaultCounts, planned: number) =>
  `${f.applied} applied (${f.effective} effective), ${f.refused} refused, ${f.uncertain} uncertain of ${planned} planned`;

/** Faults a run had to apply, and to make effective, and did not: a scenario that rests on faults
 *  is not met without them. */
function faultProblems(e: Scenario["expect"], r: ScenarioRun): string[] {
  const problems: string[] = [];
  const f = r.faults;
  const tally = faultTally(f, r.faultsPlanned);
  const floors = [
    { what: "applied", field: "applied", floor: e.faultsApplied, control: 0 },
    // A negative control under faults must have had a fault reach the data path, or it proved
    // nothing: applied is not enough (a pause shorter than the session moves no leader).
    { what: "effective", field: "effective", floor: e.faultsEffective, control: e.never.length > 0 && r.faultsPlanned > 0 ? 1 : 0 },
  ] as const;
  for (const { what, field, floor, control } of floors) {
    const min = floor?.min ?? control;
    if (f[field] < min)
      problems.push(`seed ${r.seed}: faults ${tally}; at least ${min} must be ${what} for this scenario to test anything`);
    for (const [kind, n] of Object.entries(floor?.kinds ?? {})) {
      const got = f.byKind[kind]?.[field] ?? 0;
      if (got < n) problems.push(`seed ${r.seed}: ${got} ${kind} fault(s) ${what}, at least ${n} required (faults ${tally})`);
    }
  }
  return problems;
}

/** A workload that acknowledged or read too little to show what the scenario is about. */
function exercisedProblems(e: Scenario["expect"], r: ScenarioRun): string[] {
  const control = e.never.length > 0 ? 1 : 0;
  const acknowledged = e.exercised?.acknowledged ?? control;
  const read = e.exercised?.read ?? control;
  const x = r.exercised;
  const problems: string[] = [];
  if (x.acknowledged < acknowledged)
    problems.push(
      `seed ${r.seed}: ${x.acknowledged} writes acknowledged (${x.acknowledgedAfterFault} after the first effective fault), at least ${acknowledged} required for this scenario to test anything`,
    );
  if (x.read < read)
    problems.push(
      `seed ${r.seed}: ${x.read} values read by the workload (final reads not counted), at least ${read} required for this scenario to test anything`,
    );
  // A group control shows nothing unless a partition changed hands and the group committed. Other
  // workloads with a group (the copiers) are held to these only where the scenario names them.
  const g = x.group;
  const groupControl = g && (r.workload ?? "group") === "group" ? control : 0;
  if (g || e.exercised?.handoffs || e.exercised?.commits || e.exercised?.crashes) {
    const floors = [
      { what: "partition handoffs between members", got: g?.handoffs ?? 0, min: e.exercised?.handoffs ?? groupControl },
      { what: "offset commits acknowledged", got: g?.commits.ok ?? 0, min: e.exercised?.commits ?? groupControl },
      { what: "member crashes", got: g?.crashes ?? 0, min: e.exercised?.crashes ?? 0 },
    ];
    for (const f of floors) {
      if (f.got < f.min) problems.push(`seed ${r.seed}: ${f.got} ${f.what}, at least ${f.min} required for this scenario to test anything`);
    }
  }
  return problems;
}

/** How many runs found what the scenario looks for: one of `finds`, and at least `gaveUp` members giving up. */
export function foundIn(e: Scenario["expect"], runs: readonly ScenarioRun[]): number {
  return runs.filter(
    (r) =>
      (e.finds.length === 0 || e.finds.some((t) => r.anomalies[t as AnomalyType])) &&
      (e.gaveUp === undefined || (r.exercised.group?.gaveUp ?? 0) >= e.gaveUp) &&
      isDetection(e),
  ).length;
}

/** Judges a scenario's runs against its expectation (pure). */
export function judge(s: Scenario, runs: ScenarioRun[]): Pick<ScenarioOutcome, "found" | "met" | "problems" | "known"> {
  const problems: string[] = [];
  const e = s.expect;
  const knownTypes: readonly string[] = (s.client && s.knownFindings?.[s.client]?.anomalies) || [];
  const known = new Set<string>();
  for (const r of runs) {
    const v = verdictName(r.valid);
    for (const t of knownTypes) if (r.anomalies[t as AnomalyType]) known.add(t);
    // INVALID only by the client's known findings: the rest of the expectation is what is judged.
    const onlyKnown = v === "invalid" && r.forbidden.length > 0 && r.forbidden.every((t) => knownTypes.includes(t));
    if (e.verdict && !onlyKnown && !(e.verdict === v || (e.verdict === "not-invalid" && v !== "invalid"))) {
      problems.push(
        `seed ${r.seed}: verdict ${v}, expected ${e.verdict}${r.forbidden.length ? ` (forbidden: ${r.forbidden.join(", ")})` : ""}`,
      );
    }
    const seen = e.never.filter((t) => r.anomalies[t as AnomalyType] && !knownTypes.includes(t));
    if (seen.length) problems.push(`seed ${r.seed}: found ${seen.join(", ")}, which must never happen here`);
    problems.push(...faultProblems(e, r), ...exercisedProblems(e, r));
  }
  const found = foundIn(e, runs);
  if (e.finds.length && found === 0 && !e.findsOptional) {
    problems.push(
      `none of ${runs.length} run(s) found ${e.finds.join(" or ")}: the workload or faults did not expose what this configuration permits`,
    );
  }
  if (e.gaveUp !== undefined && found === 0)
    problems.push(`none of ${runs.length} run(s) had ${e.gaveUp} or more group members whose library gave up: the finding did not show`);
  return { found, met: problems.length === 0, problems, ...(known.size ? { known: [...known] } : {}) };
}

/** What the suite stores beside each run it judged (expectation.json, read by the store's index). */
export function storedExpectation(
  suite: string,
  o: Pick<ScenarioOutcome, "name" | "met" | "problems" | "runs">,
  judgedAt: Date,
): StoredExpectation {
  return {
    suite,
    scenario: o.name,
    met: o.met,
    problems: o.problems,
    runs: o.runs.map((r) => basename(r.dir)),
    judgedAt: judgedAt.toISOString(),
  };
}
