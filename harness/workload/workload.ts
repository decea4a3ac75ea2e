// A workload as one interface: its plan (plain data from the seed), what it needs on the cluster
// before the clock starts, the run itself, and what must happen before the final reads. The queue
// workload (sends and polls), the txn workload (transactions of send/poll micro-ops) and the copy
// workload (producers and copiers to `<topic>.out`) are its implementations; this module is the one
// place that picks by workload kind.

import { outputKeyOf } from "../../checkers/copy.ts";
import type { KafkaClient } from "../clients/client.ts";
import type { ClientContext } from "../clients/context.ts";
import { loadGroupClient, loadTxnClient } from "../clients/registry.ts";
import type { TestSpec } from "../spec/test-spec.ts";
import { copyWorkload } from "./copy.ts";
import { copierIdsOf, copyGroupOf, copyOutputTopic } from "./copy-plan.ts";
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
  /** copy workload: records copied (sent to the output in copies that committed, or at-least-once
   *  acknowledged), copies by outcome, copiers crashed on the schedule and replaced otherwise. */
  copies?: { records: number; ok: number; fail: number; info: number; crashes: number; copiersReplaced: number };
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
  /** The group's committed offset per key of the topic (keys without one left out). */
  committedOffsets(groupId: string, topic: string): Promise<Record<string, number>>;
  /** Each key's high watermark. */
  endOffsets(topic: string): Promise<Record<string, number>>;
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

/** The run's topics: the spec's, and the copy workload's output (created, read to the end and
 *  deleted with it). */
export function topicsOf(spec: TestSpec): string[] {
  return spec.workload.kind === "copy" ? [spec.topic.name, copyOutputTopic(spec)] : [spec.topic.name];
}

/** The keys the final reads read of each of the run's topics. */
export function finalReadKeysOf(spec: TestSpec, plan: WorkloadPlan): Array<{ topic: string; keys: string[] }> {
  return topicsOf(spec).map((topic) =>
    topic === spec.topic.name ? { topic, keys: plan.keys } : { topic, keys: plan.keys.map(outputKeyOf) },
  );
}

/** The spec's workload on the run's client library, the transactional driver loaded if it needs
 *  one (a missing library is an EnvironmentError here, before anything starts). */
export async function loadWorkload(spec: TestSpec, client: KafkaClient): Promise<Workload> {
  if (spec.workload.kind === "txn") return txnWorkload(spec, await loadTxnClient(spec.client));
  if (spec.workload.kind === "group") return groupWorkload(spec, client, await loadGroupClient(spec.client));
  if (spec.workload.kind === "copy") return copyWorkload(spec, client, await loadTxnClient(spec.client));
  return queueWorkload(spec, client);
}

/** The ids a fault schedule's coordinator targets name: the txn workload's transactional ids and
 *  groups, the group workload's group, the copiers' transactional ids and their group. */
export function coordinatorIdsOf(spec: TestSpec): { transactionalIds?: string[]; groupIds?: string[] } {
  if (spec.workload.kind === "txn") return { transactionalIds: txnIdsOf(spec), groupIds: txnGroupsOf(spec) };
  if (spec.workload.kind === "group") return { groupIds: [groupIdOf(spec)] };
  if (spec.workload.kind === "copy") return { transactionalIds: copierIdsOf(spec), groupIds: [copyGroupOf(spec)] };
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
  const copies = s.copies ? `; copies ok ${s.copies.ok} info ${s.copies.info} fail ${s.copies.fail}, ${s.copies.records} records` : "";
  return `${s.transactions ? "transactions" : "sends"} ok ${c.ok} info ${c.info} fail ${c.fail}${s.lateAcks ? `, late acks ${s.lateAcks}` : ""}${group}${copies}`;
}
