// What a fault family's action gets from the nemesis: the cluster's nodes and how the network shapes
// group them, the fault state, target resolution, the op-pair recording (refuse / attempt), the
// measurements to start, and the nemesis's settings.
import type { Recorder } from "../history/recorder.ts";
import type { QuorumState } from "../protocol/describe-quorum.ts";
import type { ClientSecurity } from "../protocol/security.ts";
import type { FaultableNode, NemesisCluster, Partitionable } from "./capabilities.ts";
import type { WatchOptions } from "./failover-watch.ts";
import type { FaultState } from "./fault-state.ts";
import type { FaultWatches } from "./fault-watches.ts";
import type { Nodes } from "./grudge.ts";
import type { IptablesVariant } from "./iptables.ts";
import type { ClusterProbe } from "./probe.ts";
import type { ReplicaAdmin } from "./replica-admin.ts";
import type { Rng } from "./rng.ts";
import type { Resolved } from "./targets.ts";
import type { FaultResult, FaultSpec, FaultValue, TargetSpec } from "./types.ts";

export interface ClusterNemesisOptions {
  recorder: Recorder;
  /** Seeded: random targets and partition shapes replay with the run's seed. */
  rng: Rng;
  /** Failover / recovery measurement (failover-watch.ts); false turns it off. */
  watch?: WatchOptions | false;
  /** How long `stop` waits for a clean shutdown before SIGKILL. */
  stopTimeoutSeconds?: number;
  /** How long `bounce` waits for each broker to be back in sync. */
  bounceTimeoutMs?: number;
  /**
   * Longest wait, before starting a killed broker, for ZooKeeper to expire its previous session
   * (default: the cluster's zkSessionTimeoutMs + 10 s, or 30 s when unknown).
   */
  sessionWaitMs?: number;
  /** Runs heal-all on SIGINT / SIGTERM (default true). */
  healOnShutdown?: boolean;
  probe?: ClusterProbe;
  /** KRaft: DescribeQuorum through a broker's client port (tests pass a fake). */
  describeQuorum?: (port: number, timeoutMs: number, host?: string, security?: ClientSecurity) => Promise<QuorumState>;
  /** KRaft: how long an active-controller target waits for a quorum leader before the fault is refused (default 10 s). */
  quorumLeaderWaitMs?: number;
  /** The workload's partitions ("t-0") and the replication factor its topic was created with:
   *  membership faults act on them by default, and heal-all grows them back to that factor. */
  workload?: { partitions: readonly string[]; replicationFactor: number };
  /** How long a reassignment (reassign, shrink-replicas, grow-replicas) is awaited (default 30 s: the
   *  nemesis does nothing else meanwhile). */
  membershipTimeoutMs?: number;
  /** The Admin API calls that move replicas and leaders (tests pass a fake). */
  replicaAdmin?: ReplicaAdmin;
  /** How long a target that names a partition's leader is asked again while the partition has none (default 10 s, as long as a quorum leader is awaited). */
  targetWaitMs?: number;
}

export interface NemesisSettings {
  stopTimeoutSeconds: number;
  bounceTimeoutMs: number;
  sessionWaitMs: number;
  membershipTimeoutMs: number;
  workload?: { partitions: readonly string[]; replicationFactor: number };
}

export function nemesisSettings(cluster: NemesisCluster, o: ClusterNemesisOptions): NemesisSettings {
  return {
    stopTimeoutSeconds: o.stopTimeoutSeconds ?? 30,
    bounceTimeoutMs: o.bounceTimeoutMs ?? 90_000,
    // KRaft has no ZooKeeper session to outlive: a restarted broker registers with a new incarnation.
    sessionWaitMs:
      o.sessionWaitMs ?? (cluster.zookeepers.length === 0 ? 0 : cluster.spec ? cluster.spec.zkSessionTimeoutMs + 10_000 : 30_000),
    membershipTimeoutMs: o.membershipTimeoutMs ?? 30_000,
    ...(o.workload ? { workload: o.workload } : {}),
  };
}

export interface ClusterNodes {
  /** Every node a fault may hit: brokers, ZooKeeper nodes, KRaft's dedicated controllers. */
  readonly all: readonly FaultableNode[];
  byName(name: string): FaultableNode;
  /** KRaft's dedicated controllers (combined ones are brokers already). */
  readonly ownControllers: readonly FaultableNode[];
  /**
   * Names as the network shapes group them: zookeepers is the metadata quorum treated as one group
   * (ZooKeeper's ensemble, or KRaft's dedicated controllers: isolate cuts a node from them too);
   * voters (KRaft's own shapes: isolate-controller, cut-from-quorum) includes combined ones.
   */
  readonly groups: Nodes;
}

/** Read from the cluster's lists on each use: the broker list grows and shrinks with add-broker. */
export function clusterNodes(cluster: NemesisCluster): ClusterNodes {
  const brokerNames = () => new Set(cluster.brokers.map((b) => b.name));
  const ownControllers = () => (cluster.controllers ?? []).filter((c) => !brokerNames().has(c.name));
  const all = () => [...cluster.brokers, ...cluster.zookeepers, ...ownControllers()];
  return {
    get all() {
      return all();
    },
    get ownControllers() {
      return ownControllers();
    },
    byName(name) {
      const n = all().find((x) => x.name === name);
      if (!n) throw new Error(`no node named ${name}`);
      return n;
    },
    get groups() {
      const voters = (cluster.controllers ?? []).map((v) => v.name);
      return {
        brokers: cluster.brokers.map((b) => b.name),
        zookeepers: [...cluster.zookeepers, ...ownControllers()].map((z) => z.name),
        ...(voters.length ? { voters } : {}),
      };
    },
  };
}

export interface NemesisContext extends ClusterNodes {
  readonly cluster: NemesisCluster;
  readonly state: FaultState;
  readonly rng: Rng;
  readonly probe: ClusterProbe;
  /** Reassignments and leader elections through the Admin API. */
  readonly replicas: ReplicaAdmin;
  readonly settings: NemesisSettings;
  /** The working iptables front-end of a node (cached). */
  readonly variantOf: (node: Partitionable) => Promise<IptablesVariant>;
  /** Failover / recovery / quorum-failover measurements. */
  readonly watch: FaultWatches;
  /** KRaft: the quorum as its leader (else the first broker that answers) describes it now. */
  describeQuorumNow(): Promise<QuorumState>;
  /** The nodes a target spec names now, skipping `faulted` (default: every node under a fault). */
  resolve(spec: TargetSpec, faulted?: ReadonlySet<string>): Promise<Resolved>;
  /** Records an invoke and a fail: the fault was refused before anything happened. */
  refuse(f: FaultResult["f"], value: FaultValue, reason: string): FaultResult;
  /** Records the invoke, acts, records ok with what act returned (or info with the error). */
  attempt(f: FaultResult["f"], value: FaultValue, act: () => Promise<Partial<FaultValue> | void>, undo?: FaultSpec): Promise<FaultResult>;
}
