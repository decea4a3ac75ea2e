// Runs a suite: each scenario's runs in turn, each judged against the scenario's expectation, and a
// summary table. A scenario that expects a detection keeps running with new seeds (up to maxRuns)
// until it finds it, and says how often it did.
import type { AnomalyType } from "../../checkers/index.ts";
import type { Cluster } from "../cluster/cluster.ts";
import { executeRun, type RunOutcome } from "../run/runner.ts";
import { sharedClusters } from "../run/shared-cluster.ts";
import type { TestSpec } from "../spec/test-spec.ts";
import { secondsSince } from "../util/wait.ts";
import { judge, type ScenarioOutcome, type ScenarioRun, scenarioRunOf } from "./judge.ts";
import { type Scenario, type Suite, scenarioSeeds, scenarioSpec } from "./suite-file.ts";
import { configLabel, faultsLabel } from "./table.ts";

export async function runSuite(
  suite: Suite,
  opts: {
    storeRoot?: string;
    progress?: (m: string) => void;
    /** Scenario names to run (a name from the file selects each of its clients). */
    only?: string[];
    /** Runs with equal cluster specs share one cluster, started and stopped here. */
    shareCluster?: boolean;
    /** A running cluster for every run (the caller stops it). */
    cluster?: Cluster;
  } = {},
): Promise<ScenarioOutcome[]> {
  const progress = opts.progress ?? (() => {});
  const outcomes: ScenarioOutcome[] = [];
  // With shareCluster, runs whose cluster specs are equal share one cluster (a fresh topic each).
  const clusters = sharedClusters({ given: opts.cluster, share: opts.shareCluster, progress });
  try {
    for (const [index, s] of suite.scenarios.entries()) {
      // A scenario's file name selects every client it expands to.
      if (opts.only?.length && !opts.only.includes(s.name) && !opts.only.includes(s.base)) continue;
      const seeds = scenarioSeeds(suite, index);
      const started = performance.now();
      const runs: ScenarioRun[] = [];
      let first: TestSpec | undefined;
      for (const seed of seeds) {
        const spec = scenarioSpec(suite, index, seed);
        first ??= spec;
        progress(`suite ${suite.name}: ${s.name} run ${runs.length + 1}/${seeds.length} (seed ${seed})`);
        const cluster = await clusters.clusterFor(spec.cluster);
        runs.push(
          scenarioRunOf(
            await executeRun(spec, { storeRoot: opts.storeRoot, progress, cluster, command: `kafka-harness suite (scenario ${s.name})` }),
          ),
        );
        const enough = runs.length >= s.runs;
        const detected = s.expect.finds.length === 0 || runs.some((r) => s.expect.finds.some((t) => r.anomalies[t as AnomalyType]));
        if (enough && detected) break;
      }
      outcomes.push({
        name: s.name,
        config: configLabel(first!),
        faults: faultsLabel(first!),
        runs,
        ...judge(s, runs),
        seconds: secondsSince(started),
      });
    }
  } finally {
    await clusters.stop();
  }
  return outcomes;
}
