// The Admin API calls that move replicas and leaders (harness/protocol/replicas.ts), sent to a
// broker that can act on them: in ZooKeeper mode the controller (ZooKeeper's /controller, through
// the probe), in KRaft any healthy broker (it forwards to the active controller). A broker that does
// not answer, or a controller that moved (NOT_CONTROLLER), makes it try the next one. Tests pass a
// fake (test/nemesis/fakes.ts).
import {
  alterReassignments,
  type BrokerAddress,
  electPreferredLeaders,
  listReassignments,
  type OngoingReassignment,
  type PartitionOutcome,
  type TopicPartition,
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
}

export function replicaAdmin(cluster: NemesisCluster, probe: ClusterProbe): ReplicaAdmin {
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
    // ZooKeeper mode: ask for the controller again once, in case it moved under the request.
    for (let round = 0; round < (kraft ? 1 : 2); round++) {
      for (const b of await candidates(avoid)) {
        try {
          return await call(address(b));
        } catch (err) {
          problems.push(`${b.name}: ${messageOf(err)}`);
        }
      }
    }
    throw new Error(`${what}: no broker took it (${problems.join("; ") || "every broker is under a fault"})`);
  }
  return {
    reassign: (moves, avoid) => send("AlterPartitionReassignments", avoid, (to) => alterReassignments(to, moves)),
    ongoing: (partitions, avoid) => send("ListPartitionReassignments", avoid, (to) => listReassignments(to, partitions)),
    electPreferred: (partitions, avoid) => send("ElectLeaders", avoid, (to) => electPreferredLeaders(to, partitions)),
  };
}
