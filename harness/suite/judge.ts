// A scenario's runs judged against its expectation (pure): the verdict each run must have, the
// anomalies that must never appear, the ones some run must find, and the faults that must have
// taken effect and the writes acknowledged and read for any of it to mean something.

import type { FaultCounts } from "../../checkers/faults.ts";
import { type AnomalyType, verdictName } from "../../checkers/index.ts";
import type { RunOutcome } from "../run/runner.ts";
import type { Scenario } from "./suite-file.ts";

/** What the suite keeps of one run of a scenario. */
export interface ScenarioRun {
  seed: number;
  dir: string;
  valid: boolean | "unknown";
  ops: number;
  sendsOk: number;
  /** Writes acknowledged: send ops ok plus transactions committed. */
  acknowledged: number;
  valuesRead: number;
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
  /** How many runs found one of `expect.finds`. */
  found: number;
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
    dir: o.dir,
    valid: o.results.valid,
    ops: o.results.stats.ops,
    sendsOk: o.results.stats.sends.ok,
    acknowledged: o.results.stats.sends.ok + o.results.stats.txns.ok,
    valuesRead: o.results.stats.valuesRead,
    anomalies,
    forbidden: o.results.forbidden,
    faultsPlanned: o.faultsPlanned,
    faults: o.results.faults ?? { applied: 0, refused: 0, uncertain: 0, byKind: {} },
  };
}

/** Faults a run had to apply and did not: a scenario that rests on faults is not met without them. */
function faultProblems(e: Scenario["expect"], r: ScenarioRun): string[] {
  const problems: string[] = [];
  const f = r.faults;
  const tally = `${f.applied} applied, ${f.refused} refused, ${f.uncertain} uncertain of ${r.faultsPlanned} planned`;
  // A negative control under faults must have had a fault in force, or it proved nothing.
  const min = e.faultsApplied?.min ?? (e.never.length > 0 && r.faultsPlanned > 0 ? 1 : 0);
  if (f.applied < min)
    problems.push(`seed ${r.seed}: faults ${tally}; at least ${min} must take effect for this scenario to test anything`);
  for (const [kind, n] of Object.entries(e.faultsApplied?.kinds ?? {})) {
    const got = f.byKind[kind]?.applied ?? 0;
    if (got < n) problems.push(`seed ${r.seed}: ${got} ${kind} fault(s) applied, at least ${n} required (faults ${tally})`);
  }
  return problems;
}

/** A workload that acknowledged or read too little to show what the scenario is about. */
function exercisedProblems(e: Scenario["expect"], r: ScenarioRun): string[] {
  const control = e.never.length > 0 ? 1 : 0;
  const acknowledged = e.exercised?.acknowledged ?? control;
  const read = e.exercised?.read ?? control;
  const problems: string[] = [];
  if (r.acknowledged < acknowledged)
    problems.push(
      `seed ${r.seed}: ${r.acknowledged} writes acknowledged (send ops ok + transactions committed), at least ${acknowledged} required for this scenario to test anything`,
    );
  if (r.valuesRead < read)
    problems.push(`seed ${r.seed}: ${r.valuesRead} values read, at least ${read} required for this scenario to test anything`);
  return problems;
}

/** Judges a scenario's runs against its expectation (pure). */
export function judge(s: Scenario, runs: ScenarioRun[]): Pick<ScenarioOutcome, "found" | "met" | "problems"> {
  const problems: string[] = [];
  const e = s.expect;
  for (const r of runs) {
    const v = verdictName(r.valid);
    if (e.verdict && !(e.verdict === v || (e.verdict === "not-invalid" && v !== "invalid"))) {
      problems.push(
        `seed ${r.seed}: verdict ${v}, expected ${e.verdict}${r.forbidden.length ? ` (forbidden: ${r.forbidden.join(", ")})` : ""}`,
      );
    }
    const seen = e.never.filter((t) => r.anomalies[t as AnomalyType]);
    if (seen.length) problems.push(`seed ${r.seed}: found ${seen.join(", ")}, which must never happen here`);
    problems.push(...faultProblems(e, r), ...exercisedProblems(e, r));
  }
  const found = runs.filter((r) => e.finds.some((t) => r.anomalies[t as AnomalyType])).length;
  if (e.finds.length && found === 0 && !e.findsOptional) {
    problems.push(
      `none of ${runs.length} run(s) found ${e.finds.join(" or ")}: the workload or faults did not expose what this configuration permits`,
    );
  }
  return { found, met: problems.length === 0, problems };
}
