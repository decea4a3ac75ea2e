// The membership family on a real cluster (the shared one: 3 brokers, ZooKeeper mode), on a topic of
// replication factor 2 so a broker outside each replica set exists: reassign moves a replica and the
// preferred leader, elect-leaders then moves the leader to it, shrink-replicas cuts the replicas to
// one chosen broker (the leader moves there), and its undo grows them back in sync; add-broker starts
// a fourth broker and moves a replica onto it, remove-broker takes it off and removes the broker (the
// shared cluster is left as it was); decommission-broker moves the replica off a broker and shuts it
// down, recommission-broker starts it. Each step is checked against the cluster's own metadata (and
// Docker's container list), not only the op's word.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, createTopic, deleteTopic } from "../../harness/cluster/cluster.ts";
import { RUN_LABEL } from "../../harness/cluster/labels.ts";
import { createRecorder } from "../../harness/history/recorder.ts";
import { newKafka } from "../../harness/kafkajs/factory.ts";
import { type ClusterNemesis, clusterNemesis } from "../../harness/nemesis/nemesis.ts";
import { clusterProbe } from "../../harness/nemesis/probe.ts";
import { seededRng } from "../../harness/nemesis/rng.ts";
import { run } from "../../harness/util/exec.ts";
import { waitFor } from "../../harness/util/wait.ts";
import { sharedCluster } from "./shared-cluster.ts";

const TOPIC = "membership";
let cluster: Cluster;
let nemesis: ClusterNemesis;
const recorder = createRecorder();

/** m-0 as the cluster says now: replicas in assignment order, leader, ISR. */
async function now() {
  const md = await clusterProbe(cluster).metadata({ topics: [TOPIC] });
  const p = md.partitions.find((x) => x.partition === 0)!;
  return { assigned: p.assigned!, leader: p.leader, isr: p.isr };
}
const nameOf = (id: number) => cluster.brokerById(id).name;

beforeAll(async () => {
  cluster = await sharedCluster();
  await createTopic(cluster.bootstrap(), TOPIC, { partitions: 1, replicationFactor: 2 });
  // Some data to move.
  const producer = newKafka(cluster.bootstrap(), "membership-test").producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 200 }, (_, i) => ({ value: `v${i}` })) });
  await producer.disconnect();
  nemesis = clusterNemesis(cluster, {
    recorder,
    rng: seededRng(11),
    watch: { topics: [TOPIC], timeoutMs: 10_000 },
    workload: { partitions: [`${TOPIC}-0`], replicationFactor: 2 },
    membershipTimeoutMs: 30_000,
  });
});

afterAll(async () => {
  if (!nemesis) return;
  const h = await nemesis.healAll();
  await nemesis.close();
  expect(h.type).toBe("ok");
  await deleteTopic(cluster.bootstrap(), TOPIC);
});

describe("membership faults on a real cluster", () => {
  it("reassign moves a replica and the preferred leader; elect-leaders moves the leader there; shrink and grow change the replica set and back", async () => {
    const start = await now();
    const [leader, follower] = [start.leader, start.assigned.find((r) => r !== start.leader)!];

    // reassign: the follower's replica goes to the third broker; the order rotates.
    const r = await nemesis.invoke({ fault: "reassign", of: `${TOPIC}-0`, targets: { kind: "nodes", names: [nameOf(follower)] } });
    expect(r.type).toBe("ok");
    const moved = (r.value.to as Record<string, number[]>)[`${TOPIC}-0`]!;
    expect(moved).not.toContain(follower);
    expect(moved[0]).not.toBe(start.assigned[0]);
    const afterMove = await now();
    expect(afterMove.assigned).toEqual(moved);
    expect(r.value.completedAfterMs).toEqual(expect.any(Number));
    console.error(`reassign ${start.assigned} → ${moved} in ${r.value.completedAfterMs} ms; leader ${leader} → ${afterMove.leader}`);

    // elect-leaders: the leader moves to the new preferred replica (the first of the list).
    const e = await nemesis.invoke({ fault: "elect-leaders", of: `${TOPIC}-0` });
    expect(e.type).toBe("ok");
    const afterElect = await waitFor(
      "the preferred leader to lead",
      async () => {
        const p = await now();
        return p.leader === moved[0] && p;
      },
      { timeoutMs: 10_000 },
    );
    if (afterMove.leader !== moved[0]) expect(e.value).toMatchObject({ elected: [`${TOPIC}-0`], leaderMoved: [`${TOPIC}-0`] });
    console.error(`elect-leaders: leader ${afterMove.leader} → ${afterElect.leader} in ${e.value.tookMs} ms`);

    // shrink-replicas keeping the follower: the leader moves to it, one replica left.
    const keep = afterElect.assigned.find((x) => x !== afterElect.leader)!;
    const s = await nemesis.invoke({ fault: "shrink-replicas", of: `${TOPIC}-0`, targets: { kind: "nodes", names: [nameOf(keep)] } });
    expect(s).toMatchObject({ type: "ok", value: { to: { [`${TOPIC}-0`]: [keep] }, leaderMoved: [`${TOPIC}-0`] } });
    expect(await now()).toMatchObject({ assigned: [keep], leader: keep, isr: [keep] });
    const failover = await waitFor(
      "the shrink's failover record",
      async () => recorder.ops.find((o) => o.f === "failover" && (o.value as { fault: number }).fault === s.index),
      {
        timeoutMs: 15_000,
      },
    );
    expect(failover.value).toMatchObject({ leaderless: [`${TOPIC}-0`], leaderAfterMs: expect.any(Number) });

    // Its undo: the same list back, every replica in sync.
    const g = await nemesis.invoke(s.undo!);
    expect(g).toMatchObject({ type: "ok", f: "grow-replicas", value: { inSyncAfterMs: expect.any(Number) } });
    const back = await now();
    expect(back.assigned).toEqual(afterElect.assigned);
    expect(back.isr).toEqual([...afterElect.assigned].sort((a, b) => a - b));
    console.error(`shrink-replicas to ${keep} in ${s.value.completedAfterMs} ms; grow back in sync after ${g.value.inSyncAfterMs} ms`);
  });

  it("add-broker starts a fourth broker that registers and takes a replica into the ISR; remove-broker moves it back off and removes the container", async () => {
    const start = await now();
    const a = await nemesis.invoke({ fault: "add-broker", of: `${TOPIC}-0` });
    expect(a).toMatchObject({ type: "ok", value: { targets: ["kafka4"], id: 4, replicasMoved: 1, inIsr: [`${TOPIC}-0`] } });
    expect(cluster.brokers.map((b) => b.name)).toContain("kafka4");
    expect([...(await clusterProbe(cluster).registered())].map(([id]) => id)).toContain(4);
    const withNew = await now();
    expect(withNew.assigned).toContain(4);
    expect(withNew.isr).toContain(4);
    console.error(
      `add-broker: kafka4 started in ${a.value.startedAfterMs} ms, registered after ${a.value.registeredAfterMs} ms; ${start.assigned} → ${withNew.assigned} completed in ${a.value.completedAfterMs} ms (leader ${start.leader} → ${withNew.leader})`,
    );

    const r = await nemesis.invoke(a.undo!);
    expect(r).toMatchObject({ type: "ok", f: "remove-broker", value: { targets: ["kafka4"] } });
    const back = await now();
    expect(back.assigned).toEqual(start.assigned); // back onto the broker it came from
    expect(cluster.brokers.map((b) => b.name)).not.toContain("kafka4");
    const left = await run("docker", [
      "ps",
      "-aq",
      "--filter",
      `label=${RUN_LABEL}=${cluster.runId}`,
      "--filter",
      `name=${cluster.runId}-kafka4`,
    ]);
    expect(left.trim()).toBe("");
    expect([...(await clusterProbe(cluster).registered())].map(([id]) => id)).not.toContain(4);
    console.error(
      `remove-broker: ${r.value.replicasMoved} replica(s) moved off in ${r.value.movedAfterMs} ms; removed after ${r.value.removedAfterMs} ms`,
    );
  });

  it("decommission-broker moves the replica off a broker and shuts it down (ZooKeeper drops it); recommission-broker starts it and it registers", async () => {
    const start = await now();
    const gone = start.assigned.find((r) => r !== start.leader)!;
    const d = await nemesis.invoke({ fault: "decommission-broker", targets: { kind: "nodes", names: [nameOf(gone)] } });
    expect(d).toMatchObject({ type: "ok", value: { targets: [nameOf(gone)], replicasMoved: 1, deregisteredAfterMs: expect.any(Number) } });
    const after = await now();
    expect(after.assigned).not.toContain(gone);
    expect(after.assigned).toHaveLength(2);
    expect(await cluster.brokerById(gone).state()).toBe("exited");
    expect([...(await clusterProbe(cluster).registered())].map(([id]) => id)).not.toContain(gone);
    console.error(
      `decommission-broker ${nameOf(gone)}: ${start.assigned} → ${after.assigned} in ${d.value.completedAfterMs} ms, stopped in ${d.value.stoppedAfterMs} ms, deregistered ${d.value.deregisteredAfterMs} ms after the stop began`,
    );

    const u = await nemesis.invoke(d.undo!);
    expect(u).toMatchObject({ type: "ok", f: "recommission-broker" });
    expect(await cluster.brokerById(gone).state()).toBe("running");
    expect([...(await clusterProbe(cluster).registered())].map(([id]) => id)).toContain(gone);
    console.error(`recommission-broker: registered after ${(u.value.registeredAfterMs as Record<string, number>)[nameOf(gone)]} ms`);
  });
});
