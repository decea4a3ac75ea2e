// add-broker / remove-broker and decommission-broker / recommission-broker on fakes: the broker list
// grows and shrinks, replicas move on and off, the broker stops and (KRaft) is unregistered, and
// heal-all undoes both; other cluster kinds refuse add-broker.
import { describe, expect, it } from "vitest";
import { createRecorder } from "../../harness/history/recorder.ts";
import type { NemesisCluster } from "../../harness/nemesis/capabilities.ts";
import { clusterNemesis } from "../../harness/nemesis/nemesis.ts";
import { seededRng } from "../../harness/nemesis/rng.ts";
import { fakeCluster, fakeNode, fakeProbe, fakeReplicaAdmin, part } from "./fakes.ts";

const assigned = (topic: string, partition: number, leader: number, order: number[]) => ({
  ...part(
    topic,
    partition,
    leader,
    [...order].sort((a, b) => a - b),
  ),
  assigned: order,
});

function setup(o: { brokers?: number; kraft?: boolean; canAdd?: boolean; partitions?: ReturnType<typeof assigned>[] } = {}) {
  const c = fakeCluster(o.brokers ?? 3, o.kraft ? 0 : 3);
  const removed: string[] = [];
  const membership =
    o.canAdd === false
      ? {}
      : {
          async addBroker() {
            const id = Math.max(...c.brokers.map((b) => b.id)) + 1;
            const n = fakeNode(`kafka${id}`, `10.0.1.${id + 1}`);
            c.brokers.push(n);
            return n;
          },
          async removeBroker(name: string) {
            removed.push(name);
            c.brokers.splice(
              c.brokers.findIndex((b) => b.name === name),
              1,
            );
          },
        };
  const cluster: NemesisCluster = { zookeepers: c.zookeepers, brokers: c.brokers, ...membership };
  const fp = fakeProbe({
    partitions: o.partitions ?? [assigned("t", 0, 1, [1, 2, 3]), assigned("t", 1, 2, [2, 3, 1])],
    brokers: c.brokers,
  });
  const fa = fakeReplicaAdmin(fp.s, { pollsToComplete: 1 });
  const recorder = createRecorder();
  const nemesis = clusterNemesis(cluster, {
    recorder,
    rng: seededRng(3),
    probe: fp.probe,
    replicaAdmin: fa.admin,
    watch: false,
    healOnShutdown: false,
    membershipTimeoutMs: 5000,
    sessionWaitMs: 0,
    workload: { partitions: ["t-0", "t-1"], replicationFactor: 3 },
  });
  const byKey = (k: string) => fp.s.partitions.find((p) => `${p.topic}-${p.partition}` === k)!;
  return { c, fp, fa, nemesis, byKey, removed };
}

describe("add-broker", () => {
  it("starts the next broker, moves one replica of each partition onto it in its place, and its undo moves them back and removes it", async () => {
    const { c, nemesis, byKey, removed } = setup();
    const r = await nemesis.invoke({ fault: "add-broker" });
    expect(r).toMatchObject({
      type: "ok",
      value: { targets: ["kafka4"], id: 4, replicasMoved: 2, inIsr: ["t-0", "t-1"], registeredAfterMs: expect.any(Number) },
      undo: { fault: "remove-broker", targets: { kind: "nodes", names: ["kafka4"] } },
    });
    expect(c.brokers.map((b) => b.name)).toEqual(["kafka1", "kafka2", "kafka3", "kafka4"]);
    const to = r.value.to as Record<string, number[]>;
    for (const [k, was] of [
      ["t-0", [1, 2, 3]],
      ["t-1", [2, 3, 1]],
    ] as const) {
      expect(byKey(k).assigned).toEqual(to[k]);
      expect(to[k]).toContain(4);
      // One replica replaced where it stood: the others keep their places.
      expect(to[k]!.filter((x, i) => x !== was[i])).toEqual([4]);
    }
    expect(nemesis.state.faulted().size).toBe(0); // an added broker is a healthy one

    const u = await nemesis.invoke(r.undo!);
    expect(u).toMatchObject({ type: "ok", f: "remove-broker", value: { targets: ["kafka4"], replicasMoved: 2 } });
    expect(byKey("t-0").assigned).toEqual([1, 2, 3]); // back to the broker each replica came from
    expect(byKey("t-1").assigned).toEqual([2, 3, 1]);
    expect(removed).toEqual(["kafka4"]);
    expect(c.brokers.map((b) => b.name)).toEqual(["kafka1", "kafka2", "kafka3"]);
    await nemesis.close();
  });

  it("moves a target broker's replica (the leader of t-0), so that leader moves to the new broker", async () => {
    const { nemesis, byKey } = setup();
    const r = await nemesis.invoke({ fault: "add-broker", of: "t-0", targets: { kind: "leader", of: "t-0" } });
    expect(r).toMatchObject({ type: "ok", value: { movedOff: ["kafka1"], movedFrom: ["kafka1"], to: { "t-0": [4, 2, 3] } } });
    expect(byKey("t-0").leader).toBe(4);
    await nemesis.close();
  });

  it("is refused where the cluster kind starts no broker (attach, ssh), naming why", async () => {
    const { nemesis, c } = setup({ canAdd: false });
    const r = await nemesis.invoke({ fault: "add-broker" });
    expect(r).toMatchObject({
      type: "fail",
      value: { reason: expect.stringMatching(/starts no broker: add-broker needs the docker kind/) },
    });
    expect(c.brokers).toHaveLength(3);
    await nemesis.close();
  });

  it("remove-broker refuses a broker add-broker did not start", async () => {
    const { nemesis, removed } = setup();
    const r = await nemesis.invoke({ fault: "remove-broker", targets: { kind: "nodes", names: ["kafka2"] } });
    expect(r).toMatchObject({ type: "fail", value: { reason: "kafka2 not started by add-broker: only added brokers are removed" } });
    expect(removed).toEqual([]);
    await nemesis.close();
  });

  it("heal-all moves the replicas off an added broker (killed meanwhile: started first) and removes it", async () => {
    const { c, nemesis, byKey, removed } = setup();
    await nemesis.invoke({ fault: "add-broker" });
    const k = await nemesis.invoke({ fault: "kill", targets: { kind: "nodes", names: ["kafka4"] } });
    expect(k.type).toBe("ok");
    const h = await nemesis.healAll();
    expect(h).toMatchObject({ type: "ok", value: { started: ["kafka4"], healed: { membership: ["kafka4"] } } });
    expect(removed).toEqual(["kafka4"]);
    expect(c.brokers).toHaveLength(3);
    expect(byKey("t-0").replicas).not.toContain(4);
    expect(byKey("t-1").replicas).not.toContain(4);
    await nemesis.close();
  });
});

describe("decommission-broker", () => {
  it("moves every workload replica off the broker, stops it (ZooKeeper: no unregister), and recommission starts it", async () => {
    const { c, fa, nemesis, byKey } = setup({ brokers: 4 });
    const r = await nemesis.invoke({ fault: "decommission-broker", targets: { kind: "nodes", names: ["kafka2"] } });
    expect(r).toMatchObject({
      type: "ok",
      value: {
        targets: ["kafka2"],
        replicasMoved: 2,
        to: { "t-0": [1, 4, 3], "t-1": [4, 3, 1] },
        deregisteredAfterMs: expect.any(Number),
        completedAfterMs: expect.any(Number),
      },
      undo: { fault: "recommission-broker", targets: { kind: "nodes", names: ["kafka2"] } },
    });
    expect(byKey("t-1").leader).toBe(4); // it led t-1
    expect(c.brokers[1]!.status).toBe("exited");
    expect(c.brokers[1]!.calls).toEqual(["stop"]);
    expect(fa.unregistered).toEqual([]);
    expect(nemesis.state.faulted()).toEqual(new Set(["kafka2"]));
    const u = await nemesis.invoke(r.undo!);
    expect(u).toMatchObject({ type: "ok", f: "recommission-broker", value: { registeredAfterMs: { kafka2: expect.any(Number) } } });
    expect(c.brokers[1]!.status).toBe("running");
    expect(nemesis.state.faulted().size).toBe(0);
    await nemesis.close();
  });

  it("in KRaft unregisters the broker once it is down", async () => {
    const { fa, nemesis } = setup({ brokers: 4, kraft: true });
    const r = await nemesis.invoke({ fault: "decommission-broker", targets: { kind: "nodes", names: ["kafka3"] } });
    expect(r).toMatchObject({ type: "ok", value: { unregistered: true } });
    expect(fa.unregistered).toEqual([3]);
    await nemesis.close();
  });

  it("is refused when a partition has no healthy broker outside its list to take the replica (nothing stops)", async () => {
    const { c, nemesis } = setup({ brokers: 3 });
    const r = await nemesis.invoke({ fault: "decommission-broker", targets: { kind: "nodes", names: ["kafka2"] } });
    expect(r).toMatchObject({
      type: "fail",
      value: { reason: expect.stringMatching(/t-0: every healthy broker holds a replica already/) },
    });
    expect(c.brokers[1]!.calls).toEqual([]);
    await nemesis.close();
  });

  it("retires one broker at a time", async () => {
    const { nemesis } = setup({ brokers: 4 });
    const r = await nemesis.invoke({ fault: "decommission-broker", targets: { kind: "nodes", names: ["kafka1", "kafka2"] } });
    expect(r).toMatchObject({ type: "fail", value: { reason: expect.stringMatching(/one broker at a time/) } });
    await nemesis.close();
  });

  it("heal-all starts a decommissioned broker and clears it from what is in force", async () => {
    const { c, nemesis } = setup({ brokers: 4 });
    await nemesis.invoke({ fault: "decommission-broker", targets: { kind: "nodes", names: ["kafka4"] } });
    const h = await nemesis.healAll();
    expect(h).toMatchObject({ type: "ok", value: { started: ["kafka4"], healed: { membership: ["kafka4"] } } });
    expect(c.brokers[3]!.status).toBe("running");
    await nemesis.close();
  });
});
