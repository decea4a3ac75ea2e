// Readiness as DESIGN.md §3 defines it: ZooKeeper answers `srvr` with a Mode line; every broker is
// registered and sees all others in metadata; a replicated topic has all replicas in sync.
import { withAdmin } from "../kafka/client.ts";
import { waitFor } from "../util/wait.ts";
import type { NodeHandle } from "./node-handle.ts";
import { zkMode } from "./zookeeper-words.ts";

export async function waitZookeeperReady(nodes: NodeHandle[], timeoutMs: number): Promise<void> {
  await Promise.all(
    nodes.map((n) => waitFor(`${n.name} to serve (srvr Mode:)`, () => zkMode(n), { timeoutMs, intervalMs: 300 })),
  );
}

export const bootstrapOf = (b: NodeHandle) => `127.0.0.1:${b.externalPort}`;

/** Every broker, asked directly, knows all broker ids. */
export async function waitBrokersSeeEachOther(brokers: NodeHandle[], timeoutMs: number): Promise<void> {
  const want = brokers.map((b) => b.id).sort().join(",");
  await Promise.all(
    brokers.map((b) =>
      waitFor(
        `${b.name} to see brokers ${want} in metadata`,
        async () => {
          const seen = await withAdmin([bootstrapOf(b)], async (a) => (await a.describeCluster()).brokers.map((x) => x.nodeId));
          if (seen.sort().join(",") !== want) throw new Error(`sees ${seen.join(",") || "none"}`);
          return true;
        },
        { timeoutMs, intervalMs: 500 },
      ),
    ),
  );
}

export interface PartitionState {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

export async function describeTopic(bootstrap: string[], topic: string): Promise<PartitionState[]> {
  return withAdmin(bootstrap, async (a) => {
    const md = await a.fetchTopicMetadata({ topics: [topic] });
    const t = md.topics.find((x) => x.name === topic);
    if (!t) throw new Error(`topic ${topic} not in metadata`);
    return t.partitions
      .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: [...p.replicas].sort(), isr: [...p.isr].sort() }))
      .sort((x, y) => x.partition - y.partition);
  });
}

export const inSync = (ps: PartitionState[]) => ps.length > 0 && ps.every((p) => p.leader >= 0 && p.isr.length === p.replicas.length);

/** Waits until every partition of the topic has a leader and all its replicas in the ISR. */
export async function waitTopicInSync(bootstrap: string[], topic: string, timeoutMs: number): Promise<PartitionState[]> {
  return waitFor(
    `all replicas of ${topic} in sync`,
    async () => {
      const ps = await describeTopic(bootstrap, topic);
      if (!inSync(ps)) throw new Error(ps.map((p) => `p${p.partition} leader ${p.leader} isr [${p.isr}] of [${p.replicas}]`).join("; "));
      return ps;
    },
    { timeoutMs, intervalMs: 300 },
  );
}
