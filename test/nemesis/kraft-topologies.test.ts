// KRaft's network shapes, quorum failover and bounce, without Docker: pure grudges, schedules by
// metadata mode, and the nemesis on fake nodes with a fake DescribeQuorum.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRecorder } from "../../harness/history/recorder.ts";
import { grudgeFor, nodesOf, topologyRefusal } from "../../harness/nemesis/grudge.ts";
import { clusterNemesis } from "../../harness/nemesis/nemesis.ts";
import { firstMatch, newQuorumLeader, reachesQuorum, votersCutFromMajority } from "../../harness/nemesis/quorum-watch.ts";
import { seededRng } from "../../harness/nemesis/rng.ts";
import { faultArbitrary, generateSchedule, parseScheduleOptions } from "../../harness/nemesis/schedule.ts";
import { domainsOf } from "../../harness/nemesis/schedule-rules.ts";
import type { QuorumState } from "../../harness/protocol/describe-quorum.ts";
import { fakeCluster, fakeNode, fakeProbe, part } from "./fakes.ts";

const kraft = { brokers: ["kafka1", "kafka2", "kafka3"], zookeepers: ["c1", "c2", "c3"], voters: ["c1", "c2", "c3"] };
const zk = { brokers: ["kafka1", "kafka2", "kafka3"], zookeepers: ["zk1", "zk2", "zk3"] };
const rng = () => seededRng(1);

describe("KRaft topologies (grudges)", () => {
  it("isolate-controller cuts a controller from the other voters only: brokers still reach it", () => {
    const g = grudgeFor("isolate-controller", kraft, ["c2"], rng());
    expect(g).toEqual({ c2: ["c1", "c3"], c1: ["c2"], c3: ["c2"] });
    expect(nodesOf(g).some((n) => n.startsWith("kafka"))).toBe(false);
    expect(() => grudgeFor("isolate-controller", kraft, ["kafka1"], rng())).toThrow(/kafka1 is not a voter/);
    expect(() => grudgeFor("isolate-controller", kraft, [], rng())).toThrow(/needs targets/);
  });

  it("cut-from-quorum cuts brokers from every controller, leaving broker links alone", () => {
    expect(grudgeFor("cut-from-quorum", kraft, ["kafka3"], rng())).toEqual({
      kafka3: ["c1", "c2", "c3"],
      c1: ["kafka3"],
      c2: ["kafka3"],
      c3: ["kafka3"],
    });
    const all = grudgeFor("cut-from-quorum", kraft, [], rng());
    expect(Object.keys(all).sort()).toEqual(["c1", "c2", "c3", "kafka1", "kafka2", "kafka3"]);
    expect(all.kafka1).toEqual(["c1", "c2", "c3"]);
  });

  it("combined mode: cut-from-quorum of a voter-broker cuts it from the other voters", () => {
    const combined = { brokers: ["kafka1", "kafka2", "kafka3"], zookeepers: [], voters: ["kafka1", "kafka2", "kafka3"] };
    expect(grudgeFor("cut-from-quorum", combined, ["kafka1"], rng())).toEqual({
      kafka1: ["kafka2", "kafka3"],
      kafka2: ["kafka1"],
      kafka3: ["kafka1"],
    });
    expect(() => grudgeFor("cut-from-quorum", combined, [], rng())).toThrow(/cuts nothing/);
  });

  it("the 2013 scenario in KRaft: cut-from-brokers keeps the controllers", () => {
    const g = grudgeFor("cut-from-brokers", kraft, ["kafka1"], rng());
    expect(g).toEqual({ kafka1: ["kafka2", "kafka3"], kafka2: ["kafka1"], kafka3: ["kafka1"] });
  });

  it("KRaft-only shapes are refused in ZooKeeper mode, and cut-from-zookeeper in KRaft, with the reason", () => {
    expect(topologyRefusal("isolate-controller", zk)).toMatch(/needs a KRaft controller quorum; this cluster runs ZooKeeper mode/);
    expect(() => grudgeFor("cut-from-quorum", zk, ["kafka1"], rng())).toThrow(/needs a KRaft controller quorum/);
    expect(() => grudgeFor("cut-from-zookeeper", kraft, ["kafka1"], rng())).toThrow(/needs ZooKeeper; this cluster runs KRaft/);
    for (const t of ["isolate", "halves", "ring", "cut-from-brokers"] as const) {
      expect(topologyRefusal(t, zk)).toBeUndefined();
      expect(topologyRefusal(t, kraft)).toBeUndefined();
    }
  });

  it("who loses the quorum: a voter or broker reaching fewer than a voter majority", () => {
    const iso = grudgeFor("isolate-controller", kraft, ["c1"], rng());
    expect(votersCutFromMajority(kraft.voters, iso)).toEqual(["c1"]);
    expect(kraft.brokers.every((b) => reachesQuorum(b, kraft.voters, iso))).toBe(true);
    const q = grudgeFor("cut-from-quorum", kraft, ["kafka2"], rng());
    expect(votersCutFromMajority(kraft.voters, q)).toEqual([]);
    expect(kraft.brokers.filter((b) => !reachesQuorum(b, kraft.voters, q))).toEqual(["kafka2"]);
    expect(newQuorumLeader({ leaderId: 102 }, 101)).toBe(true);
    expect(newQuorumLeader({ leaderId: 101 }, 101)).toBe(false);
    expect(newQuorumLeader({ leaderId: -1 }, 101)).toBe(false);
  });
});

describe("firstMatch (the quorum watch's poll)", () => {
  it("resolves with the first answer that matches, without waiting for slow or failed ones", async () => {
    const never = new Promise<number>(() => {}); // a node that never answers: waiting for it would hang the test
    expect(await firstMatch([Promise.reject(new Error("refused")), never, Promise.resolve(1), Promise.resolve(3)], (x) => x > 2)).toBe(3);
  });
  it("is undefined when every ask settled without a match, or there was none", async () => {
    expect(await firstMatch([Promise.resolve(1), Promise.reject(new Error("x"))], (x) => x > 2)).toBeUndefined();
    expect(await firstMatch([], () => true)).toBeUndefined();
  });
});

describe("KRaft schedules", () => {
  const opts = (metadata: "zookeeper" | "kraft", faults: string[]) =>
    parseScheduleOptions({
      faults: faults as never,
      timeLimitMs: 60_000,
      meanIntervalMs: 5000,
      durationMs: { min: 1000, max: 3000 },
      partitions: ["t-0"],
      targets: ["leader", "active-controller"],
      metadata,
    });
  const shapes = (metadata: "zookeeper" | "kraft") =>
    new Set(
      fc
        .sample(faultArbitrary(opts(metadata, ["partition"])), { numRuns: 300, seed: 4 })
        .map((f) => (f.fault === "partition" ? f.topology : f.fault)),
    );

  it("partition draws the KRaft shapes in KRaft mode and the ZooKeeper shapes in ZooKeeper mode", () => {
    expect([...shapes("kraft")].sort()).toEqual(["cut-from-brokers", "cut-from-quorum", "halves", "isolate", "isolate-controller", "ring"]);
    expect([...shapes("zookeeper")].sort()).toEqual(["cut-from-brokers", "cut-from-zookeeper", "halves", "isolate", "ring"]);
  });

  it("isolate-controller targets the active controller; cut-from-quorum targets brokers or all of them", () => {
    const fs = fc.sample(faultArbitrary(opts("kraft", ["isolate-controller", "cut-from-quorum"])), { numRuns: 100, seed: 2 });
    for (const f of fs) {
      if (f.fault !== "partition") throw new Error(`not a partition: ${f.fault}`);
      if (f.topology === "isolate-controller") expect(f.targets).toEqual({ kind: "active-controller" });
      else expect(f.targets === undefined || f.targets.kind === "leader").toBe(true);
    }
    expect(new Set(fs.map((f) => (f.fault === "partition" ? f.topology : ""))).size).toBe(2);
  });

  it("a kind of the other mode is a clear error", () => {
    expect(() => generateSchedule(1, opts("zookeeper", ["isolate-controller"]))).toThrow(/need a KRaft controller quorum/);
    expect(() => generateSchedule(1, opts("kraft", ["cut-from-zookeeper"]))).toThrow(/need ZooKeeper; this is a KRaft cluster/);
    expect(() => generateSchedule(1, opts("kraft", ["zk"]))).toThrow(/need ZooKeeper/);
  });

  it("ZooKeeper-mode schedules are unchanged by the metadata option's default", () => {
    const base = {
      faults: ["partition", "kill"] as never,
      timeLimitMs: 60_000,
      meanIntervalMs: 5000,
      durationMs: { min: 1000, max: 3000 },
      partitions: ["t-0"],
    };
    expect(generateSchedule(9, { ...base, metadata: "zookeeper" })).toEqual(generateSchedule(9, base));
  });

  it("isolate-controller occupies the quorum only; cut-from-quorum both", () => {
    expect([...domainsOf({ fault: "partition", topology: "isolate-controller", targets: { kind: "active-controller" } })]).toEqual([
      "zookeeper",
    ]);
    expect([...domainsOf({ fault: "partition", topology: "cut-from-quorum" })].sort()).toEqual(["broker", "zookeeper"]);
  });
});

/** A fake KRaft cluster: 3 brokers, 3 dedicated controllers c1..c3 (ids 101..103), and a DescribeQuorum whose leader tests set. */
function kraftSetup(quorumLeaderWaitMs?: number) {
  const base = fakeCluster(3, 0);
  const controllers = [1, 2, 3].map((i) =>
    Object.assign(fakeNode(`c${i}`, `10.0.2.${i + 1}`), { role: "controller" as const, id: 100 + i, externalPort: undefined }),
  );
  const cluster = { brokers: base.brokers, zookeepers: [], controllers };
  const fp = fakeProbe({ partitions: [part("t", 0, 2, [1, 2, 3])], brokers: base.brokers });
  const quorum = { leaderId: 101, leaderEpoch: 3, caughtUp: Date.now() };
  const describeQuorum = async (port: number): Promise<QuorumState> => {
    const b = base.brokers.find((x) => x.externalPort === port)!;
    if (b.status !== "running") throw new Error(`${b.name} is down`);
    const leader = controllers.find((c) => c.id === quorum.leaderId);
    // With its leader down, the quorum has none until the test elects one.
    const leaderId = leader && leader.status === "running" ? quorum.leaderId : -1;
    return {
      leaderId,
      leaderEpoch: quorum.leaderEpoch,
      highWatermark: 10,
      voters: controllers.map((c) => ({
        id: c.id,
        logEndOffset: 10,
        lastCaughtUpTimestamp: c.status === "running" ? quorum.caughtUp : -1,
      })),
      observers: base.brokers.map((x) => ({ id: x.id, logEndOffset: 10, lastCaughtUpTimestamp: -1 })),
    };
  };
  const recorder = createRecorder();
  const nemesis = clusterNemesis(cluster, {
    recorder,
    rng: seededRng(5),
    probe: fp.probe,
    describeQuorum,
    watch: { pollMs: 5, timeoutMs: 3000 },
    healOnShutdown: false,
    bounceTimeoutMs: 3000,
    quorumLeaderWaitMs,
  });
  const ops = () => recorder.ops.map((op) => ({ type: op.type, f: op.f, ...(op.value as object) }));
  return { cluster, controllers, quorum, nemesis, ops };
}

const waitUntil = async (cond: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("KRaft nemesis (fake nodes, fake DescribeQuorum)", () => {
  it("a kill of the active controller records a quorum-failover op with the old and new leader and the time", async () => {
    const { quorum, nemesis, ops } = kraftSetup();
    const r = await nemesis.invoke({ fault: "kill", targets: { kind: "active-controller" } });
    expect(r).toMatchObject({ type: "ok", value: { targets: ["c1"], selector: "active-controller" } });
    setTimeout(() => Object.assign(quorum, { leaderId: 103, leaderEpoch: 4 }), 40);
    await waitUntil(() => ops().some((o) => o.f === "quorum-failover"));
    expect(ops().find((o) => o.f === "quorum-failover")).toMatchObject({
      type: "info",
      fault: r.index,
      from: "c1",
      to: "c3",
      fromId: 101,
      toId: 103,
      epochBefore: 3,
      epoch: 4,
      ended: "settled",
    });
    expect(ops().find((o) => o.f === "quorum-failover")).toMatchObject({ quorumLeaderAfterMs: expect.any(Number) });
    await nemesis.invoke(r.undo!);
    await nemesis.close();
  });

  it("an active-controller fault waits for a quorum leader (asked again), and is refused only when none comes", async () => {
    const { quorum, controllers, nemesis, ops } = kraftSetup(3000);
    // The leader is down: no leader until an election, 300 ms later, makes c3 lead.
    controllers[0]!.status = "exited";
    setTimeout(() => Object.assign(quorum, { leaderId: 103, leaderEpoch: 4 }), 300);
    const r = await nemesis.invoke({ fault: "kill", targets: { kind: "active-controller" } });
    expect(r).toMatchObject({ type: "ok", value: { targets: ["c3"], selector: "active-controller" } });
    await nemesis.invoke(r.undo!);
    await nemesis.close({ waitMs: 100 });

    const late = kraftSetup(600);
    late.controllers[0]!.status = "exited";
    const refused = await late.nemesis.invoke({ fault: "kill", targets: { kind: "active-controller" } });
    expect(refused.type).toBe("fail");
    expect(late.ops().find((o) => o.type === "fail")).toMatchObject({
      reason: expect.stringMatching(/waiting for a quorum leader to aim at: the quorum has no leader/),
    });
    await late.nemesis.close({ waitMs: 100 });
    expect(ops().filter((o) => o.type === "fail")).toEqual([]);
  });

  it("a kill of a follower controller measures no quorum failover", async () => {
    const { nemesis, ops } = kraftSetup();
    const r = await nemesis.invoke({ fault: "kill", targets: { kind: "nodes", names: ["c2"] } });
    expect(r.type).toBe("ok");
    await nemesis.invoke(r.undo!);
    await nemesis.close({ waitMs: 100 });
    expect(ops().some((o) => o.f === "quorum-failover")).toBe(false);
  });

  it("isolate-controller of the active controller: rules in the controllers only, a quorum failover measured, healed", async () => {
    const { controllers, cluster, quorum, nemesis, ops } = kraftSetup();
    const r = await nemesis.invoke({ fault: "partition", topology: "isolate-controller", targets: { kind: "active-controller" } });
    expect(r).toMatchObject({
      type: "ok",
      f: "partition",
      value: { topology: "isolate-controller", targets: ["c1"], grudge: { c1: ["c2", "c3"], c2: ["c1"], c3: ["c1"] } },
    });
    expect([...controllers[0]!.drops].sort()).toEqual(["10.0.2.3", "10.0.2.4"]);
    expect(cluster.brokers.every((b) => b.drops.size === 0)).toBe(true);
    quorum.leaderId = 102;
    await waitUntil(() => ops().some((o) => o.f === "quorum-failover"));
    expect(ops().find((o) => o.f === "quorum-failover")).toMatchObject({ from: "c1", to: "c2", ended: "settled" });
    const h = await nemesis.invoke(r.undo!);
    expect(h).toMatchObject({ type: "ok", f: "heal", value: { removedFrom: ["c1", "c2", "c3"] } });
    expect(controllers.every((c) => c.drops.size === 0)).toBe(true);
    await nemesis.close();
  });

  it("cut-from-quorum of every broker: rules in brokers and controllers, broker links untouched", async () => {
    const { cluster, nemesis } = kraftSetup();
    const r = await nemesis.invoke({ fault: "partition", topology: "cut-from-quorum" });
    expect(r).toMatchObject({ type: "ok", value: { topology: "cut-from-quorum" } });
    expect([...cluster.brokers[0]!.drops].sort()).toEqual(["10.0.2.2", "10.0.2.3", "10.0.2.4"]);
    await nemesis.invoke(r.undo!);
    await nemesis.close();
  });

  it("cut-from-zookeeper is refused in KRaft with the reason, nothing applied", async () => {
    const { cluster, nemesis } = kraftSetup();
    const r = await nemesis.invoke({ fault: "partition", topology: "cut-from-zookeeper", targets: { kind: "nodes", names: ["kafka1"] } });
    expect(r).toMatchObject({ type: "fail", value: { reason: expect.stringMatching(/needs ZooKeeper; this cluster runs KRaft/) } });
    expect([...cluster.brokers, ...cluster.controllers].every((n) => n.drops.size === 0)).toBe(true);
    await nemesis.close();
  });

  it("a controller majority killed and started again; heal-all starts controllers too", async () => {
    const { controllers, nemesis } = kraftSetup();
    const r = await nemesis.invoke({ fault: "kill", targets: { kind: "controller-majority" } });
    expect(r.type).toBe("ok");
    expect(controllers.filter((c) => c.status === "exited")).toHaveLength(2);
    const h = await nemesis.healAll();
    expect(h.type).toBe("ok");
    expect(controllers.every((c) => c.status === "running")).toBe(true);
    await nemesis.close();
  });

  it("bounce rolls the brokers, then the dedicated controllers, each awaited back", async () => {
    const { cluster, quorum, nemesis } = kraftSetup();
    quorum.caughtUp = Date.now() + 60_000; // every voter counts as caught up after its restart
    const r = await nemesis.invoke({ fault: "bounce" });
    expect(r).toMatchObject({ type: "ok", f: "bounce", value: { targets: ["kafka1", "kafka2", "kafka3", "c1", "c2", "c3"] } });
    expect((r.value.steps as { node: string }[]).map((s) => s.node)).toEqual(["kafka1", "kafka2", "kafka3", "c1", "c2", "c3"]);
    expect([...cluster.brokers, ...cluster.controllers].every((n) => n.calls.includes("stop") && n.status === "running")).toBe(true);
    await nemesis.close();
  });

  it("bounce fails (info) when a controller does not catch up after its restart", async () => {
    const { quorum, nemesis } = kraftSetup();
    quorum.caughtUp = 1; // long before any restart
    const r = await nemesis.invoke({ fault: "bounce" });
    expect(r).toMatchObject({ type: "info", value: { reason: expect.stringMatching(/controller c2 back in the quorum/) } });
    await nemesis.healAll();
    await nemesis.close();
  }, 10_000);
});
