// Shrinking a stored run that found an anomaly, in the spirit of fast-check: try smaller specs
// (shorter, fewer faults, fewer producers, smaller bursts, lower rate) with the same seed, keep the
// first that still shows the anomaly, and start again from it; stop when no candidate does or the
// run budget is spent. A real cluster decides each step, so it is greedy and bounded, not exhaustive.

import type { AnomalyType } from "../../checkers/index.ts";
import type { Cluster } from "../cluster/cluster.ts";
import { executeRun } from "../run/runner.ts";
import { onLeasedCluster, sharedClusters } from "../run/shared-cluster.ts";
import { loadStoredAnomalies, loadStoredSpec, writeShrunkSpec } from "../run/stored-run.ts";
import { clusterFor } from "../spec/disk-layer.ts";
import { SpecError } from "../spec/errors.ts";
import { parseTestSpec, type TestSpec } from "../spec/test-spec.ts";

export interface ShrinkCandidate {
  /** What was made smaller, e.g. "timeLimitSeconds 30 → 15". */
  step: string;
  spec: TestSpec;
}

const MIN_TIME_LIMIT = 5;

/** Smaller variants of a spec, biggest cuts first; each is a valid spec with the same seed (pure). */
export function shrinkCandidates(spec: TestSpec): ShrinkCandidate[] {
  const out: ShrinkCandidate[] = [];
  const add = (step: string, patch: (s: TestSpec) => TestSpec) => {
    try {
      out.push({ step, spec: parseTestSpec(patch(structuredClone(spec))) });
    } catch {
      // a cut that makes the spec invalid is simply not a candidate
    }
  };
  const w = spec.workload;
  const f = spec.faults;
  const t = w.timeLimitSeconds;
  // (With an explicit schedule a cut that ends a fault after the time limit is invalid and skipped.)
  if (t > MIN_TIME_LIMIT) {
    const half = Math.max(MIN_TIME_LIMIT, Math.round(t / 2));
    add(`timeLimitSeconds ${t} → ${half}`, (s) => ({ ...s, workload: { ...s.workload, timeLimitSeconds: half } }));
  }
  const explicit = f.schedule;
  if (explicit && explicit.length > 0) {
    // An explicit schedule replaces the generated one: cut its faults, not the kinds or targets.
    explicit.forEach((x, i) =>
      add(`drop scheduled fault ${i} (${x.fault} at ${x.at} ms)`, (s) => ({
        ...s,
        faults: { ...s.faults, schedule: s.faults.schedule!.filter((_, j) => j !== i) },
      })),
    );
  }
  if (!explicit && f.kinds.length > 1) {
    for (const k of f.kinds)
      add(`drop fault kind ${k}`, (s) => ({ ...s, faults: { ...s.faults, kinds: s.faults.kinds.filter((x) => x !== k) } }));
  }
  if (!explicit && f.targets.length > 1) {
    for (const k of f.targets)
      add(`drop fault target ${k}`, (s) => ({ ...s, faults: { ...s.faults, targets: s.faults.targets.filter((x) => x !== k) } }));
  }
  if (w.producers > 1) {
    const n = Math.floor(w.producers / 2);
    add(`producers ${w.producers} → ${n}`, (s) => ({ ...s, workload: { ...s.workload, producers: n } }));
  }
  if (w.maxBurst > 1) {
    const n = Math.floor(w.maxBurst / 2);
    add(`maxBurst ${w.maxBurst} → ${n}`, (s) => ({ ...s, workload: { ...s.workload, maxBurst: n } }));
  }
  if (spec.topic.partitions > 1) {
    const n = Math.ceil(spec.topic.partitions / 2);
    if (n < spec.topic.partitions)
      add(`partitions ${spec.topic.partitions} → ${n}`, (s) => ({ ...s, topic: { ...s.topic, partitions: n } }));
  }
  if (w.rate > 10) {
    const n = Math.max(10, Math.round(w.rate / 2));
    add(`rate ${w.rate} → ${n}`, (s) => ({ ...s, workload: { ...s.workload, rate: n } }));
  }
  return out;
}

export interface ShrinkAttempt {
  step: string;
  dir: string;
  anomalyTypes: AnomalyType[];
  kept: boolean;
}

export interface ShrinkOutcome {
  runDir: string;
  targets: AnomalyType[];
  original: TestSpec;
  /** The smallest spec found that still showed a target anomaly (the original if none did). */
  smallest: TestSpec;
  /** The cuts kept, in order. */
  steps: string[];
  attempts: ShrinkAttempt[];
  /** Where the smallest spec was written (shrunk-spec.json in the run dir). */
  path: string;
}

export interface ShrinkOptions {
  maxRuns?: number;
  anomalies?: AnomalyType[];
  storeRoot?: string;
  progress?: (m: string) => void;
  cluster?: Cluster;
  /** Decides one candidate; the default runs it on a cluster (tests inject a fake). */
  tryRun?: (spec: TestSpec) => Promise<{ dir: string; anomalyTypes: AnomalyType[] }>;
}

/** The greedy loop, with the run injected (pure apart from `tryRun`). */
export async function shrinkLoop(
  original: TestSpec,
  targets: AnomalyType[],
  maxRuns: number,
  tryRun: (spec: TestSpec) => Promise<{ dir: string; anomalyTypes: AnomalyType[] }>,
  progress: (m: string) => void = () => {},
): Promise<Pick<ShrinkOutcome, "smallest" | "steps" | "attempts">> {
  let smallest = original;
  const steps: string[] = [];
  const attempts: ShrinkAttempt[] = [];
  let improved = true;
  while (improved && attempts.length < maxRuns) {
    improved = false;
    for (const c of shrinkCandidates(smallest)) {
      if (attempts.length >= maxRuns) break;
      progress(`shrink ${attempts.length + 1}/${maxRuns}: ${c.step}`);
      const r = await tryRun(c.spec);
      const kept = r.anomalyTypes.some((t) => targets.includes(t));
      attempts.push({ step: c.step, dir: r.dir, anomalyTypes: r.anomalyTypes, kept });
      if (kept) {
        smallest = c.spec;
        steps.push(c.step);
        improved = true;
        break;
      }
    }
  }
  return { smallest, steps, attempts };
}

export async function shrinkRun(runDir: string, opts: ShrinkOptions = {}): Promise<ShrinkOutcome> {
  const original = await loadStoredSpec(runDir);
  const targets = opts.anomalies ?? (await loadStoredAnomalies(runDir));
  if (targets.length === 0)
    throw new SpecError(`run ${runDir}`, [`the run found no anomaly: nothing to shrink towards (name some with --anomalies)`]);
  const maxRuns = opts.maxRuns ?? 8;
  let r: Awaited<ReturnType<typeof shrinkLoop>> | undefined;
  if (opts.tryRun) r = await shrinkLoop(original, targets, maxRuns, opts.tryRun, opts.progress);
  else {
    // Every candidate keeps the original's cluster shape, so they all share one cluster.
    const clusters = sharedClusters({ given: opts.cluster, share: maxRuns > 1, progress: opts.progress });
    try {
      r = await shrinkLoop(
        original,
        targets,
        maxRuns,
        async (spec) => {
          const out = await onLeasedCluster(clusters, clusterFor(spec), (cluster) =>
            executeRun(spec, { storeRoot: opts.storeRoot, progress: opts.progress, cluster, command: `kafka-harness shrink ${runDir}` }),
          );
          return { dir: out.dir, anomalyTypes: out.results.anomalyTypes };
        },
        opts.progress,
      );
    } finally {
      await clusters.stop();
    }
  }
  if (!r) throw new Error("shrink: no result");
  const path = await writeShrunkSpec(runDir, r.smallest, { steps: r.steps, targets });
  return { runDir, targets, original, ...r, path };
}
