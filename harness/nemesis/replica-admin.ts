// The Admin API calls that move replicas and leaders (harness/protocol/replicas.ts), sent to a
// broker that can act on them: in ZooKeeper mode the controller (ZooKeeper's /controller, through
// the probe), in KRaft any healthy broker (it forwards to the active controller). A broker that does
// not answer, or a controller that moved (NOT_CONTROLLER) or is under a fault, makes it try the
// next one, and ask again for a while. Tests pass a
// fake (test/nemesis/fakes.ts).
import {
  alterReassignments,
  type BrokerAddress,
  electPreferredLeaders,
  listReassignments,
  type OngoingReassignment,
  type PartitionOutcome,
  type TopicPartition,
  unregisterBroker,
} from "../protocol/replicas.ts";
import { messageOf } from "../util/errors.ts";
import type { NemesisCluster } from "./capabilities.ts";
import type { ClusterProbe } from "./probe.ts";

export type { OngoingReassignment, PartitionOutcome, TopicPartition } from "../protocol/replicas.ts";

export interface ReplicaAdmin {
  /** Each partition's new replica list (the first is the preferred leader); null cancels its reassignment in progress. */
  reassign(
    moves: readonly (TopicPartition & { replicas: readonly number[] | null })[],
    avoid: ReadonlySet<string>,
  ): Promise<PartitionOutcome[]>;
  /** The reassignments in progress among these partitions (undefined: all). */
  ongoing(partitions: readonly TopicPartition[] | undefined, avoid: ReadonlySet<string>): Promise<OngoingReassignment[]>;
  /** Preferred-leader election. */
  electPreferred(partitions: readonly TopicPartition[], avoid: ReadonlySet<string>): Promise<PartitionOutcome[]>;
  /** KRaft: the controller forgets a broker that is down (UnregisterBroker); rejects with the error code when refused. */
  unregister(brokerId: number, avoid: ReadonlySet<string>): Promise<void>;
}

/** waitMs: how long a request is tried again (a controller that moved, a broker not answering). */
export function replicaAdmin(cluster: NemesisCluster, probe: ClusterProbe, waitMs = 20_000): ReplicaAdmin {
  const kraft = cluster.zookeepers.length === 0;
  const address = (b: NemesisCluster["brokers"][number]): BrokerAddress => {
    if (!b.externalPort) throw new Error(`${b.name} has no external port`);
    return {
      port: b.externalPort,
      ...(b.externalHost ? { host: b.externalHost } : {}),
      ...(cluster.security ? { security: cluster.security } : {}),
    };
  };
  async function candidates(avoid: ReadonlySet<string>) {
    const live = cluster.brokers.filter((b) => !avoid.has(b.name));
    if (kraft) return live;
    const id = await probe.controller(avoid);
    const c = live.find((b) => b.id === id);
    if (!c) throw new Error(`the controller (broker ${id}) is under a fault or not in this cluster`);
    return [c];
  }
  async function send<T>(what: string, avoid: ReadonlySet<string>, call: (to: BrokerAddress) => Promise<T>): Promise<T> {
    const problems: string[] = [];
    // A controller just killed or cut off is still ZooKeeper's /controller until its session
    // expires: ask again until another broker takes over (or a paused one answers), within waitMs.
    const deadline = performance.now() + waitMs;
    for (;;) {
      try {
        for (const b of await candidates(avoid)) {
          try {
            return await call(address(b));
          } catch (err) {
            problems.push(`${b.name}: ${messageOf(err)}`);
          }
        }
      } catch (err) {
        problems.push(messageOf(err));
      }
      if (performance.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const last = [...new Set(problems)].slice(-3);
    throw new Error(`${what}: no broker took it within ${waitMs} ms (${last.join("; ") || "every broker is under a fault"})`);
  }
  return {
    reassign: (moves, avoid) => send("AlterPartitionReassignments", avoid, (to) => alterReassignments(to, moves)),
    ongoing: (partitions, avoid) => send("ListPartitionReassignments", avoid, (to) => listReassignments(to, partitions)),
    electPreferred: (partitions, avoid) => send("ElectLeaders", avoid, (to) => electPreferredLeaders(to, partitions)),
    unregister: (brokerId, avoid) => send("UnregisterBroker", avoid, (to) => unregisterBroker(to, brokerId)),
  };
}
