// Replay by seed: a stored run (store/<name>/<timestamp>/spec.json) rerun with the same spec and
// seed, N times, and whether the anomaly types of the original appear again. The plan and the fault
// schedule replay exactly; Kafka's timing does not, so the answer is "k of N", not yes or no.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { ANOMALY_TYPES, type AnomalyType, type Results } from "../../checkers/index.ts";
import { READY_TOPIC, startCluster, type Cluster } from "../cluster/cluster.ts";
import { waitTopicInSync } from "../cluster/readiness.ts";
import { SpecError } from "../spec/errors.ts";
import { runTest, type RunOutcome } from "../run/runner.ts";
import { parseTestSpec, type TestSpec } from "../spec/test-spec.ts";

/** The spec of a stored run, without the run metadata (`meta`) the runner stores next to it. */
export async function loadStoredSpec(runDir: string): Promise<TestSpec> {
  const path = join(runDir, "spec.json");
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new SpecError(`run ${runDir}`, [(err as NodeJS.ErrnoException).code === "ENOENT" ? "no spec.json here (is it a run directory?)" : `spec.json is not valid JSON: ${(err as Error).message}`]);
  }
  delete raw.meta;
  return parseTestSpec(raw, path);
}

/**
 * The anomaly types to look for in a stored run (results.json): those its configuration forbids if
 * any, else every type it found (under acks=1 loss is permitted but is what one replays). Permitted
 * noise such as int-send-skip would otherwise count as "reproduced" next to a forbidden anomaly.
 */
export async function loadStoredAnomalies(runDir: string): Promise<AnomalyType[]> {
  try {
    const r = JSON.parse(await readFile(join(runDir, "results.json"), "utf8")) as Pick<Results, "anomalyTypes" | "forbidden">;
    return r.forbidden?.length ? r.forbidden : r.anomalyTypes;
  } catch {
    throw new SpecError(`run ${runDir}`, ["no readable results.json (the run did not finish?)"]);
  }
}

export interface ReplayAttempt {
  dir: string;
  valid: Results["valid"];
  anomalyTypes: AnomalyType[];
  /** Which of the target types this replay found. */
  found: AnomalyType[];
}

export interface ReplayOutcome {
  runDir: string;
  spec: TestSpec;
  /** The anomaly types looked for: the original's, or those asked for. */
  targets: AnomalyType[];
  attempts: ReplayAttempt[];
  /** Replays that found at least one target type. */
  reproduced: number;
  /** Per target type: in how many replays it appeared. */
  perType: Partial<Record<AnomalyType, number>>;
}

export interface ReplayOptions {
  times?: number;
  /** Look for these instead of the original run's anomaly types. */
  anomalies?: AnomalyType[];
  storeRoot?: string;
  progress?: (m: string) => void;
  cluster?: Cluster;
}

/** Summarises replay attempts against the target types (pure). */
export function tallyReplays(targets: AnomalyType[], attempts: Array<Omit<ReplayAttempt, "found">>): Pick<ReplayOutcome, "attempts" | "reproduced" | "perType"> {
  const perType: Partial<Record<AnomalyType, number>> = {};
  const full = attempts.map((a) => {
    const found = targets.filter((t) => a.anomalyTypes.includes(t));
    for (const t of found) perType[t] = (perType[t] ?? 0) + 1;
    return { ...a, found };
  });
  return { attempts: full, reproduced: full.filter((a) => a.found.length > 0).length, perType };
}

export async function replayRun(runDir: string, opts: ReplayOptions = {}): Promise<ReplayOutcome> {
  const spec = await loadStoredSpec(runDir);
  const targets = opts.anomalies ?? (await loadStoredAnomalies(runDir));
  const times = opts.times ?? 1;
  const attempts: Array<Omit<ReplayAttempt, "found">> = [];
  await withSharedCluster(spec, times, opts, async (cluster) => {
    for (let i = 0; i < times; i++) {
      opts.progress?.(`replay ${i + 1}/${times} of ${runDir} (seed ${spec.seed})`);
      const out: RunOutcome = await runTest(spec, { storeRoot: opts.storeRoot, progress: opts.progress, cluster: await cluster(), command: `kafka-harness replay ${runDir}` });
      attempts.push({ dir: out.dir, valid: out.results.valid, anomalyTypes: out.results.anomalyTypes });
    }
  });
  return { runDir, spec, targets, ...tallyReplays(targets, attempts) };
}

/**
 * Several runs share one cluster (a fresh topic each): the caller's, or one started here and stopped
 * at the end; before each run the cluster must be whole again after the previous run's faults.
 */
export async function withSharedCluster(
  spec: TestSpec,
  runs: number,
  opts: { cluster?: Cluster; progress?: (m: string) => void },
  body: (cluster: () => Promise<Cluster | undefined>) => Promise<void>,
): Promise<void> {
  const own = !opts.cluster && runs > 1 ? await startCluster(spec.cluster, { progress: opts.progress }) : undefined;
  const shared = opts.cluster ?? own;
  try {
    await body(async () => {
      if (shared) await waitTopicInSync(shared.bootstrap(), READY_TOPIC, 120_000);
      return shared;
    });
  } finally {
    await own?.stop();
  }
}

/** "lost-write reproduced in 2 of 3 replays; unseen in 3 of 3" (pure). */
export function formatReplay(o: Pick<ReplayOutcome, "targets" | "attempts" | "reproduced" | "perType">): string {
  const n = o.attempts.length;
  if (o.targets.length === 0) {
    const any = o.attempts.filter((a) => a.anomalyTypes.length > 0).length;
    return `the original run found no anomalies; ${any} of ${n} replay(s) found some`;
  }
  const parts = o.targets.map((t) => `${t} reproduced in ${o.perType[t] ?? 0} of ${n} replay(s)`);
  return `${parts.join("; ")}${o.reproduced === 0 ? " — not reproduced" : ""}`;
}

const positiveInt = (what: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new SpecError(what, [`must be a whole number of at least 1 (got ${JSON.stringify(v)})`]);
  return n;
};

const anomalyList = (v: string) => {
  const types = v.split(",").filter(Boolean);
  const bad = types.filter((t) => !(ANOMALY_TYPES as readonly string[]).includes(t));
  if (bad.length) throw new SpecError("--anomalies", [`unknown anomaly type(s) ${bad.join(", ")}; known: ${ANOMALY_TYPES.join(", ")}`]);
  return types as AnomalyType[];
};
export { positiveInt, anomalyList };

/** `kafka-harness replay <run-dir> [--times N]`: exit 0 if reproduced at least once, 1 if not. */
export function registerReplayCommand(program: Command): void {
  program
    .command("replay <run-dir>")
    .description("rerun a stored run with its spec and seed, and say whether its anomaly types appear again")
    .option("--times <n>", "replays to run", positiveInt("--times"), 1)
    .option("--anomalies <types>", "comma-separated anomaly types to look for (default: those the run found)", anomalyList)
    .option("--store <dir>", "store root", "store")
    .option("--json", "print one JSON object on stdout")
    .action(async (runDir: string, o: { times: number; anomalies?: AnomalyType[]; store: string; json?: boolean }) => {
      const progress = (m: string) => console.error(m);
      const r = await replayRun(runDir, { times: o.times, anomalies: o.anomalies, storeRoot: o.store, progress });
      const summary = formatReplay(r);
      if (o.json) console.log(JSON.stringify({ runDir, seed: r.spec.seed, targets: r.targets, reproduced: r.reproduced, perType: r.perType, attempts: r.attempts, summary }));
      else {
        for (const a of r.attempts) console.log(`${a.dir}: ${a.valid === true ? "valid" : a.valid === false ? "INVALID" : "unknown"}; ${a.anomalyTypes.join(", ") || "no anomalies"}`);
        console.log(summary);
      }
      // With nothing to look for, a replay that ran is a success; otherwise it must reproduce.
      process.exitCode = r.targets.length === 0 || r.reproduced > 0 ? 0 : 1;
    });
}
