// Runs and checks as functions: one test run end to end with the history it recorded, what a spec
// will do without a cluster, and a history checked against a configuration or a whole spec.

import { type CheckConfig, check, type History, type Results } from "../../checkers/index.ts";
import { checkConfigOfSpec } from "../../checkers/spec-config.ts";
import type { Schedule } from "../nemesis/schedule.ts";
import { previewOf } from "../run/dry-run.ts";
import { executeRun, type RunOptions, type RunOutcome } from "../run/runner.ts";
import { parseTestSpec, type TestSpec, type TestSpecInput } from "../spec/test-spec.ts";
import type { WorkloadPlan } from "../workload/plan.ts";

export type { RunOptions, RunOutcome } from "../run/runner.ts";

/** Everything the runner returns, the history it recorded included (what history.jsonl holds). */
export type TestRun = RunOutcome;

/**
 * One test run end to end: cluster (or the shared `opts.cluster`, with a fresh topic), workload with
 * faults, heal, final reads, check, report. Resolves with the history, results and report path.
 */
export async function runTest(spec: TestSpecInput | TestSpec, opts: RunOptions = {}): Promise<TestRun> {
  return executeRun(spec, opts);
}

/**
 * What a spec will do, without a cluster: the validated spec (seed drawn if missing), the workload
 * plan and the fault schedule its seed generates. Same seed, same plan and schedule.
 */
export function previewRun(spec: TestSpecInput | TestSpec): { spec: TestSpec; plan: WorkloadPlan; faults: Schedule } {
  return previewOf(parseTestSpec(spec));
}

/** Checks a history against what a configuration promises (a CheckConfig, or a whole spec). */
export function checkHistory(history: History, config: CheckConfig | TestSpecInput = {}): Results {
  return check(history, isSpecLike(config) ? checkConfigOfSpec(parseTestSpec(config)) : (config as CheckConfig));
}

export const isSpecLike = (c: object): c is TestSpecInput =>
  ["producer", "topic", "workload", "faults", "cluster", "consumer"].some((k) => k in c);
