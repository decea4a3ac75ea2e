// The group workload without a cluster: stand-in producers and group members, so what is tested is
// the workload's own part: the plan's member events reach the members they name, a member that
// crashed or left is replaced by a new process, a join adds a member, and every member still alive
// leaves at the end; the counters follow the members' ops.
import { describe, expect, it } from "vitest";
import type { KafkaClient, ProducerClient } from "../../harness/clients/client.ts";
import { type ClientContext, processCounter } from "../../harness/clients/context.ts";
import type { GroupClient, GroupMember, GroupMemberOptions } from "../../harness/clients/group-member.ts";
import { GroupRecorder } from "../../harness/clients/group-recorder.ts";
import { createRecorder } from "../../harness/history/recorder.ts";
import { parseTestSpec } from "../../harness/spec/test-spec.ts";
import { noGroupStats, runGroupWorkload, tallyGroupOp } from "../../harness/workload/group.ts";
import { generatePlan } from "../../harness/workload/plan.ts";
import { statsLine } from "../../harness/workload/workload.ts";

class StandInMember implements GroupMember {
  readonly calls: string[] = [];
  private readonly rec: GroupRecorder;
  constructor(
    ctx: ClientContext,
    readonly opts: GroupMemberOptions,
  ) {
    this.rec = new GroupRecorder(ctx.nextProcess(), ctx, opts.groupId);
    this.rec.subscribing(opts.keys);
    this.rec.subscribed(opts.keys);
    this.rec.assigned(opts.keys);
    this.rec.commit({ [opts.keys[0]!]: 1 })("ok");
  }
  get process() {
    return this.rec.process;
  }
  get alive() {
    return !this.rec.done;
  }
  nextDelivery(ms: number) {
    return new Promise<void>((r) => setTimeout(r, Math.min(ms, 20)));
  }
  async leave() {
    this.calls.push("leave");
    this.rec.leaving();
    this.rec.left("ok");
  }
  async crash(window: "now" | "after-commit" = "now") {
    this.calls.push(`crash ${window}`);
    this.rec.crashed(window);
  }
  async stall(ms: number) {
    this.calls.push(`stall ${ms}`);
    this.rec.stalling(ms);
    this.rec.stalled(ms);
  }
}

const producer = (process: number): ProducerClient => ({ process, send: async () => "ok", lateAcks: 0, close: async () => {} });

describe("group workload", () => {
  it("runs the plan's member events on the members they name, replaces the gone, and leaves at the end", async () => {
    const spec = parseTestSpec({
      seed: 4,
      workload: { kind: "group", timeLimitSeconds: 4, rate: 20, producers: 1 },
      consumer: { count: 2, churn: { events: ["crash", "leave", "stall", "join"], intervalSeconds: 0.4, stallMs: 100 } },
    });
    const plan = generatePlan(spec);
    expect(plan.churn!.length).toBeGreaterThan(3);
    const members: StandInMember[] = [];
    const groups: GroupClient = {
      protocols: ["classic"],
      openMember: async (ctx, opts) => {
        const m = new StandInMember(ctx, opts);
        members.push(m);
        return m;
      },
    };
    const client = { name: "kafkajs", openProducer: async (ctx: ClientContext) => producer(ctx.nextProcess()) } as unknown as KafkaClient;
    const recorder = createRecorder();
    const ctx: ClientContext = { bootstrap: () => [], recorder, nextProcess: processCounter() };
    const stats = await runGroupWorkload(spec, plan, ctx, client, groups, AbortSignal.timeout(4000));

    expect(members[0]!.opts).toMatchObject({ groupId: `${spec.topic.name}-group`, commit: "after-sync", keys: plan.keys });
    // Every planned crash, leave and stall reached a member; every join and every gone member added one.
    const planned = (k: string) => plan.churn!.filter((e) => e.kind === k).length;
    const called = (prefix: string) => members.flatMap((m) => m.calls).filter((c) => c.startsWith(prefix)).length;
    expect(called("crash now")).toBe(planned("crash"));
    expect(called("stall 100")).toBe(planned("stall"));
    expect(members.length).toBe(2 + planned("join") + planned("crash") + planned("leave"));
    // All alive at the end left: only the crashed are not.
    expect(members.filter((m) => m.alive)).toEqual([]);
    expect(called("leave")).toBe(members.length - planned("crash"));
    expect(stats.group).toMatchObject({
      members: members.length,
      crashes: planned("crash"),
      leaves: called("leave"),
      stalls: planned("stall"),
      joins: planned("join"),
      assignments: members.length,
      commits: { ok: members.length, fail: 0, info: 0 },
    });
    expect(stats.consumersReplaced).toBe(planned("crash") + planned("leave"));
    expect(stats.sends.ok).toBeGreaterThan(0);
    expect(statsLine(stats)).toMatch(/^sends ok \d+ info 0 fail 0; group: assignments \d+, commits ok \d+ info 0 fail 0, crashes \d+$/);
  });

  it("counts a member's ops: assignments, commit outcomes, crashes the harness caused and the library's own", () => {
    const g = noGroupStats();
    for (const op of [
      { type: "ok", f: "assigned", value: ["t-0"] },
      { type: "invoke", f: "commit", value: {} },
      { type: "ok", f: "commit", value: {} },
      { type: "fail", f: "commit", value: {} },
      { type: "info", f: "commit", value: {} },
      { type: "info", f: "crash", value: "now" },
      { type: "info", f: "crash", value: "after-commit" },
      { type: "info", f: "crash", value: "client" },
      { type: "invoke", f: "leave" },
      { type: "ok", f: "leave" },
      { type: "invoke", f: "stall", value: 5 },
      { type: "ok", f: "poll", value: [] },
    ] as const)
      tallyGroupOp(g, op);
    expect(g).toEqual({
      ...noGroupStats(),
      assignments: 1,
      commits: { ok: 1, fail: 1, info: 1 },
      crashes: 2,
      clientCrashes: 1,
      leaves: 1,
      stalls: 1,
    });
  });
});
