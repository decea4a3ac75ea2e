// What a run needs of its cluster, whatever its kind (docs/design.md "Cluster kinds"): addresses
// for the clients, the nodes the nemesis acts on, and who it is. The docker kind's Cluster
// (cluster.ts) is one; an attached cluster (attach.ts) is another. The run's cluster scope
// (harness/run/cluster-scope.ts) opens and leaves each kind; nothing else branches on it.
import type { ClientSecurity } from "../../protocol/security.ts";
import type { ClusterKind, ClusterSpec } from "../../spec/cluster.ts";
import type { NodeFiles, NodeHandle } from "../node-handle.ts";

/** A node as the nemesis drives it: a container of the harness's own, or a broker of an attached
 *  cluster whose faults are the user's hooks. */
export type RunNode = Omit<NodeHandle, "containerId" | "logs" | "files"> & {
  /** Absent where the harness cannot reach the node's files (an attached cluster). */
  readonly files?: NodeFiles;
  /** Where externalPort and controllerPort listen when not on 127.0.0.1 (an attached cluster's
   *  advertised host, an ssh node's host). */
  readonly externalHost?: string;
};

export interface RunCluster {
  readonly kind: ClusterKind;
  readonly runId: string;
  readonly spec: ClusterSpec;
  /** The image it was started from (docker). */
  readonly image?: string;
  readonly zookeepers: readonly RunNode[];
  readonly brokers: readonly RunNode[];
  readonly controllers: readonly RunNode[];
  /** false: the harness reaches no node's network (no partitions to make or heal). */
  readonly networkFaults?: false;
  /** false: the harness may not move its topic's replicas (membership faults are refused). */
  readonly alterReplicas?: false;
  bootstrap(): string[];
  /** TLS and SASL for every connection to its brokers (an attached cluster's; absent: plaintext). */
  readonly security?: ClientSecurity;
  /** Brokers added mid-run and removed again (docker only: added-brokers.ts); `brokers` grows in place. */
  addBroker?(): Promise<RunNode>;
  removeBroker?(name: string): Promise<void>;
}
