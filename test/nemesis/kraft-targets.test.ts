import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seededRng } from "../../harness/nemesis/rng.ts";
import { faultArbitrary, parseScheduleOptions } from "../../harness/nemesis/schedule.ts";
import { domainsOf } from "../../harness/nemesis/schedule-rules.ts";
import { resolveTargets } from "../../harness/nemesis/targets.ts";
import { parseTestSpec } from "../../harness/spec/test-spec.ts";
import { fakeCluster, fakeProbe, part } from "./fakes.ts";

const c = fakeCluster();
const { probe } = fakeProbe({ partitions: [part("t", 0, 2, [1, 2, 3])], controller: 1, zkLeader: "zk3" });
const controllers = [101, 102, 103].map((id, i) => ({ name: `c${i + 1}`, role: "controller" as const, id }));
const ctx = (faulted: string[] = [], leader = 102) => ({
  brokers: c.brokers,
  zookeepers: [],
  controllers,
  quorumLeader: async () => leader,
  rng: seededRng(3),
  probe,
  faulted: new Set(faulted),
});

describe("KRaft fault targets", () => {
  it("active-controller is the quorum leader, refused when already faulted", async () => {
    expect(await resolveTargets({ kind: "active-controller" }, ctx())).toEqual({ nodes: ["c2"] });
    await expect(resolveTargets({ kind: "active-controller" }, ctx(["c2"]))).rejects.toThrow(
      /active controller is c2, already under a fault/,
    );
    await expect(resolveTargets({ kind: "active-controller" }, ctx([], 7))).rejects.toThrow(/node 7 is not a voter/);
  });

  it("in KRaft, controller means the active controller", async () => {
    expect(await resolveTargets({ kind: "controller" }, ctx([], 103))).toEqual({ nodes: ["c3"] });
  });

  it("controller minority / majority / all pick healthy voters", async () => {
    expect((await resolveTargets({ kind: "controller-minority" }, ctx())).nodes).toHaveLength(1);
    expect((await resolveTargets({ kind: "controller-majority" }, ctx())).nodes).toHaveLength(2);
    expect((await resolveTargets({ kind: "all-controllers" }, ctx())).nodes).toEqual(["c1", "c2", "c3"]);
    await expect(resolveTargets({ kind: "all-controllers" }, ctx(["c1"]))).rejects.toThrow(/need 3 healthy/);
  });

  it("without a quorum (ZooKeeper mode) they are refused", async () => {
    await expect(
      resolveTargets({ kind: "active-controller" }, { ...ctx(), controllers: undefined, quorumLeader: undefined }),
    ).rejects.toThrow(/no KRaft quorum/);
    await expect(resolveTargets({ kind: "controller-majority" }, { ...ctx(), controllers: [] })).rejects.toThrow(/no KRaft quorum/);
  });

  it("controller faults share the metadata quorum's domain (ZooKeeper's), not the brokers'", () => {
    expect([...domainsOf({ fault: "kill", targets: { kind: "active-controller" } })]).toEqual(["zookeeper"]);
    expect([...domainsOf({ fault: "pause", targets: { kind: "controller-majority" } })]).toEqual(["zookeeper"]);
    expect([...domainsOf({ fault: "kill", targets: { kind: "nodes", names: ["c1"] } })]).toEqual(["zookeeper"]);
  });

  it("--targets active-controller,controllers are spec targets and schedules use them", () => {
    expect(parseTestSpec({ faults: { kinds: ["kill"], targets: ["active-controller", "controllers"] } }).faults.targets).toEqual([
      "active-controller",
      "controllers",
    ]);
    const o = parseScheduleOptions({
      faults: ["kill"],
      timeLimitMs: 30_000,
      meanIntervalMs: 5000,
      durationMs: { min: 1000, max: 2000 },
      targets: ["controllers"],
    });
    const kinds = new Set(
      fc.sample(faultArbitrary(o), { numRuns: 60, seed: 1 }).map((f) => ("targets" in f && f.targets ? f.targets.kind : "")),
    );
    expect([...kinds].sort()).toEqual(["all-controllers", "controller-majority", "controller-minority"]);
  });
});
