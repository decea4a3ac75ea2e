// Connects a run to the fault injector: the spec's fault schedule (generated from the run's seed)
// runs alongside the workload; the run's heal phase calls healAll, once. With no fault kinds it does nothing.

import type { RunCluster } from "../cluster/kinds/kind.ts";
import type { Recorder } from "../history/recorder.ts";
import { FAMILIES } from "../nemesis/families/index.ts";
import {
  clusterNemesis,
  type FaultResult,
  generateSchedule,
  type Nemesis,
  noopNemesis,
  runSchedule,
  type Schedule,
  seededRng,
  validateNemesis,
} from "../nemesis/index.ts";
import type { TestSpec } from "../spec/test-spec.ts";
import { keysOf } from "../workload/plan.ts";
import { coordinatorIdsOf } from "../workload/workload.ts";

export interface FaultDriver {
  readonly schedule: Schedule;
  run(signal: AbortSignal): Promise<void>;
  /** Undoes everything in force (heal-all, tried a second time if the first left something
   *  undone) and lets failover measurements finish; the last heal-all's result. Heals once: later
   *  calls wait for that heal (nothing faults after it), or try again if it threw. */
  healAll(): Promise<FaultResult>;
  /** Nodes currently faulted, for progress lines. */
  inForce(): string[];
}

export function faultSchedule(spec: TestSpec): Schedule {
  if (spec.faults.schedule) return [...spec.faults.schedule].sort((a, b) => a.at - b.at) as Schedule;
  if (spec.faults.kinds.length === 0) return [];
  return generateSchedule(spec.seed, {
    faults: spec.faults.kinds,
    timeLimitMs: Math.round(spec.workload.timeLimitSeconds * 1000),
    meanIntervalMs: Math.round(spec.faults.intervalSeconds * 1000),
    durationMs: { min: Math.round(spec.faults.minDurationSeconds * 1000), max: Math.round(spec.faults.maxDurationSeconds * 1000) },
    partitions: keysOf(spec),
    targets: spec.faults.targets,
    overlap: spec.faults.overlap,
    // Coordinator targets name the txn workload's transactional ids and groups.
    ...coordinatorIdsOf(spec),
    metadata: spec.cluster.metadata,
  });
}

/** `schedule`: the spec's fault schedule (faultSchedule), computed once by the caller. */
export function createFaultDriver(
  spec: TestSpec,
  schedule: Schedule,
  cluster: RunCluster,
  recorder: Recorder,
  progress: (m: string) => void,
): FaultDriver {
  // Without faults nothing touches the cluster: the no-op nemesis records nothing, so a fault-free
  // history holds no nemesis ops. The runner heals on signals itself (then saves logs and removes
  // the cluster, in that order), so the live nemesis does not.
  const live = schedule.length
    ? clusterNemesis(cluster, {
        recorder,
        rng: seededRng(spec.seed),
        healOnShutdown: false,
        // Membership faults act on the workload's partitions; heal-all grows them back to this factor.
        workload: { partitions: keysOf(spec), replicationFactor: spec.topic.replicationFactor },
      })
    : undefined;
  // Jepsen's validate: a nemesis that breaks its contract fails the run loudly instead of leaving
  // ops whose meaning is wrong in the history.
  const nemesis = validateNemesis(live ?? noopNemesis(), { needsUndo: live !== undefined });
  let healing: Promise<FaultResult> | undefined;
  // Schedule times count from the workload start, which is now (the runner starts both together).
  const origin = performance.now();
  return {
    schedule,
    async run(signal) {
      if (schedule.length) await runSchedule(schedule, nemesis, { signal, progress, origin, heal: false }); // the heal phase heals
    },
    healAll() {
      healing ??= (async () => {
        const healed = await healAllRetried(nemesis, progress);
        await (live ? live.close({ waitMs: 15_000 }) : nemesis.close());
        return healed;
      })().catch((err: unknown) => {
        healing = undefined;
        throw err;
      });
      return healing;
    },
    // Each family says what it has in force (families/*.ts inForce), in registry order.
    inForce: () => {
      const state = live?.state;
      return state ? FAMILIES.flatMap((f) => f.inForce?.(state) ?? []) : [];
    },
  };
}

/** heal-all, and once more when it left something undone (info: a node that would not start or
 *  resume, a rule that would not go): the second result is the one that counts. */
export async function healAllRetried(nemesis: Pick<Nemesis, "healAll">, progress: (m: string) => void): Promise<FaultResult> {
  const first = await nemesis.healAll();
  if (first.type === "ok") return first;
  progress(`  heal-all left something undone (${first.value.reason ?? first.type}); trying once more`);
  return nemesis.healAll();
}
