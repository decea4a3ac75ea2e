// Connects a run to the fault injector: the spec's fault schedule (generated from the run's seed)
// runs alongside the workload, and heal-all follows it. With no fault kinds it does nothing.
import type { Cluster } from "../cluster/cluster.ts";
import type { Recorder } from "../history/recorder.ts";
import { clusterNemesis, generateSchedule, noopNemesis, runSchedule, seededRng, validateNemesis, type Schedule } from "../nemesis/index.ts";
import { keysOf } from "../workload/plan.ts";
import { txnGroupsOf, txnIdsOf } from "../workload/txn-plan.ts";
import type { TestSpec } from "../spec/test-spec.ts";

export interface FaultDriver {
  readonly schedule: Schedule;
  run(signal: AbortSignal): Promise<void>;
  /** Undoes everything in force and lets failover measurements finish. Idempotent. */
  healAll(): Promise<void>;
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
    ...(spec.workload.kind === "txn" ? { transactionalIds: txnIdsOf(spec), groupIds: txnGroupsOf(spec) } : {}),
    metadata: spec.cluster.metadata,
  });
}

/** `schedule`: the spec's fault schedule (faultSchedule), computed once by the caller. */
export function createFaultDriver(spec: TestSpec, schedule: Schedule, cluster: Cluster, recorder: Recorder, progress: (m: string) => void): FaultDriver {
  // Without faults nothing touches the cluster: the no-op nemesis records nothing, so a fault-free
  // history holds no nemesis ops. The runner heals on signals itself (then saves logs and removes
  // the cluster, in that order), so the live nemesis does not.
  const live = schedule.length ? clusterNemesis(cluster, { recorder, rng: seededRng(spec.seed), healOnShutdown: false }) : undefined;
  // Jepsen's validate: a nemesis that breaks its contract fails the run loudly instead of leaving
  // ops whose meaning is wrong in the history.
  const nemesis = validateNemesis(live ?? noopNemesis(), { needsUndo: live !== undefined });
  let closed = false;
  // Schedule times count from the workload start, which is now (the runner starts both together).
  const origin = performance.now();
  return {
    schedule,
    async run(signal) {
      if (schedule.length) await runSchedule(schedule, nemesis, { signal, progress, origin });
    },
    async healAll() {
      await nemesis.healAll();
      if (!closed) {
        closed = true;
        await (live ? live.close({ waitMs: 15_000 }) : nemesis.close());
      }
    },
    inForce: () => (live ? [...live.state.faulted()].map((n) => `${n} ${live.state.processFaultOf(n) ?? "partitioned"}`) : []),
  };
}
