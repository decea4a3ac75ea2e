// Detection rates (`npm run bench -- detection [--suite FILE] [--runs N] [--only a,b] [--time-limit S]
// [--rate R] [--cluster JSON] [--seed-base N]`):
// each scenario of the known-answer suite (or of --suite FILE, e.g. suites/faults.yaml) that must find something, and each control that must
// never find something, run N times (default 5) with fresh seeds on one shared cluster;
// --time-limit and --rate override every chosen scenario's workload, so trying other settings is
// one command, not an edit of the suite file; --cluster lays a JSON object over every scenario's
// cluster spec (a baseline: '{"controllerSocketTimeoutMs":30000}' is Kafka's default), and
// --seed-base N repeats an earlier bench run's seeds (it prints its base), so a change meets the
// same fault schedules. Prints, per scenario: in how many runs the expected
// anomaly was found, detections per minute of run time (found runs over the runs' wall minutes,
// the shared cluster's start excluded) beside the time limit and rate they ran with, the median time from the first applied fault to the first
// acknowledged-then-lost write, the forbidden findings of the controls, the faults effective and
// applied in each run, in how many runs the scenario's expectation (suite/judge.ts) was met, and the
// seconds from the workload's end to the final reads (heal, then the wait until every replica is in sync),
// and each run's acknowledged writes lost (of how many acknowledged) with their median and range, so
// "loses more" is judged on counts, not only on whether a run lost anything.
// Needs a Docker engine; takes about a minute per run. Prints figures; asserts nothing.

import { faultIntervals } from "../checkers/faults.ts";
import type { AnomalyType, History, LossSummary, Results } from "../checkers/index.ts";
import { readHistoryFile } from "../checkers/index.ts";
import { lossOf } from "../checkers/loss-summary.ts";
import { HARNESS_PROCESS } from "../checkers/phases.ts";
import { DEFAULT_SUITE } from "../harness/cli.ts";
import type { Cluster } from "../harness/cluster/cluster.ts";
import { executeRun } from "../harness/run/runner.ts";
import { onLeasedCluster, type SharedClusters, sharedClusters } from "../harness/run/shared-cluster.ts";
import { clusterFor } from "../harness/spec/disk-layer.ts";
import type { TestSpec } from "../harness/spec/test-spec.ts";
import { judge, scenarioRunOf } from "../harness/suite/judge.ts";
import { readSuiteFile, type Suite, scenarioSpec } from "../harness/suite/suite-file.ts";
import { deepMerge, type Plain } from "../harness/util/merge.ts";

interface Row {
  scenario: string;
  kind: "detection" | "control";
  runs: number;
  found: number;
  lossDelays: number[];
  forbidden: number;
  /** Per run: faults effective / applied. */
  faults: string[];
  /** Runs that met the scenario's expectation on their own (a detection's finds aside). */
  met: number;
  seeds: number[];
  /** Wall time of each run (executeRun: topic, workload, heal, final reads, check), ms. */
  wallMs: number[];
  /** Per run: seconds from the workload's end to the final reads (recoverySeconds). */
  recovery: (number | undefined)[];
  timeLimitSeconds: number;
  rate: number;
  /** Per run: acknowledged writes lost, of how many (results.loss). */
  losses: LossSummary[];
}

/** The workload settings the command line overrides (undefined: the suite's own). */
export interface WorkloadOverride {
  timeLimitSeconds?: number;
  rate?: number;
}

/** --time-limit S and --rate R, checked: a typo must not silently run the suite's settings. */
export function workloadOverride(flag: (name: string) => string | undefined): WorkloadOverride {
  const num = (name: string) => {
    const v = flag(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(n > 0)) throw new Error(`${name} must be a positive number, not ${v}`);
    return n;
  };
  const timeLimitSeconds = num("--time-limit");
  const rate = num("--rate");
  return { ...(timeLimitSeconds !== undefined ? { timeLimitSeconds } : {}), ...(rate !== undefined ? { rate } : {}) };
}

/** The suite with the override laid over every scenario's own workload (its spec, not just the defaults). */
export function withWorkload(suite: Suite, o: WorkloadOverride): Suite {
  if (o.timeLimitSeconds === undefined && o.rate === undefined) return suite;
  const workload = { ...o } as Plain;
  return { ...suite, scenarios: suite.scenarios.map((s) => ({ ...s, spec: deepMerge(s.spec as Plain, { workload }) })) };
}

/** --only names a scenario as the suite file does: `acks1-leader-isolated` picks each of its
 *  per-client runs (`acks1-leader-isolated.kafkajs`, ...), a full name just that one. */
export const chosen = (only: string, scenario: string) => scenario === only || scenario.startsWith(`${only}.`);

/** The suite with `cluster` laid over every scenario's own cluster spec. */
export function withCluster(suite: Suite, cluster: Plain | undefined): Suite {
  if (!cluster) return suite;
  return { ...suite, scenarios: suite.scenarios.map((s) => ({ ...s, spec: deepMerge(s.spec as Plain, { cluster }) })) };
}

/** Seconds from the workload marker's completion to the final reads' invocation: heal, then the
 *  wait until every replica of the topic is in sync (docs/design.md, "Phases of a run"). */
export function recoverySeconds(history: History): number | undefined {
  const marker = (f: string, done: boolean) =>
    history.find((op) => op.process === HARNESS_PROCESS && op.f === f && (op.type === "invoke") !== done);
  const end = marker("workload", true);
  const reads = marker("final-reads", false);
  return end && reads ? Math.round((reads.time - end.time) / 1e8) / 10 : undefined;
}

/** Detections per minute of run time: found runs over the runs' summed wall minutes. */
export function detectionsPerMinute(found: number, wallMs: readonly number[]): number | undefined {
  const total = wallMs.reduce((a, b) => a + b, 0);
  return total > 0 ? found / (total / 60_000) : undefined;
}

const LOSS: AnomalyType[] = ["lost-write", "unseen", "committed-lost"];

/** ms from the first applied fault to the earliest acknowledgement among the lost values the
 *  checker kept as examples (up to 32 per type: an upper bound on the first loss). */
export function firstLossDelayMs(history: History, results: Results): number | undefined {
  const applied = faultIntervals(history).faults.filter((f) => f.type === "ok");
  if (applied.length === 0) return undefined;
  const firstFault = Math.min(...applied.map((f) => f.start));
  const byIndex = new Map(history.map((op) => [op.index, op]));
  let first = Infinity;
  for (const t of LOSS) {
    for (const ex of results.anomalies[t]?.examples ?? []) {
      for (const i of ex.ops) {
        const op = byIndex.get(i);
        if (op && op.type !== "invoke" && (op.f === "send" || op.f === "txn") && op.time < first) first = op.time;
      }
    }
  }
  return Number.isFinite(first) ? Math.round((first - firstFault) / 1e6) : undefined;
}

/** One run's loss as the bench prints it: "30/1,142"; writes never read when the final reads did
 *  not complete are not counted as lost, but said ("+4 undecided"). */
export function runLossCell(l: Pick<LossSummary, "lost" | "acknowledged" | "undecided">): string {
  const n = (x: number) => x.toLocaleString("en");
  return `${n(l.lost)}/${n(l.acknowledged)}${l.undecided > 0 ? ` +${n(l.undecided)} undecided` : ""}`;
}

/** The runs' lost counts: "median (min-max)", e.g. "30 (3-46)"; "-" without runs. */
export function lossRangeCell(losses: readonly Pick<LossSummary, "lost">[]): string {
  const lost = losses.map((l) => l.lost);
  const m = median(lost);
  if (m === undefined) return "-";
  return `${m} (${Math.min(...lost)}-${Math.max(...lost)})`;
}

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** One run on a leased cluster of the run's shape: the spec's cluster with the disk layer when its
 *  faults need it (clusterFor), as a suite leases it, or a disk fault meets a broker without the layer
 *  and is refused. The wall time starts once the (shared) cluster is ready: its start is not the run's. */
export async function benchRun<T>(
  clusters: SharedClusters,
  spec: TestSpec,
  execute: (cluster: Cluster | undefined) => Promise<T>,
): Promise<{ out: T; wallMs: number }> {
  let started = 0;
  const out = await onLeasedCluster(clusters, clusterFor(spec), (cluster) => {
    started = Date.now();
    return execute(cluster);
  });
  return { out, wallMs: Date.now() - started };
}

export async function benchDetection(args: string[]): Promise<void> {
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const runs = Number(flag("--runs") ?? 5);
  const only = flag("--only")?.split(",");
  const override = workloadOverride(flag);
  const clusterFlag = flag("--cluster");
  const suiteFile = flag("--suite") ?? DEFAULT_SUITE;
  const suite = withCluster(
    withWorkload(await readSuiteFile(suiteFile), override),
    clusterFlag ? (JSON.parse(clusterFlag) as Plain) : undefined,
  );
  console.log(
    `detection bench: ${suiteFile}, ${runs} runs per scenario; workload ${
      override.timeLimitSeconds !== undefined || override.rate !== undefined
        ? `overridden: time limit ${override.timeLimitSeconds ?? "(suite's)"} s, rate ${override.rate ?? "(suite's)"}/s`
        : "as in the suite file"
    }${clusterFlag ? `; cluster overridden: ${clusterFlag}` : ""}`,
  );
  const progress = (m: string) => console.error(m);
  const clusters = sharedClusters({ share: true, progress });
  const rows: Row[] = [];
  // Fresh seeds each time the bench runs, unless --seed-base repeats an earlier run's (its header).
  const base = Number(flag("--seed-base") ?? Date.now() % 2 ** 30);
  console.log(`seed base ${base}`);
  try {
    for (const [index, s] of suite.scenarios.entries()) {
      if (only && !only.some((o) => chosen(o, s.name))) continue;
      const kind = s.expect.finds.length ? "detection" : s.expect.never.length ? "control" : undefined;
      if (!kind) continue;
      const first = scenarioSpec(suite, index, 0).workload;
      const row: Row = {
        scenario: s.name,
        kind,
        runs: 0,
        found: 0,
        lossDelays: [],
        forbidden: 0,
        faults: [],
        met: 0,
        seeds: [],
        wallMs: [],
        recovery: [],
        timeLimitSeconds: first.timeLimitSeconds,
        rate: first.rate,
        losses: [],
      };
      rows.push(row);
      for (let k = 0; k < runs; k++) {
        const seed = (base + index * 7919 + k * 104_729) % 2 ** 31;
        const spec = scenarioSpec(suite, index, seed);
        progress(`detection: ${s.name} run ${k + 1}/${runs} (seed ${seed})`);
        const { out, wallMs } = await benchRun(clusters, spec, (cluster) =>
          executeRun(spec, {
            storeRoot: "store/bench-detection",
            progress,
            cluster,
            command: `npm run bench -- detection (${s.name})`,
          }),
        );
        row.wallMs.push(wallMs);
        const history = await readHistoryFile(out.historyPath);
        row.runs++;
        row.seeds.push(seed);
        row.recovery.push(recoverySeconds(history));
        row.losses.push(lossOf(out.results));
        const f = out.results.faults;
        row.faults.push(`${f?.effective ?? 0}/${f?.applied ?? 0}`);
        // Judged alone, a detection run need not find anything: only the other expectations count here.
        if (judge({ ...s, expect: { ...s.expect, finds: [] } }, [scenarioRunOf(out)]).met) row.met++;
        const targets = kind === "detection" ? s.expect.finds : s.expect.never;
        const hit = targets.some((t) => out.results.anomalies[t as AnomalyType]);
        if (kind === "detection" && hit) {
          row.found++;
          const delay = firstLossDelayMs(history, out.results);
          if (delay !== undefined) row.lossDelays.push(delay);
        }
        if (kind === "control") row.forbidden += out.results.forbidden.reduce((a, t) => a + out.results.anomalies[t]!.count, 0);
      }
    }
  } finally {
    await clusters.stop();
  }
  const table = [
    [
      "scenario",
      "kind",
      "found in",
      "per minute (time limit, rate)",
      "median first fault → first lost ack",
      "forbidden findings",
      "runs met",
      "faults effective/applied per run",
      "workload end → final reads, s (median; per run)",
      "acknowledged writes lost, median (range)",
      "lost/acknowledged per run",
      "seeds",
    ],
  ];
  for (const r of rows) {
    const m = median(r.lossDelays);
    table.push([
      r.scenario,
      r.kind,
      r.kind === "detection" ? `${r.found}/${r.runs}` : "-",
      `${r.kind === "detection" ? (detectionsPerMinute(r.found, r.wallMs)?.toFixed(2) ?? "-") : "-"} (${r.timeLimitSeconds} s, ${r.rate}/s; ${(r.wallMs.reduce((a, b) => a + b, 0) / 1000 / Math.max(1, r.runs)).toFixed(0)} s a run)`,
      r.kind === "detection" ? (m === undefined ? "-" : `${(m / 1000).toFixed(1)} s`) : "-",
      r.kind === "control" ? String(r.forbidden) : "-",
      `${r.met}/${r.runs}`,
      r.faults.join(","),
      `${median(r.recovery.filter((x) => x !== undefined))?.toFixed(1) ?? "-"} (${r.recovery.map((x) => x ?? "-").join(", ")})`,
      lossRangeCell(r.losses),
      r.losses.map(runLossCell).join(", "),
      r.seeds.join(","),
    ]);
  }
  console.log(
    `| ${table[0]!.join(" | ")} |\n|${table[0]!.map(() => "---").join("|")}|\n${table
      .slice(1)
      .map((r) => `| ${r.join(" | ")} |`)
      .join("\n")}`,
  );
}
