// Runs a suite: each scenario's runs in turn, each judged against the scenario's expectation, and a
// summary table. A scenario that expects a detection keeps running with new seeds (up to maxRuns)
// until it finds it, and says how often it did.
import type { AnomalyType } from "../../checkers/index.ts";
import type { Cluster } from "../cluster/cluster.ts";
import { executeRun, type RunOutcome } from "../run/runner.ts";
import { sharedClusters } from "../run/shared-cluster.ts";
import { storeExpectation } from "../run/stored-run.ts";
import type { TestSpec } from "../spec/test-spec.ts";
import { secondsSince } from "../util/wait.ts";
import { judge, type ScenarioOutcome, type ScenarioRun, scenarioRunOf, storedExpectation } from "./judge.ts";
import { eta, type PlannedRuns, runHeader, runResultLine } from "./progress.ts";
import { type Scenario, type Suite, scenarioSeeds, scenarioSpec, shareClusterOf } from "./suite-file.ts";
import { configLabel, faultsLabel } from "./table.ts";

/** The runs a scenario makes: its `runs`, and up to all its seeds for a detection that has not found. */
function plannedRuns(suite: Suite, index: number): PlannedRuns {
  const s = suite.scenarios[index]!;
  const seeds = scenarioSeeds(suite, index).length;
  return { min: Math.min(s.runs, seeds), max: s.expect.finds.length ? seeds : Math.min(s.runs, seeds) };
}

export async function runSuite(
  suite: Suite,
  opts: {
    storeRoot?: string;
    progress?: (m: string) => void;
    /** Scenario names to run (a name from the file selects each of its clients). */
    only?: string[];
    /** Runs with equal cluster specs share one cluster, started and stopped here (default: the
     *  suite file's shareCluster, else off). */
    shareCluster?: boolean;
    /** A running cluster for every run (the caller stops it). */
    cluster?: Cluster;
  } = {},
): Promise<ScenarioOutcome[]> {
  const progress = opts.progress ?? (() => {});
  const outcomes: ScenarioOutcome[] = [];
  // With shareCluster, runs whose cluster specs are equal share one cluster (a fresh topic each).
  const share = shareClusterOf(suite, opts.shareCluster);
  const clusters = sharedClusters({ given: opts.cluster, share, progress });
  // A scenario's file name selects every client it expands to.
  const chosen = suite.scenarios.flatMap((s, index) =>
    opts.only?.length && !opts.only.includes(s.name) && !opts.only.includes(s.base) ? [] : [index],
  );
  // Sharing keeps one cluster at a time: scenarios of one cluster shape run together, so each shape starts once.
  const selected = share ? byClusterShape(suite, chosen) : chosen;
  const planned = new Map(selected.map((i) => [i, plannedRuns(suite, i)]));
  // Runs still planned at least; a detection that needs more seeds adds to it as it goes.
  let remaining = [...planned.values()].reduce((a, p) => a + p.min, 0);
  const durations: number[] = [];
  try {
    for (const index of selected) {
      const s = suite.scenarios[index]!;
      const seeds = scenarioSeeds(suite, index);
      const runsOf = planned.get(index)!;
      const started = performance.now();
      const runs: ScenarioRun[] = [];
      let first: TestSpec | undefined;
      for (const seed of seeds) {
        const spec = scenarioSpec(suite, index, seed);
        first ??= spec;
        if (runs.length >= runsOf.min) remaining++; // a run past the minimum: a detection still looking
        const header = runHeader(durations.length, durations.length + remaining, s.name, runs.length + 1, runsOf);
        progress(`suite ${suite.name}: ${header} (seed ${seed})${eta(durations, remaining)}`);
        const runStarted = performance.now();
        const cluster = await clusters.clusterFor(spec.cluster);
        const run = scenarioRunOf(
          await executeRun(spec, { storeRoot: opts.storeRoot, progress, cluster, command: `kafka-harness suite (scenario ${s.name})` }),
        );
        runs.push(run);
        durations.push(secondsSince(runStarted));
        remaining--;
        progress(`suite ${suite.name}: ${header}: ${runResultLine(run, durations.at(-1)!)}`);
        const enough = runs.length >= s.runs;
        const detected = s.expect.finds.length === 0 || runs.some((r) => s.expect.finds.some((t) => r.anomalies[t as AnomalyType]));
        if (enough && detected) break;
      }
      const outcome: ScenarioOutcome = {
        name: s.name,
        config: configLabel(first!),
        faults: faultsLabel(first!),
        runs,
        ...judge(s, runs),
        seconds: secondsSince(started),
      };
      outcomes.push(outcome);
      await storeJudgement(suite.name, outcome, progress);
    }
  } finally {
    await clusters.stop();
  }
  // The outcomes in the file's order, whatever order they ran in.
  return chosen.flatMap((i) => outcomes.filter((o) => o.name === suite.scenarios[i]!.name));
}

/** The scenarios grouped by cluster spec, each group where its first scenario is in the file, the
 *  file's order within a group. */
export function byClusterShape(suite: Suite, indices: readonly number[]): number[] {
  const groups = new Map<string, number[]>();
  for (const i of indices) {
    const key = JSON.stringify(scenarioSpec(suite, i, 0).cluster);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  return [...groups.values()].flat();
}

/** The scenario's judgement beside each of its runs (expectation.json), read by the store's index. */
export const storeJudgement = (suite: string, o: ScenarioOutcome, progress: (m: string) => void): Promise<void> =>
  storeExpectation(
    o.runs.map((r) => r.dir),
    storedExpectation(suite, o, new Date()),
    progress,
  );
