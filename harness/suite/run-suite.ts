// Runs a suite: each scenario's runs in turn, each judged against the scenario's expectation, and a
// summary table. A scenario that expects a detection keeps running with new seeds (up to maxRuns)
// until it finds it, and says how often it did. With `parallel`, that many scenarios run side by
// side, each run on a cluster it holds alone.

import type { AnomalyType } from "../../checkers/index.ts";
import type { Cluster } from "../cluster/cluster.ts";
import { executeRun, type RunOutcome } from "../run/runner.ts";
import { onLeasedCluster, sharedClusters } from "../run/shared-cluster.ts";
import { storeExpectation } from "../run/stored-run.ts";
import { clusterKind } from "../spec/cluster.ts";
import { clusterFor } from "../spec/disk-layer.ts";
import type { TestSpec } from "../spec/test-spec.ts";
import { secondsSince } from "../util/wait.ts";
import { foundIn, judge, type ScenarioOutcome, type ScenarioRun, scenarioRunOf, storedExpectation } from "./judge.ts";
import { eta, type PlannedRuns, runHeader, runResultLine } from "./progress.ts";
import { isDetection, parallelOf, type Scenario, type Suite, scenarioSeeds, scenarioSpec, shareClusterOf } from "./suite-file.ts";
import { configLabel, faultsLabel } from "./table.ts";

/** The runs a scenario makes: its `runs`, and up to all its seeds for a detection that has not found. */
function plannedRuns(suite: Suite, index: number): PlannedRuns {
  const s = suite.scenarios[index]!;
  const seeds = scenarioSeeds(suite, index).length;
  return { min: Math.min(s.runs, seeds), max: isDetection(s.expect) ? seeds : Math.min(s.runs, seeds) };
}

/** How many scenarios run side by side: the flag, else the file's, at most one per scenario; and
 *  one when a scenario runs on nodes the harness did not start (attached, or ssh hosts), which are
 *  one cluster whatever the spec says: two runs side by side would fault each other's nodes. */
export function suiteLanes(suite: Suite, chosen: readonly number[], flag: number | undefined): { lanes: number; note?: string } {
  const asked = parallelOf(suite, flag);
  const foreign = chosen.some((i) => clusterKind(scenarioSpec(suite, i, 0).cluster) !== "docker");
  if (foreign && asked > 1)
    return {
      lanes: 1,
      note: "suite: runs on clusters the harness did not start go one at a time (side by side they would fault each other's nodes)",
    };
  return { lanes: Math.min(asked, Math.max(1, chosen.length)) };
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
    /** Scenarios run this many at a time, each on a cluster of its own (default: the suite
     *  file's parallel, else 1). */
    parallel?: number;
    /** A running cluster for every run (the caller stops it). */
    cluster?: Cluster;
  } = {},
): Promise<ScenarioOutcome[]> {
  const progress = opts.progress ?? (() => {});
  const outcomes: ScenarioOutcome[] = [];
  // With shareCluster, runs whose cluster specs are equal share one cluster (a fresh topic each).
  const share = shareClusterOf(suite, opts.shareCluster);
  // A scenario's file name selects every client it expands to.
  const chosen = suite.scenarios.flatMap((s, index) =>
    opts.only?.length && !opts.only.includes(s.name) && !opts.only.includes(s.base) ? [] : [index],
  );
  const { lanes, note } = suiteLanes(suite, chosen, opts.parallel);
  if (note) progress(note);
  // At most `lanes` clusters at once, a given cluster counted among them (one of the suite's own
  // always allowed, for the runs the given one does not fit).
  const clusters = sharedClusters({ given: opts.cluster, share, maxOwn: lanes - (opts.cluster ? 1 : 0), progress });
  // Sharing keeps one cluster per lane: scenarios of one cluster shape run together, so each shape starts once per lane.
  const queue = share ? byClusterShape(suite, chosen, lanes > 1) : [...chosen];
  const planned = new Map(queue.map((i) => [i, plannedRuns(suite, i)]));
  // Runs still planned at least; a detection that needs more seeds adds to it as it goes.
  let remaining = [...planned.values()].reduce((a, p) => a + p.min, 0);
  let started = 0;
  const durations: number[] = [];

  async function runScenario(index: number): Promise<void> {
    const s = suite.scenarios[index]!;
    // Side by side, each run's own lines say whose they are.
    const runProgress = lanes > 1 ? (m: string) => progress(`[${s.name}] ${m}`) : progress;
    const seeds = scenarioSeeds(suite, index);
    const runsOf = planned.get(index)!;
    const scenarioStarted = performance.now();
    const runs: ScenarioRun[] = [];
    let first: TestSpec | undefined;
    for (const seed of seeds) {
      const spec = scenarioSpec(suite, index, seed);
      first ??= spec;
      if (runs.length >= runsOf.min) remaining++; // a run past the minimum: a detection still looking
      const header = runHeader(started++, durations.length + remaining, s.name, runs.length + 1, runsOf);
      progress(`suite ${suite.name}: ${header} (seed ${seed})${eta(durations, remaining, lanes)}`);
      const runStarted = performance.now();
      const run = await onLeasedCluster(clusters, clusterFor(spec), async (cluster) =>
        scenarioRunOf(
          await executeRun(spec, {
            storeRoot: opts.storeRoot,
            progress: runProgress,
            cluster,
            command: `kafka-harness suite (scenario ${s.name})`,
          }),
        ),
      );
      runs.push(run);
      durations.push(secondsSince(runStarted));
      remaining--;
      progress(`suite ${suite.name}: ${header}: ${runResultLine(run, durations.at(-1)!)}`);
      const enough = runs.length >= s.runs;
      const detected = !isDetection(s.expect) || foundIn(s.expect, runs) > 0;
      if (enough && detected) break;
    }
    const outcome: ScenarioOutcome = {
      name: s.name,
      config: configLabel(first!),
      faults: faultsLabel(first!),
      runs,
      ...judge(s, runs),
      seconds: secondsSince(scenarioStarted),
    };
    outcomes.push(outcome);
    await storeJudgement(suite.name, outcome, progress);
  }

  // Each lane takes the next scenario until none is left; a lane that fails stops the others from
  // taking more, and the first failure is the suite's once every lane has ended.
  let failed = false;
  const lane = async () => {
    for (let i = queue.shift(); i !== undefined && !failed; i = queue.shift()) {
      try {
        await runScenario(i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  try {
    const ended = await Promise.allSettled(Array.from({ length: lanes }, lane));
    const failure = ended.find((e) => e.status === "rejected");
    if (failure) throw failure.reason;
  } finally {
    await clusters.stop();
  }
  // The outcomes in the file's order, whatever order they ran in.
  return chosen.flatMap((i) => outcomes.filter((o) => o.name === suite.scenarios[i]!.name));
}

/** The scenarios grouped by cluster spec, each group where its first scenario is in the file, the
 *  file's order within a group. Side by side (`smallFirst`), the smaller groups go first: a lane
 *  switches cluster shape early, and the many runs of the common shape even out the lanes' ends. */
export function byClusterShape(suite: Suite, indices: readonly number[], smallFirst = false): number[] {
  const groups = new Map<string, number[]>();
  for (const i of indices) {
    const key = JSON.stringify(scenarioSpec(suite, i, 0).cluster);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  const ordered = [...groups.values()];
  // Array.prototype.sort is stable: groups of one size keep the file's order.
  if (smallFirst) ordered.sort((a, b) => a.length - b.length);
  return ordered.flat();
}

/** The scenario's judgement beside each of its runs (expectation.json), read by the store's index. */
export const storeJudgement = (suite: string, o: ScenarioOutcome, progress: (m: string) => void): Promise<void> =>
  storeExpectation(
    o.runs.map((r) => r.dir),
    storedExpectation(suite, o, new Date()),
    progress,
  );
