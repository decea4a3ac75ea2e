// The programmatic API (DESIGN.md §9 as functions): run a test, check a history, share one cluster
// between many runs, run suites as data, replay and shrink stored runs, write JUnit XML. This is
// what the package entry (index.ts) exports; the command line is a thin layer over the same calls.
import { checkConfigOfSpec } from "../../checkers/spec-config.ts";
import { check, readHistoryFile, type CheckConfig, type History, type Results } from "../../checkers/index.ts";
import { startCluster, type Cluster } from "../cluster/cluster.ts";
import type { ClusterSpecInput } from "../spec/cluster.ts";
import { runTest as runOne, type RunOptions, type RunOutcome } from "../run/runner.ts";
import { parseTestSpec, type TestSpec, type TestSpecInput } from "../spec/test-spec.ts";
import { faultSchedule } from "../run/fault-driver.ts";
import type { Schedule } from "../nemesis/schedule.ts";
import { generatePlan, type WorkloadPlan } from "../workload/plan.ts";

export type { RunOptions, RunOutcome } from "../run/runner.ts";

/** Everything the runner returns, plus the history it recorded (read back from history.jsonl). */
export interface TestRun extends RunOutcome {
  history: History;
}

/**
 * One test run end to end: cluster (or the shared `opts.cluster`, with a fresh topic), workload with
 * faults, heal, final reads, check, report. Resolves with the history, results and report path.
 */
export async function runTest(spec: TestSpecInput | TestSpec, opts: RunOptions = {}): Promise<TestRun> {
  const out = await runOne(spec, opts);
  const history = await readHistoryFile(out.historyPath);
  return { ...out, history };
}

/**
 * What a spec will do, without a cluster: the validated spec (seed drawn if missing), the workload
 * plan and the fault schedule its seed generates. Same seed, same plan and schedule.
 */
export function previewRun(spec: TestSpecInput | TestSpec): { spec: TestSpec; plan: WorkloadPlan; faults: Schedule } {
  const s = parseTestSpec(spec);
  return { spec: s, plan: generatePlan(s), faults: faultSchedule(s) };
}

/** Checks a history against what a configuration promises (a CheckConfig, or a whole spec). */
export function checkHistory(history: History, config: CheckConfig | TestSpecInput = {}): Results {
  return check(history, isSpecLike(config) ? checkConfigOfSpec(parseTestSpec(config)) : (config as CheckConfig));
}

const isSpecLike = (c: object): c is TestSpecInput => ["producer", "topic", "workload", "faults", "cluster", "consumer"].some((k) => k in c);

/**
 * Starts a cluster to share between runs: pass it as `runTest(spec, { cluster })` and each run gets
 * a fresh topic on it (the spec's cluster shape is replaced by this one). Stop it with `stop()` or
 * `await using`. Accepts a cluster spec or a whole test spec (its `cluster` part is used).
 */
export async function startSharedCluster(spec: ClusterSpecInput | TestSpecInput = {}, opts: { progress?: (m: string) => void } = {}): Promise<Cluster> {
  const clusterSpec = isSpecLike(spec) ? ((spec as TestSpecInput).cluster ?? {}) : (spec as ClusterSpecInput);
  return startCluster(clusterSpec, { progress: opts.progress });
}

export interface HarnessFixture {
  /** Starts the shared cluster (call in beforeAll). */
  setup(): Promise<Cluster>;
  /** Stops it (call in afterAll); safe if setup never ran or failed. */
  teardown(): Promise<void>;
  /** A run on the shared cluster with the fixture's store and progress. */
  run(spec: TestSpecInput | TestSpec): Promise<TestRun>;
  readonly cluster: Cluster;
}

/**
 * One shared cluster for a test file: `const h = harnessFixture(); beforeAll(h.setup); afterAll(h.teardown);`
 * then `await h.run(spec)` in each test.
 */
export function harnessFixture(opts: { cluster?: ClusterSpecInput; storeRoot?: string; progress?: (m: string) => void } = {}): HarnessFixture {
  let cluster: Cluster | undefined;
  return {
    async setup() {
      cluster ??= await startSharedCluster(opts.cluster ?? {}, { progress: opts.progress });
      return cluster;
    },
    async teardown() {
      const c = cluster;
      cluster = undefined;
      await c?.stop();
    },
    async run(spec) {
      if (!cluster) throw new Error("harnessFixture: call setup() (beforeAll) before run()");
      return runTest(spec, { cluster, storeRoot: opts.storeRoot, progress: opts.progress });
    },
    get cluster() {
      if (!cluster) throw new Error("harnessFixture: the cluster is not started (call setup() in beforeAll)");
      return cluster;
    },
  };
}

export { runSuite, formatSuiteTable, judge, type ScenarioOutcome, type RunSummary } from "../suite/run-suite.ts";
export { readSuiteFile, parseSuite, type Suite, type Scenario } from "../suite/suite-file.ts";
export { parseTestSpec, type TestSpec, type TestSpecInput } from "../spec/test-spec.ts";
export { SpecError } from "../spec/errors.ts";
export type { Cluster } from "../cluster/cluster.ts";
export { replayRun, loadStoredSpec, formatReplay, type ReplayOutcome } from "../suite/replay.ts";
export { shrinkRun, shrinkCandidates, type ShrinkOutcome } from "../suite/shrink.ts";
export { suiteToJUnit, writeJUnit } from "../suite/junit.ts";
