// Needs a real cluster: every node keeps its own address on the run's network. A small KRaft cluster
// (3 dedicated controllers, 1 broker, Kafka 4.x): two controllers killed and started again in the
// other order come back each on its own address, not on the lowest free ones Docker hands out (they
// used to swap, and the quorum never healed); a node whose endpoint was removed while it was down is
// reconnected on its address, under its name, before it starts. Two run networks created at the same
// moment get different subnets.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findLeftovers, removeLeftovers } from "../../harness/cluster/cleanup.ts";
import { type Cluster, startCluster } from "../../harness/cluster/cluster.ts";
import { newRunId } from "../../harness/cluster/labels.ts";
import type { NodeHandle } from "../../harness/cluster/node-handle.ts";
import { waitQuorumReady } from "../../harness/cluster/readiness.ts";
import { createRunNetwork, engineSubnets } from "../../harness/cluster/run-network.ts";
import { cidrRange, nodeAddress } from "../../harness/cluster/subnet.ts";
import { run } from "../../harness/util/exec.ts";

const hostPart = (ip: string) => Number(ip.split(".")[3]);

/** The network's endpoints' addresses, as Docker lists them (running containers only). */
async function endpointAddresses(network: string): Promise<string[]> {
  const out = await run("docker", ["network", "inspect", "--format", "{{json .Containers}}", network]);
  const containers = JSON.parse(out) as Record<string, { IPv4Address: string }> | null;
  return Object.values(containers ?? {}).map((c) => c.IPv4Address.split("/")[0]!);
}

/** The `n` lowest addresses Docker would give the next containers: not the gateway (.1), not in use. */
async function lowestFree(c: Cluster, n: number): Promise<string[]> {
  const used = new Set((await endpointAddresses(c.network)).map(hostPart));
  const prefix = c.subnet.split(".").slice(0, 3).join(".");
  const free: string[] = [];
  for (let h = 2; free.length < n; h++) if (!used.has(h)) free.push(`${prefix}.${h}`);
  return free;
}

describe("run networks", () => {
  it("two created at the same moment get different /24s, overlapping no other network", async () => {
    const ids = [newRunId(), newRunId()];
    const before = await engineSubnets();
    try {
      // Both see the same free /24: the engine refuses the second one ("Pool overlaps"), which then
      // takes the next.
      const [a, b] = await Promise.all(ids.map((id) => createRunNetwork(id)));
      expect(a).not.toBe(b);
      for (const s of [a!, b!]) {
        expect(s).toMatch(/^10\.213\.\d+\.0\/24$/);
        const r = cidrRange(s)!;
        for (const other of before.map(cidrRange))
          if (other) expect(other.last < r.first || other.first > r.last, `${s} overlaps an existing network`).toBe(true);
      }
    } finally {
      for (const id of ids) await removeLeftovers(id);
    }
  });
});

describe("node addresses (KRaft, Kafka 4.x)", () => {
  let cluster: Cluster;
  const original = new Map<string, string>();
  const all = () => [...cluster.controllers, ...cluster.brokers];
  const voterIds = () => cluster.controllers.map((n) => n.id);

  beforeAll(async () => {
    cluster = await startCluster({ metadata: "kraft", controllers: 3, brokers: 1 }, { progress: (m) => console.error(m) });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("puts every node on its fixed address in the network's own /24", async () => {
    const range = cidrRange(cluster.subnet)!;
    expect(range.last - range.first).toBe(255);
    for (const n of all()) original.set(n.name, await n.address());
    expect(Object.fromEntries(original)).toEqual({
      c1: nodeAddress(cluster.subnet, "controller", 1),
      c2: nodeAddress(cluster.subnet, "controller", 2),
      c3: nodeAddress(cluster.subnet, "controller", 3),
      kafka1: nodeAddress(cluster.subnet, "broker", 1),
    });
  });

  it("two controllers killed and started again in the other order come back each on its own address", async () => {
    // The lower address killed first, the higher one started first: Docker alone gives that one the
    // lowest free address, the other's.
    const [low, high] = cluster.controllers
      .slice(0, 2)
      .sort((a, b) => hostPart(original.get(a.name)!) - hostPart(original.get(b.name)!)) as [NodeHandle, NodeHandle];
    await low.kill();
    await high.kill();
    expect(await low.state()).toBe("exited");
    expect(await high.state()).toBe("exited");
    const nextFree = await lowestFree(cluster, 2);

    await high.start();
    expect(await high.address(), high.name).toBe(original.get(high.name));
    await low.start();
    expect(await low.address(), low.name).toBe(original.get(low.name));
    for (const n of all()) expect(await n.address(), n.name).toBe(original.get(n.name));
    // Not what Docker would have handed out anyway.
    for (const n of [low, high]) expect(nextFree, n.name).not.toContain(original.get(n.name));
    // The quorum heals: every voter back and caught up.
    await waitQuorumReady(cluster.brokers, voterIds(), 90_000);
  }, 180_000);

  it("a node whose endpoint was removed while it was down is reconnected on its address and name", async () => {
    const node = cluster.controllers[2]!;
    await node.kill();
    await run("docker", ["network", "disconnect", "--force", cluster.network, node.containerId]);
    const networks = await run("docker", ["inspect", "--format", "{{json .NetworkSettings.Networks}}", node.containerId]);
    expect(Object.keys(JSON.parse(networks) as object)).not.toContain(cluster.network);

    await node.start();
    expect(await node.address()).toBe(original.get(node.name));
    // Reached under its name again: the quorum takes it back.
    await waitQuorumReady(cluster.brokers, voterIds(), 90_000);
  }, 180_000);

  it("stop() removes every container and the network", async () => {
    const runId = cluster.runId;
    await cluster.stop();
    expect(await findLeftovers(runId)).toEqual({ containers: [], networks: [] });
  });
});
