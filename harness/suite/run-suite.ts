// Runs a suite: each scenario's runs in turn, each judged against the scenario's expectation, and a
// summary table. A scenario that expects a detection keeps running with new seeds (up to maxRuns)
// until it finds it, and says how often it did.
import type { AnomalyType } from "../../checkers/index.ts";
import { READY_TOPIC, startCluster, type Cluster } from "../cluster/cluster.ts";
import { waitTopicInSync } from "../cluster/readiness.ts";
import { runTest, type RunOutcome } from "../run/runner.ts";
import { scenarioSeeds, scenarioSpec, type Scenario, type Suite } from "./suite-file.ts";
import type { TestSpec } from "../spec/test-spec.ts";
import { secondsSince } from "../util/wait.ts";

export interface RunSummary {
  seed: number;
  dir: string;
  valid: boolean | "unknown";
  ops: number;
  sendsOk: number;
  anomalies: Partial<Record<AnomalyType, number>>;
  forbidden: AnomalyType[];
}

export interface ScenarioOutcome {
  name: string;
  config: string;
  faults: string;
  runs: RunSummary[];
  /** How many runs found one of `expect.finds`. */
  found: number;
  met: boolean;
  problems: string[];
  /** Wall-clock seconds of the scenario's runs. */
  seconds: number;
}

export function describeConfig(spec: TestSpec): string {
  const p = spec.producer;
  return [
    `acks=${p.acks}`,
    `minISR=${spec.topic.minInsyncReplicas}`,
    spec.topic.uncleanLeaderElection ? "unclean" : "",
    p.idempotent ? "idempotent" : "",
    `inflight=${p.maxInFlight}`,
    spec.consumer.mode === "subscribe" ? "subscribe" : "",
  ]
    .filter(Boolean)
    .join(" ");
}

export function describeFaults(spec: TestSpec): string {
  const f = spec.faults;
  if (f.schedule) {
    return f.schedule.map((e) => `${e.fault === "partition" ? e.topology : e.fault}${"targets" in e && e.targets ? `@${e.targets.kind === "leader" ? `leader(${e.targets.of})` : e.targets.kind}` : ""}`).join(" then ");
  }
  return f.kinds.length ? `${f.kinds.join(",")} @ ${f.targets.join(",")}` : "none";
}

export function summarizeRun(o: RunOutcome): RunSummary {
  const anomalies: Partial<Record<AnomalyType, number>> = {};
  for (const t of o.results.anomalyTypes) anomalies[t] = o.results.anomalies[t]!.count;
  return {
    seed: o.spec.seed, dir: o.dir, valid: o.results.valid, ops: o.results.stats.ops, sendsOk: o.results.stats.sends.ok,
    anomalies, forbidden: o.results.forbidden,
  };
}

/** Judges a scenario's runs against its expectation (pure). */
export function judge(s: Scenario, runs: RunSummary[]): Pick<ScenarioOutcome, "found" | "met" | "problems"> {
  const problems: string[] = [];
  const e = s.expect;
  for (const r of runs) {
    const v = r.valid === true ? "valid" : r.valid === false ? "invalid" : "unknown";
    if (e.verdict && !(e.verdict === v || (e.verdict === "not-invalid" && v !== "invalid"))) {
      problems.push(`seed ${r.seed}: verdict ${v}, expected ${e.verdict}${r.forbidden.length ? ` (forbidden: ${r.forbidden.join(", ")})` : ""}`);
    }
    const seen = e.never.filter((t) => r.anomalies[t as AnomalyType]);
    if (seen.length) problems.push(`seed ${r.seed}: found ${seen.join(", ")}, which must never happen here`);
  }
  const found = runs.filter((r) => e.finds.some((t) => r.anomalies[t as AnomalyType])).length;
  if (e.finds.length && found === 0 && !e.findsOptional) {
    problems.push(`none of ${runs.length} run(s) found ${e.finds.join(" or ")}: the workload or faults did not expose what this configuration permits`);
  }
  return { found, met: problems.length === 0, problems };
}

export async function runSuite(
  suite: Suite,
  opts: {
    storeRoot?: string;
    progress?: (m: string) => void;
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
  let shared: { key: string; cluster: Cluster } | undefined;
  const clusterFor = async (spec: TestSpec): Promise<Cluster | undefined> => {
    let cluster = opts.cluster;
    if (!cluster && opts.shareCluster) {
      const key = JSON.stringify(spec.cluster);
      if (shared?.key !== key) {
        await shared?.cluster.stop();
        shared = { key, cluster: await startCluster(spec.cluster, { progress }) };
      }
      cluster = shared.cluster;
    }
    // The previous run healed its faults; make sure the whole cluster is back before the next.
    if (cluster) await waitTopicInSync(cluster.bootstrap(), READY_TOPIC, 120_000);
    return cluster;
  };
  try {
    for (const [index, s] of suite.scenarios.entries()) {
      if (opts.only?.length && !opts.only.includes(s.name)) continue;
      const seeds = scenarioSeeds(suite, index);
      const started = performance.now();
      const runs: RunSummary[] = [];
      let first: TestSpec | undefined;
      for (const seed of seeds) {
        const spec = scenarioSpec(suite, index, seed);
        first ??= spec;
        progress(`suite ${suite.name}: ${s.name} run ${runs.length + 1}/${seeds.length} (seed ${seed})`);
        const cluster = await clusterFor(spec);
        runs.push(summarizeRun(await runTest(spec, { storeRoot: opts.storeRoot, progress, cluster, command: `kafka-harness suite (scenario ${s.name})` })));
        const enough = runs.length >= s.runs;
        const detected = s.expect.finds.length === 0 || runs.some((r) => s.expect.finds.some((t) => r.anomalies[t as AnomalyType]));
        if (enough && detected) break;
      }
      outcomes.push({
        name: s.name,
        config: describeConfig(first!),
        faults: describeFaults(first!),
        runs,
        ...judge(s, runs),
        seconds: secondsSince(started),
      });
    }
  } finally {
    await shared?.cluster.stop();
  }
  return outcomes;
}

export function formatSuiteTable(outcomes: ScenarioOutcome[]): string {
  const rows = [["scenario", "configuration", "faults", "runs", "ops", "anomalies (* forbidden)", "verdicts", "expectation"]];
  for (const o of outcomes) {
    const totals = new Map<string, number>();
    const forbidden = new Set<string>();
    for (const r of o.runs) {
      for (const [t, n] of Object.entries(r.anomalies)) totals.set(t, (totals.get(t) ?? 0) + (n ?? 0));
      for (const t of r.forbidden) forbidden.add(t);
    }
    const anomalies = [...totals].map(([t, n]) => `${t}${forbidden.has(t) ? "*" : ""}:${n}`).join(" ") || "none";
    const verdicts = o.runs.map((r) => (r.valid === true ? "valid" : r.valid === false ? "INVALID" : "unknown")).join(",");
    rows.push([
      o.name, o.config, o.faults, String(o.runs.length), String(o.runs.reduce((a, r) => a + r.ops, 0)), anomalies, verdicts,
      o.met ? `met${o.found ? ` (found in ${o.found}/${o.runs.length})` : ""}` : "NOT MET",
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.min(60, Math.max(...rows.map((r) => r[c]!.length))));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ")).join("\n");
}
