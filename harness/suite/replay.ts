// Replay by seed: a stored run (store/<name>/<timestamp>/spec.json) rerun with the same spec and
// seed, N times, and whether the anomaly types of the original appear again. The plan and the fault
// schedule replay exactly; Kafka's timing does not, so the answer is "k of N", not yes or no.

import type { AnomalyType, Results } from "../../checkers/index.ts";
import type { Cluster } from "../cluster/cluster.ts";
import { executeRun, type RunOutcome } from "../run/runner.ts";
import { onLeasedCluster, sharedClusters } from "../run/shared-cluster.ts";
import { loadStoredAnomalies, loadStoredSpec } from "../run/stored-run.ts";
import { clusterFor } from "../spec/disk-layer.ts";
import type { TestSpec } from "../spec/test-spec.ts";

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
export function tallyReplays(
  targets: AnomalyType[],
  attempts: Array<Omit<ReplayAttempt, "found">>,
): Pick<ReplayOutcome, "attempts" | "reproduced" | "perType"> {
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
  // Several replays share one cluster (a fresh topic each): the caller's, or one started here.
  const clusters = sharedClusters({ given: opts.cluster, share: times > 1, progress: opts.progress });
  try {
    for (let i = 0; i < times; i++) {
      opts.progress?.(`replay ${i + 1}/${times} of ${runDir} (seed ${spec.seed})`);
      const out: RunOutcome = await onLeasedCluster(clusters, clusterFor(spec), (cluster) =>
        executeRun(spec, { storeRoot: opts.storeRoot, progress: opts.progress, cluster, command: `kafka-harness replay ${runDir}` }),
      );
      attempts.push({ dir: out.dir, valid: out.results.valid, anomalyTypes: out.results.anomalyTypes });
    }
  } finally {
    await clusters.stop();
  }
  return { runDir, spec, targets, ...tallyReplays(targets, attempts) };
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
