// The membership family on fakes: reassign, elect-leaders, shrink-replicas / grow-replicas and its
// heal, as the nemesis records them; and the pure choice of a reassignment.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRecorder } from "../../harness/history/recorder.ts";
import { reassignment } from "../../harness/nemesis/families/membership.ts";
import { clusterNemesis } from "../../harness/nemesis/nemesis.ts";
import { seededRng } from "../../harness/nemesis/rng.ts";
import { fakeCluster, fakeProbe, fakeReplicaAdmin, part } from "./fakes.ts";

const assigned = (topic: string, partition: number, leader: number, order: number[], isr = order) => ({
  ...part(
    topic,
    partition,
    leader,
    [...order].sort((a, b) => a - b),
    [...isr].sort((a, b) => a - b),
  ),
  assigned: order,
});

function setup(
  o: {
    brokers?: number;
    partitions?: ReturnType<typeof assigned>[];
    pollsToComplete?: number;
    timeoutMs?: number;
    attached?: boolean;
  } = {},
) {
  const c = fakeCluster(o.brokers ?? 4);
  const fp = fakeProbe({
    partitions: o.partitions ?? [assigned("t", 0, 1, [1, 2, 3]), assigned("t", 1, 2, [2, 3, 1])],
    brokers: c.brokers,
  });
  const fa = fakeReplicaAdmin(fp.s, { pollsToComplete: o.pollsToComplete ?? 1 });
  const recorder = createRecorder();
  const nemesis = clusterNemesis(o.attached ? { ...c, alterReplicas: false } : c, {
    recorder,
    rng: seededRng(7),
    probe: fp.probe,
    replicaAdmin: fa.admin,
    watch: false,
    healOnShutdown: false,
    membershipTimeoutMs: o.timeoutMs ?? 5000,
    workload: { partitions: ["t-0", "t-1"], replicationFactor: 3 },
  });
  const byKey = (k: string) => fp.s.partitions.find((p) => `${p.topic}-${p.partition}` === k)!;
  return { c, fp, fa, nemesis, recorder, byKey };
}

describe("membership: reassign", () => {
  it("moves one replica of each workload partition to a broker outside its set, changes the preferred leader, and waits for it", async () => {
    const { nemesis, byKey } = setup();
    const r = await nemesis.invoke({ fault: "reassign" });
    expect(r.type).toBe("ok");
    expect(r.undo).toBeUndefined(); // instantaneous, like bounce
    const to = r.value.to as Record<string, number[]>;
    expect(r.value.from).toEqual({ "t-0": [1, 2, 3], "t-1": [2, 3, 1] });
    for (const k of ["t-0", "t-1"]) {
      expect(to[k]).toHaveLength(3);
      expect(to[k]).toContain(4); // the only broker outside the set
      expect(to[k]![0]).not.toBe((r.value.from as Record<string, number[]>)[k]![0]);
      expect(byKey(k).assigned).toEqual(to[k]); // the cluster has it now
    }
    expect(r.value.completedAfterMs).toEqual(expect.any(Number));
    // The brokers that lost a replica are the fault's targets; leader moves are measured.
    expect((r.value.targets as string[]).length).toBeGreaterThan(0);
    expect(Object.keys(r.value.leaders as object)).toEqual(["t-0", "t-1"]);
    await nemesis.close();
  });

  it("moves the replica off a target broker (the leader of t-0), so that leader moves", async () => {
    const { nemesis, byKey } = setup();
    const r = await nemesis.invoke({ fault: "reassign", of: "t-0", targets: { kind: "leader", of: "t-0" } });
    expect(r).toMatchObject({ type: "ok", value: { targets: ["kafka1"], leaderOf: "t-0", leaderMoved: ["t-0"] } });
    expect(byKey("t-0").replicas).toEqual([2, 3, 4]);
    expect(byKey("t-0").leader).not.toBe(1);
    await nemesis.close();
  });

  it("is refused with a reason when every broker already holds a replica (RF = brokers)", async () => {
    const { nemesis, fa } = setup({ brokers: 3 });
    const r = await nemesis.invoke({ fault: "reassign", of: "t-0" });
    expect(r).toMatchObject({ type: "fail", value: { reason: expect.stringMatching(/every healthy broker already holds a replica/) } });
    expect(fa.calls).toEqual([]);
    await nemesis.close();
  });

  it("never moves a replica onto a broker under a fault", async () => {
    const { nemesis } = setup();
    await nemesis.invoke({ fault: "kill", targets: { kind: "nodes", names: ["kafka4"] } });
    const r = await nemesis.invoke({ fault: "reassign", of: "t-0" });
    expect(r).toMatchObject({ type: "fail", value: { reason: expect.stringMatching(/every healthy broker/) } });
    await nemesis.close();
  });

  it("under a kill, replaces the killed broker's replica (the reassignment can complete without it)", async () => {
    const { nemesis, byKey } = setup();
    await nemesis.invoke({ fault: "kill", targets: { kind: "nodes", names: ["kafka2"] } });
    const r = await nemesis.invoke({ fault: "reassign", of: "t-0" });
    expect(r).toMatchObject({ type: "ok", value: { targets: ["kafka2"] } });
    expect(byKey("t-0").replicas).toEqual([1, 3, 4]);
    await nemesis.close();
  });

  it("never moves a replica onto a broker not registered yet (just started: the controller would refuse it)", async () => {
    const { nemesis, fp } = setup();
    fp.probe.registered = async () => new Map([1, 2, 3].map((id) => [id, `0x${id}`]));
    const r = await nemesis.invoke({ fault: "reassign", of: "t-0" });
    expect(r).toMatchObject({ type: "fail", value: { reason: expect.stringMatching(/every healthy broker already holds a replica/) } });
    await nemesis.close();
  });

  it("reads the partitions from a broker that knows them all (one just restarted may not know the topic yet)", async () => {
    const { nemesis, fp } = setup();
    // kafka1, the first to answer, has an empty cache.
    const one = fp.probe.metadata;
    const views = async (o?: Parameters<typeof one>[0]) => {
      const md = await one(o);
      return [{ ...md, from: "kafka1", partitions: [] }, ...["kafka2", "kafka3"].map((from) => ({ ...md, from }))];
    };
    fp.probe.metadata = async (o) => (await views(o))[0]!;
    fp.probe.metadataAll = views;
    const r = await nemesis.invoke({ fault: "reassign", of: "t-1" });
    expect(r.type).toBe("ok");
    await nemesis.close();
  });

  it("is refused on an attached cluster that does not allow moving replicas", async () => {
    const { nemesis } = setup({ attached: true });
    const r = await nemesis.invoke({ fault: "reassign" });
    expect(r).toMatchObject({ type: "fail", value: { reason: expect.stringMatching(/alterReplicas/) } });
    await nemesis.close();
  });

  it("is info (may be in force) when the reassignment is still moving at the bound", async () => {
    const { nemesis } = setup({ pollsToComplete: 1000, timeoutMs: 300 });
    const r = await nemesis.invoke({ fault: "reassign", of: "t-0" });
    expect(r).toMatchObject({ type: "info", value: { reason: expect.stringMatching(/still reassigning after 300 ms: t-0/) } });
    await nemesis.close();
  });
});

describe("membership: elect-leaders", () => {
  it("moves each leader back to its preferred replica and records which moved and which needed nothing", async () => {
    const { nemesis, byKey } = setup({ partitions: [assigned("t", 0, 2, [1, 2, 3]), assigned("t", 1, 2, [2, 3, 1])] });
    const r = await nemesis.invoke({ fault: "elect-leaders" });
    expect(r).toMatchObject({
      type: "ok",
      value: { targets: ["kafka2"], preferred: { "t-0": 1, "t-1": 2 }, elected: ["t-0"], notNeeded: ["t-1"], leaderMoved: ["t-0"] },
    });
    expect(r.value.leaders).toEqual({ "t-0": [2, 1], "t-1": [2, 2] });
    expect(byKey("t-0").leader).toBe(1);
    expect(r.undo).toBeUndefined();
    await nemesis.close();
  });
});

describe("membership: shrink-replicas and grow-replicas", () => {
  it("cuts each partition to its leader; the undo restores the very same replica lists, in sync", async () => {
    const { nemesis, byKey } = setup();
    const r = await nemesis.invoke({ fault: "shrink-replicas" });
    expect(r).toMatchObject({ type: "ok", value: { to: { "t-0": [1], "t-1": [2] } } });
    expect(byKey("t-0").replicas).toEqual([1]);
    expect(r.undo).toEqual({ fault: "grow-replicas", replicas: { "t-0": [1, 2, 3], "t-1": [2, 3, 1] } });
    const g = await nemesis.invoke(r.undo!);
    expect(g).toMatchObject({ type: "ok", value: { inSyncAfterMs: expect.any(Number) } });
    expect(byKey("t-0").assigned).toEqual([1, 2, 3]);
    expect(byKey("t-1").assigned).toEqual([2, 3, 1]);
    await nemesis.close();
  });

  it("grow-replicas with the one replica killed restores the lists without awaiting them (the nemesis is not held up)", async () => {
    const { nemesis, fa } = setup({ pollsToComplete: 0 });
    const s = await nemesis.invoke({ fault: "shrink-replicas", of: "t-0" });
    await nemesis.invoke({ fault: "kill", targets: { kind: "nodes", names: ["kafka1"] } });
    const g = await nemesis.invoke(s.undo!);
    expect(g).toMatchObject({ type: "ok", value: { inSyncAfterMs: null, notAwaited: "kafka1 under a fault" } });
    expect(fa.pending.get("t-0")?.replicas).toEqual([1, 2, 3]); // asked for, still to complete
    expect(fa.calls.filter((c) => c === "ongoing")).toHaveLength(1); // the shrink's wait only
    await nemesis.close();
  });

  it("keeps a chosen broker instead of the leader", async () => {
    const { nemesis, byKey } = setup();
    const r = await nemesis.invoke({ fault: "shrink-replicas", of: "t-0", targets: { kind: "nodes", names: ["kafka3"] } });
    expect(r).toMatchObject({ type: "ok", value: { to: { "t-0": [3] }, targets: ["kafka1", "kafka2"] } });
    expect(byKey("t-0")).toMatchObject({ replicas: [3], leader: 3 });
    await nemesis.close();
  });

  it("is refused on a replication factor of 1", async () => {
    const { nemesis } = setup({ partitions: [assigned("t", 0, 1, [1]), assigned("t", 1, 2, [2])] });
    const r = await nemesis.invoke({ fault: "shrink-replicas" });
    expect(r).toMatchObject({ type: "fail", value: { reason: "t-0: replication factor 1 already; t-1: replication factor 1 already" } });
    await nemesis.close();
  });

  it("heal-all cancels reassignments in progress and grows shrunk partitions back to the topic's factor, asking the cluster", async () => {
    const { nemesis, byKey, fa, fp } = setup({ pollsToComplete: 0 });
    await nemesis.invoke({ fault: "shrink-replicas", of: "t-0" });
    // A reassignment of t-1 left in progress (as if a reassign had timed out).
    fa.pending.set("t-1", { replicas: [4, 3, 1], polls: 1_000_000 });
    // And t-1 narrowed behind the nemesis's back: heal asks the cluster, not its memory.
    fp.s.partitions = fp.s.partitions.map((p) => (p.partition === 1 ? { ...p, replicas: [2, 3], assigned: [2, 3], isr: [2, 3] } : p));
    const h = await nemesis.healAll();
    expect(h.type).toBe("ok");
    expect(fa.calls).toContain("reassign t-1=cancel");
    expect(byKey("t-0").assigned).toEqual([1, 2, 3]); // the brokers it had
    expect(byKey("t-1").replicas).toHaveLength(3);
    expect(h.value.healed).toEqual({ membership: expect.arrayContaining(["kafka2", "kafka3", "kafka4"]) });
    await nemesis.close();
  });
});

describe("membership: heal-all and a grow in progress", () => {
  it("leaves a reassignment that only adds replicas to finish (cancelling it could strand the leader) and awaits it", async () => {
    const { nemesis, byKey, fa } = setup({ pollsToComplete: 0 });
    await nemesis.invoke({ fault: "shrink-replicas", of: "t-0" });
    fa.pending.set("t-0", { replicas: [1, 2, 3], polls: 2 }); // a grow under way
    const h = await nemesis.healAll();
    expect(h.type).toBe("ok");
    expect(fa.calls.some((c) => c.includes("cancel"))).toBe(false);
    expect(byKey("t-0")).toMatchObject({ assigned: [1, 2, 3], isr: [1, 2, 3] });
    await nemesis.close();
  });
});

describe("reassignment (pure)", () => {
  it("keeps the size, replaces exactly one replica by a healthy outsider, and changes the preferred leader", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 6 }),
        fc.integer(),
        (current, healthy, seed) => {
          const next = reassignment(current, { healthy, rng: seededRng(seed) });
          const down = current.filter((b) => !healthy.includes(b));
          if (healthy.every((b) => current.includes(b))) {
            expect(next).toMatch(/every healthy broker/);
            return;
          }
          if (down.length > 1) {
            expect(next).toMatch(/under a fault/);
            return;
          }
          if (typeof next === "string") throw new Error(next);
          // A replica on a broker under a fault is the one replaced: the new list is all healthy.
          expect(next.every((b) => healthy.includes(b))).toBe(true);
          expect(next).toHaveLength(current.length);
          expect(new Set(next).size).toBe(next.length);
          const added = next.filter((b) => !current.includes(b));
          expect(added).toHaveLength(1);
          expect(healthy).toContain(added[0]);
          expect(next[0]).not.toBe(current[0]);
        },
      ),
    );
  });
});
