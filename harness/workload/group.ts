// The group workload (workload.kind "group"): the queue workload's producers (execute.ts), and
// consumer.count members of one consumer group (the library's GroupClient), each in a slot that a new
// process takes when its member crashes or leaves, so the group keeps its members. The member
// events of the plan (group-plan.ts) strike at their times: a crash, a clean leave, a stall inside a
// delivery, or a join (one more slot). At the end every member still alive leaves cleanly.
// Before the clock starts: the group's coordinator answers (its first use creates
// __consumer_offsets) and that topic's replicas are in sync, so group-coordinator targets resolve
// from the first fault on.
import type { KafkaClient } from "../clients/client.ts";
import type { ClientContext } from "../clients/context.ts";
import type { GroupClient, GroupMember, GroupMemberOptions } from "../clients/group-member.ts";
import type { TestSpec } from "../spec/test-spec.ts";
import { sleep } from "../util/wait.ts";
import { runProducers } from "./execute.ts";
import { type ChurnEvent, groupIdOf } from "./group-plan.ts";
import { generatePlan, type WorkloadPlan } from "./plan.ts";
import type { GroupStats, Workload, WorkloadStats } from "./workload.ts";

const PREPARE_TIMEOUT_MS = 60_000;

export function groupWorkload(spec: TestSpec, client: KafkaClient, groups: GroupClient): Workload {
  const plan = generatePlan(spec);
  const groupId = groupIdOf(spec);
  return {
    plan,
    transactional: false,
    async prepare(env) {
      env.progress(`group: waiting for the coordinator of ${groupId} (creating __consumer_offsets), in sync`);
      await env.waitGroupCoordinator(groupId, PREPARE_TIMEOUT_MS);
      await env.waitCoordinatorTopicsInSync(PREPARE_TIMEOUT_MS, "offsets");
    },
    run: (ctx, signal, onProgress) => runGroupWorkload(spec, plan, ctx, client, groups, signal, onProgress),
    beforeFinalReads: async () => {},
  };
}

export const noGroupStats = (): GroupStats => ({
  members: 0,
  assignments: 0,
  commits: { ok: 0, fail: 0, info: 0 },
  crashes: 0,
  clientCrashes: 0,
  leaves: 0,
  stalls: 0,
  joins: 0,
});

/** Counts one recorded op of a group member into the stats (pure but for `g`). */
export function tallyGroupOp(g: GroupStats, op: { type: string; f: string; value?: unknown }): void {
  if (op.f === "assigned") g.assignments++;
  else if (op.f === "commit" && (op.type === "ok" || op.type === "fail" || op.type === "info")) g.commits[op.type]++;
  else if (op.f === "crash") op.value === "client" ? g.clientCrashes++ : g.crashes++;
  else if (op.f === "leave" && op.type === "invoke") g.leaves++;
  else if (op.f === "stall" && op.type === "invoke") g.stalls++;
}

export async function runGroupWorkload(
  spec: TestSpec,
  plan: WorkloadPlan,
  ctx: ClientContext,
  client: KafkaClient,
  groups: GroupClient,
  signal: AbortSignal,
  onProgress: (s: WorkloadStats) => void = () => {},
): Promise<WorkloadStats> {
  const group = noGroupStats();
  const stats: WorkloadStats = { sends: { ok: 0, info: 0, fail: 0 }, producersReplaced: 0, consumersReplaced: 0, lateAcks: 0, group };
  // The members' ops pass through here on their way to the history, to be counted.
  const counted: ClientContext = {
    ...ctx,
    recorder: {
      get ops() {
        return ctx.recorder.ops;
      },
      record(op) {
        const full = ctx.recorder.record(op);
        if (op.process !== "nemesis" && op.process !== "harness") {
          tallyGroupOp(group, full);
          onProgress(stats);
        }
        return full;
      },
    },
  };
  const settings = spec.consumer.group;
  const churn = spec.consumer.churn;
  if (!settings || !churn)
    throw new Error('the group workload needs consumer.group and consumer.churn (parseTestSpec fills them in for workload.kind "group")');
  const opts: GroupMemberOptions = { topic: spec.topic.name, keys: plan.keys, groupId: groupIdOf(spec), ...settings };
  const slots: Array<GroupMember | undefined> = [];

  async function slotLoop(i: number): Promise<void> {
    let first = true;
    while (!signal.aborted) {
      if (!first) stats.consumersReplaced++;
      first = false;
      let member: GroupMember;
      try {
        member = await groups.openMember(counted, opts);
      } catch {
        await sleep(1000, signal); // cluster unreachable for now, or the library gave up joining
        continue;
      }
      group.members++;
      slots[i] = member;
      while (!signal.aborted && member.alive) await member.nextDelivery(1000);
      slots[i] = undefined;
      if (member.alive) await member.leave(); // the workload's end: leave cleanly
    }
  }

  async function churnLoop(events: readonly ChurnEvent[], loops: Promise<void>[]): Promise<void> {
    const start = performance.now();
    const pending: Promise<void>[] = [];
    for (const e of events) {
      await sleep(Math.max(0, e.atMs - (performance.now() - start)), signal);
      if (signal.aborted) break;
      if (e.kind === "join") {
        group.joins++;
        loops.push(slotLoop(e.slot));
        continue;
      }
      const m = slots[e.slot];
      if (!m?.alive) continue; // its replacement is still joining: the event finds no member
      if (e.kind === "crash") pending.push(m.crash(churn!.crashWindow));
      else if (e.kind === "leave") pending.push(m.leave());
      else pending.push(m.stall(churn!.stallMs));
    }
    await Promise.all(pending);
  }

  const loops = Array.from({ length: plan.consumers }, (_, i) => slotLoop(i));
  await Promise.all([runProducers(spec, plan, counted, client, signal, stats, onProgress), churnLoop(plan.churn ?? [], loops)]);
  // Joins add loops while the churn runs; every one ends when the signal aborts.
  await Promise.all(loops);
  return stats;
}
