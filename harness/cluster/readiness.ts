// Readiness: ZooKeeper answers `srvr` with a Mode line (KRaft: the
// quorum has a leader and every voter has caught up, every broker fetches the metadata log); every
// broker is registered and sees all others in metadata (in KRaft a broker's metadata lists only
// unfenced brokers, so this also means registered and unfenced); a replicated topic has all
// replicas in sync. Polls are short (200 ms): each check is one small request, and the start
// waits for nothing else.
import { withAdmin } from "../kafkajs/factory.ts";
import { describeQuorum, type QuorumState } from "../protocol/describe-quorum.ts";
import type { ClientSecurity } from "../protocol/security.ts";
import { waitFor } from "../util/wait.ts";
import type { NodeHandle } from "./node-handle.ts";
import { zkMode } from "./zookeeper-words.ts";

const POLL_MS = 200;

/** A broker as readiness asks it: its client port, on 127.0.0.1 or its host (an ssh cluster's). */
type ClientReachable = Pick<NodeHandle, "name" | "id" | "externalPort"> & { readonly externalHost?: string };

export async function waitZookeeperReady(nodes: readonly Pick<NodeHandle, "name" | "exec">[], timeoutMs: number): Promise<void> {
  await Promise.all(nodes.map((n) => waitFor(`${n.name} to serve (srvr Mode:)`, () => zkMode(n), { timeoutMs, intervalMs: 300 })));
}

export const bootstrapOf = (b: ClientReachable) => `${b.externalHost ?? "127.0.0.1"}:${b.externalPort}`;

/** The quorum state from the first broker that answers (a broker forwards to the active controller). */
export async function quorumState(
  brokers: readonly { name: string; externalPort?: number; externalHost?: string }[],
  timeoutMs = 3000,
  security?: ClientSecurity,
): Promise<QuorumState & { from: string }> {
  const problems: string[] = [];
  for (const b of brokers) {
    try {
      if (b.externalPort === undefined) throw new Error("no client port");
      return { ...(await describeQuorum(b.externalPort, timeoutMs, b.externalHost, security)), from: b.name };
    } catch (err) {
      problems.push(`${b.name}: ${(err as Error).message}`);
    }
  }
  throw new Error(`no broker described the quorum (${problems.join("; ") || "no brokers"})`);
}

/** What keeps a quorum from being ready, or undefined when it has a leader, every voter has caught
 *  up with it at least once, and every broker fetches the metadata log as an observer. Pure. */
export function quorumNotReady(q: QuorumState, voterIds: readonly number[], brokerIds: readonly number[]): string | undefined {
  if (q.leaderId < 0) return `no quorum leader (epoch ${q.leaderEpoch})`;
  const voters = new Map(q.voters.map((v) => [v.id, v]));
  const missing = voterIds.filter((id) => !voters.has(id));
  if (missing.length) return `voters ${missing.join(",")} not in the quorum (it has ${[...voters.keys()].join(",")})`;
  const behind = voterIds.filter((id) => voters.get(id)!.logEndOffset < 0 || voters.get(id)!.lastCaughtUpTimestamp <= 0);
  if (behind.length) return `voters ${behind.join(",")} not caught up with leader ${q.leaderId}`;
  // A combined node fetches as a voter, not as an observer.
  const fetching = new Set([...q.observers.map((o) => o.id), ...q.voters.map((v) => v.id)]);
  const silent = brokerIds.filter((id) => !fetching.has(id));
  if (silent.length) return `brokers ${silent.join(",")} not fetching the metadata log`;
  return undefined;
}

export async function waitQuorumReady(
  brokers: readonly ClientReachable[],
  voterIds: readonly number[],
  timeoutMs: number,
  security?: ClientSecurity,
): Promise<QuorumState> {
  return waitFor(
    `the KRaft quorum to have a leader and voters ${voterIds.join(",")} caught up`,
    async () => {
      const q = await quorumState(brokers, 3000, security);
      const why = quorumNotReady(
        q,
        voterIds,
        brokers.map((b) => b.id),
      );
      if (why) throw new Error(why);
      return q;
    },
    { timeoutMs, intervalMs: POLL_MS },
  );
}

/** Every broker, asked directly, knows all broker ids. */
export async function waitBrokersSeeEachOther(
  brokers: readonly ClientReachable[],
  timeoutMs: number,
  security?: ClientSecurity,
): Promise<void> {
  const want = brokers
    .map((b) => b.id)
    .sort()
    .join(",");
  await Promise.all(
    brokers.map((b) =>
      waitFor(
        `${b.name} to see brokers ${want} in metadata`,
        async () => {
          const seen = await withAdmin([bootstrapOf(b)], async (a) => (await a.describeCluster()).brokers.map((x) => x.nodeId), security);
          if (seen.sort().join(",") !== want) throw new Error(`sees ${seen.join(",") || "none"}`);
          return true;
        },
        { timeoutMs, intervalMs: POLL_MS },
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

export async function describeTopic(bootstrap: string[], topic: string, security?: ClientSecurity): Promise<PartitionState[]> {
  return withAdmin(
    bootstrap,
    async (a) => {
      const md = await a.fetchTopicMetadata({ topics: [topic] });
      const t = md.topics.find((x) => x.name === topic);
      if (!t) throw new Error(`topic ${topic} not in metadata`);
      return t.partitions
        .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: [...p.replicas].sort(), isr: [...p.isr].sort() }))
        .sort((x, y) => x.partition - y.partition);
    },
    security,
  );
}

export const inSync = (ps: PartitionState[]) => ps.length > 0 && ps.every((p) => p.leader >= 0 && p.isr.length === p.replicas.length);

/** Waits until every partition of the topic has a leader and all its replicas in the ISR. */
export async function waitTopicInSync(
  bootstrap: string[],
  topic: string,
  timeoutMs: number,
  security?: ClientSecurity,
): Promise<PartitionState[]> {
  return waitFor(
    `all replicas of ${topic} in sync`,
    async () => {
      const ps = await describeTopic(bootstrap, topic, security);
      if (!inSync(ps)) throw new Error(ps.map((p) => `p${p.partition} leader ${p.leader} isr [${p.isr}] of [${p.replicas}]`).join("; "));
      return ps;
    },
    { timeoutMs, intervalMs: POLL_MS },
  );
}
