import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seededRng } from "../../harness/nemesis/rng.ts";
import { majoritySize, minoritySize, resolveSettled, resolveTargets } from "../../harness/nemesis/targets.ts";
import { fakeCluster, fakeProbe, part } from "./fakes.ts";

const c = fakeCluster();
const { probe, s } = fakeProbe({ partitions: [part("t", 0, 2, [1, 2, 3]), part("t", 1, 3, [1, 2, 3])], controller: 1, zkLeader: "zk3" });
const ctx = (seed = 1, faulted: string[] = []) => ({
  brokers: c.brokers,
  zookeepers: c.zookeepers,
  rng: seededRng(seed),
  probe,
  faulted: new Set(faulted),
});

describe("target resolution", () => {
  it("the leader comes from metadata, asked while avoiding faulted brokers", async () => {
    expect(await resolveTargets({ kind: "leader", of: "t-1" }, ctx(1, ["kafka1"]))).toEqual({ nodes: ["kafka3"], leaderOf: "t-1" });
    expect(s.asked.at(-1)).toEqual(["kafka1"]);
  });

  it("refuses a leader or controller that is already faulted, or missing", async () => {
    await expect(resolveTargets({ kind: "leader", of: "t-0" }, ctx(1, ["kafka2"]))).rejects.toThrow(
      /leader of t-0 is kafka2, already under a fault/,
    );
    await expect(resolveTargets({ kind: "controller" }, ctx(1, ["kafka1"]))).rejects.toThrow(/controller is kafka1/);
    await expect(resolveTargets({ kind: "leader", of: "t-9" }, ctx())).rejects.toThrow(/not in/);
  });

  it("a partition between leaders is asked again until it has one; a faulted leader is refused at once", async () => {
    const between = fakeProbe({ partitions: [part("t", 0, -1, [1, 2, 3])] });
    const naps: number[] = [];
    let electAfter = 3;
    const settle = (spec: { kind: "leader"; of: string }, faulted: string[] = [], waitMs = 5000) =>
      resolveSettled(() => resolveTargets(spec, { ...ctx(1, faulted), probe: between.probe }), {
        waitMs,
        sleep: async (ms) => {
          naps.push(ms);
          if (naps.length === electAfter) between.s.partitions = [part("t", 0, 3, [1, 2, 3])];
        },
      });
    expect(await settle({ kind: "leader", of: "t-0" })).toEqual({ nodes: ["kafka3"], leaderOf: "t-0" });
    expect(naps).toEqual([250, 250, 250]);
    // Still no leader at the deadline: refused with the last answer.
    between.s.partitions = [part("t", 0, -1, [1, 2, 3])];
    naps.length = 0;
    electAfter = Infinity;
    await expect(settle({ kind: "leader", of: "t-0" }, [], 1000)).rejects.toThrow(/t-0 has no leader/);
    expect(naps).toEqual([250, 250, 250, 250]); // 1 s
    // A leader already under a fault stays so until a heal: no second ask.
    between.s.partitions = [part("t", 0, 3, [1, 2, 3])];
    naps.length = 0;
    await expect(settle({ kind: "leader", of: "t-0" }, ["kafka3"])).rejects.toThrow(/already under a fault/);
    expect(naps).toEqual([]);
  });

  it("controller and ZooKeeper leader come from the probe", async () => {
    expect((await resolveTargets({ kind: "controller" }, ctx())).nodes).toEqual(["kafka1"]);
    expect((await resolveTargets({ kind: "zk-leader" }, ctx())).nodes).toEqual(["zk3"]);
  });

  it("minority and majority sizes", () => {
    expect([1, 2, 3, 4, 5].map(minoritySize)).toEqual([0, 0, 1, 1, 2]);
    expect([1, 2, 3, 4, 5].map(majoritySize)).toEqual([1, 2, 2, 3, 3]);
  });

  it("random picks never hit a faulted node, have the right size and replay with the seed", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.subarray(["kafka1", "kafka2", "kafka3", "zk1", "zk2", "zk3"], { maxLength: 1 }),
        fc.constantFrom("random-broker", "minority", "majority", "zk-random", "zk-minority", "zk-majority"),
        async (seed, faulted, kind) => {
          const spec = { kind } as { kind: "random-broker" };
          const a = await resolveTargets(spec, ctx(seed, faulted));
          expect(a.nodes.some((n) => faulted.includes(n))).toBe(false);
          const want = { "random-broker": 1, "zk-random": 1, minority: 1, "zk-minority": 1, majority: 2, "zk-majority": 2 }[kind];
          expect(a.nodes).toHaveLength(want);
          expect(a.nodes.every((n) => n.startsWith(kind.startsWith("zk") ? "zk" : "kafka"))).toBe(true);
          expect(await resolveTargets(spec, ctx(seed, faulted))).toEqual(a);
        },
      ),
    );
  });

  it("refuses when not enough healthy nodes remain", async () => {
    await expect(resolveTargets({ kind: "majority" }, ctx(1, ["kafka1", "kafka2"]))).rejects.toThrow(/need 2 healthy/);
    await expect(resolveTargets({ kind: "all-brokers" }, ctx(1, ["kafka3"]))).rejects.toThrow(/need 3 healthy/);
  });

  it("fixed names must exist", async () => {
    expect((await resolveTargets({ kind: "nodes", names: ["zk2", "kafka1"] }, ctx())).nodes).toEqual(["kafka1", "zk2"]);
    await expect(resolveTargets({ kind: "nodes", names: ["kafka9"] }, ctx())).rejects.toThrow(/no node named kafka9/);
  });
});
