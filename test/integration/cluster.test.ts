// Needs a real cluster: the foundation every other part stands on. The integration files' shared
// cluster (shared-cluster.ts), of the default shape: already running, so no start of its own.
// That stop() removes every container and the network is shown where a cluster is stopped anyway:
// cleanup.test.ts (a ZooKeeper cluster, stopped by the same stop() on a signal), kraft.test.ts
// and node-addresses.test.ts (KRaft clusters, their stop() called).
import { beforeAll, describe, expect, it } from "vitest";
import { produceValues, readValues } from "../../harness/clients/kafkajs/round-trip.ts";
import { findLeftovers } from "../../harness/cluster/cleanup.ts";
import { type Cluster, createTopic, READY_TOPIC } from "../../harness/cluster/cluster.ts";
import { describeTopic, waitTopicInSync } from "../../harness/cluster/readiness.ts";
import { withAdmin } from "../../harness/kafkajs/factory.ts";
import { run } from "../../harness/util/exec.ts";
import { waitFor } from "../../harness/util/wait.ts";
import { sharedCluster } from "./shared-cluster.ts";

describe("cluster (real ZooKeeper + Kafka)", () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await sharedCluster();
  });

  it("comes up with every broker in metadata and a replication-factor-3 topic fully in sync", async () => {
    const seen = await withAdmin(cluster.bootstrap(), async (a) => (await a.describeCluster()).brokers.map((b) => b.nodeId));
    expect(seen.sort()).toEqual([1, 2, 3]);
    const parts = await describeTopic(cluster.bootstrap(), READY_TOPIC);
    expect(parts).toHaveLength(3);
    for (const p of parts) {
      expect(p.replicas).toEqual([1, 2, 3]);
      expect(p.isr).toEqual([1, 2, 3]);
    }
  });

  it("publishes broker ports on 127.0.0.1 only, and labels every container with the run id", async () => {
    const out = await run("docker", [
      "inspect",
      "--format",
      "{{json .HostConfig.PortBindings}}",
      ...cluster.brokers.map((b) => b.containerId),
    ]);
    const bindings = out
      .trim()
      .split("\n")
      .flatMap((l) => Object.values(JSON.parse(l) as Record<string, { HostIp: string }[]>).flat());
    expect(bindings).toHaveLength(3);
    for (const b of bindings) expect(b.HostIp).toBe("127.0.0.1");
    const zkBindings = await run("docker", [
      "inspect",
      "--format",
      "{{json .HostConfig.PortBindings}}",
      cluster.zookeepers[0]!.containerId,
    ]);
    expect(Object.keys(JSON.parse(zkBindings) ?? {})).toHaveLength(0);
    // Every node is on the run's network only (not on Docker's shared default bridge).
    const networks = await run("docker", [
      "inspect",
      "--format",
      "{{json .NetworkSettings.Networks}}",
      ...[...cluster.zookeepers, ...cluster.brokers].map((n) => n.containerId),
    ]);
    for (const line of networks.trim().split("\n")) expect(Object.keys(JSON.parse(line) as object)).toEqual([cluster.network]);
    const left = await findLeftovers(cluster.runId);
    expect(left.containers).toHaveLength(6);
    expect(left.networks).toHaveLength(1);
  });

  it("round-trips 500 records with acks=all and min.insync.replicas=2", async () => {
    await createTopic(cluster.bootstrap(), "roundtrip", { partitions: 3, replicationFactor: 3, config: { "min.insync.replicas": "2" } });
    const values = Array.from({ length: 500 }, (_, i) => i);
    expect(await produceValues(cluster.bootstrap(), "roundtrip", values, -1)).toBe(500);
    const read = await readValues(cluster.bootstrap(), "roundtrip", 500);
    expect(new Set(read)).toEqual(new Set(values));
  });

  it("a broker killed (SIGKILL) and started again rejoins the ISR with its data", async () => {
    await createTopic(cluster.bootstrap(), "survivor", { partitions: 1, replicationFactor: 3, config: { "min.insync.replicas": "2" } });
    const values = Array.from({ length: 300 }, (_, i) => 1000 + i);
    await produceValues(cluster.bootstrap(), "survivor", values, -1);
    const victim = cluster.brokerById(2);
    const logSize = async () => {
      const r = await victim.exec(["bash", "-c", "stat -c %s /data/kafka/survivor-0/00000000000000000000.log"]);
      return Number(r.output.trim());
    };
    const before = await logSize();
    expect(before).toBeGreaterThan(0);

    await victim.kill();
    expect(await victim.state()).toBe("exited");
    // ZooKeeper notices the dead session and the controller drops it from the ISR.
    await waitFor(
      "kafka2 to leave the ISR",
      async () => {
        const [p] = await describeTopic(
          [cluster.brokerById(1), cluster.brokerById(3)].map((b) => `127.0.0.1:${b.externalPort}`),
          "survivor",
        );
        return p && !p.isr.includes(2);
      },
      { timeoutMs: 60_000 },
    );

    await victim.start();
    const [p] = await waitTopicInSync(cluster.bootstrap(), "survivor", 120_000);
    expect(p!.isr).toEqual([1, 2, 3]);
    expect(await logSize()).toBeGreaterThanOrEqual(before);
    // The restarted broker is on the same fixed port and serves reads again.
    const read = await readValues([`127.0.0.1:${victim.externalPort}`], "survivor", values.length);
    expect(new Set(read)).toEqual(new Set(values));
  });
});
