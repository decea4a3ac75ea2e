// A workload as one interface: its plan (plain data from the seed), what it needs on the cluster
// before the clock starts, the run itself, and what must happen before the final reads. The queue
// workload (sends and polls) and the txn workload (transactions of send/poll micro-ops) are its two
// implementations; this module is the one place that picks by workload kind.
import type { KafkaClient } from "../clients/client.ts";
import type { ClientContext } from "../clients/context.ts";
import { loadGroupClient, loadTxnClient } from "../clients/registry.ts";
import type { TestSpec } from "../spec/test-spec.ts";
import { groupWorkload } from "./group.ts";
import { groupIdOf } from "./group-plan.ts";
import type { WorkloadPlan } from "./plan.ts";
import { queueWorkload } from "./queue.ts";
import { txnWorkload } from "./txn.ts";
import { txnGroupsOf, txnIdsOf } from "./txn-plan.ts";

export interface WorkloadStats {
  sends: { ok: number; info: number; fail: number };
  producersReplaced: number;
  consumersReplaced: number;
  /** queue workload: records acknowledged after their send op completed (late-ack ops). */
  lateAcks?: number;
  /** txn workload: transactions by completion type (fail includes the planned aborts). */
  transactions?: { ok: number; fail: number; info: number; plannedAborts: number };
  /** group workload: its members' ops so far. */
  group?: GroupStats;
}

export interface GroupStats {
  /** Members opened (the first ones and every replacement). */
  members: number;
  /** `assigned` ops: one per member per rebalance it took part in. */
  assignments: number;
  commits: { ok: number; fail: number; info: number };
  /** Members the harness crashed, and members the library itself gave up on. */
  crashes: number;
  clientCrashes: number;
  leaves: number;
  stalls: number;
  /** Slots added by join events. */
  joins: number;
}

/** What a workload may ask of the cluster around its run (the runner provides it). */
export interface WorkloadEnv {
  bootstrap(): string[];
  /** TLS and SASL for every connection (an attached cluster's; absent: plaintext). */
  readonly security?: ClientContext["security"];
  progress(m: string): void;
  /** Until the coordinator of a consumer group answers (its first use creates __consumer_offsets). */
  waitGroupCoordinator(groupId: string, timeoutMs: number): Promise<void>;
  /** Until every replica of the coordinators' state topics (__transaction_state, __consumer_offsets;
   *  "offsets": the latter only) is in sync. */
  waitCoordinatorTopicsInSync(timeoutMs: number, only?: "offsets"): Promise<void>;
}

export interface Workload {
  readonly plan: WorkloadPlan;
  /** Its consumers, and so the final reads, read transactional records: the library's
   *  read_committed filter decides what they return (probed: harness/run/phases.ts). */
  readonly transactional: boolean;
  /** Before the workload's clock starts. */
  prepare(env: WorkloadEnv): Promise<void>;
  /** Until the signal aborts (time limit, cancel); `onProgress` sees the counters as they move. */
  run(ctx: ClientContext, signal: AbortSignal, onProgress: (s: WorkloadStats) => void): Promise<WorkloadStats>;
  /** After recovery, before the final reads. */
  beforeFinalReads(env: WorkloadEnv): Promise<void>;
}

/** The spec's workload on the run's client library, the transactional driver loaded if it needs
 *  one (a missing library is an EnvironmentError here, before anything starts). */
export async function loadWorkload(spec: TestSpec, client: KafkaClient): Promise<Workload> {
  if (spec.workload.kind === "txn") return txnWorkload(spec, await loadTxnClient(spec.client));
  if (spec.workload.kind === "group") return groupWorkload(spec, client, await loadGroupClient(spec.client));
  return queueWorkload(spec, client);
}

/** The ids a fault schedule's coordinator targets name: the txn workload's transactional ids and
 *  groups, the group workload's group. */
export function coordinatorIdsOf(spec: TestSpec): { transactionalIds?: string[]; groupIds?: string[] } {
  if (spec.workload.kind === "txn") return { transactionalIds: txnIdsOf(spec), groupIds: txnGroupsOf(spec) };
  if (spec.workload.kind === "group") return { groupIds: [groupIdOf(spec)] };
  return {};
}

export const noWorkloadStats = (): WorkloadStats => ({ sends: { ok: 0, info: 0, fail: 0 }, producersReplaced: 0, consumersReplaced: 0 });

/** The counters of a progress line: transactions for the txn workload, sends for the queue. */
export function statsLine(s: WorkloadStats): string {
  const c = s.transactions ?? s.sends;
  const g = s.group;
  const group = g
    ? `; group: assignments ${g.assignments}, commits ok ${g.commits.ok} info ${g.commits.info} fail ${g.commits.fail}, crashes ${g.crashes + g.clientCrashes}`
    : "";
  return `${s.transactions ? "transactions" : "sends"} ok ${c.ok} info ${c.info} fail ${c.fail}${s.lateAcks ? `, late acks ${s.lateAcks}` : ""}${group}`;
}
