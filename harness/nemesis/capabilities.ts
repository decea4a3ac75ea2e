// What a fault needs from a node, as small capabilities (Jepsen's Kill / Pause protocols): a fault
// asks for exactly the ability it uses. The cluster's NodeHandle has all of them; tests pass fakes.
import type { ContainerState, ExecResult, NodeFiles } from "../cluster/node-handle.ts";
import type { ClientSecurity } from "../protocol/security.ts";

export interface Named {
  readonly name: string;
  readonly role: "zookeeper" | "broker" | "controller";
  readonly id: number;
}

export interface Observable extends Named {
  state(): Promise<ContainerState>;
}

export interface Killable extends Named {
  kill(): Promise<void>;
  start(): Promise<void>;
  /** The address it had on the run's network when it went down, if known (see startNodes). */
  lastAddress?(): string | undefined;
}

export interface Stoppable extends Named {
  /** SIGTERM, then SIGKILL after the timeout. */
  stop(timeoutSeconds?: number): Promise<void>;
  start(): Promise<void>;
}

export interface Pausable extends Named {
  pause(): Promise<void>;
  unpause(): Promise<void>;
}

export interface Partitionable extends Named {
  /** The node's address on the run's network (re-read: it may change after a restart). */
  address(): Promise<string>;
  exec(command: string[]): Promise<ExecResult>;
}

/** A node with every capability: what the cluster nemesis drives. */
export type FaultableNode = Observable &
  Killable &
  Stoppable &
  Pausable &
  Partitionable & {
    readonly externalPort?: number;
    /** Where externalPort listens: 127.0.0.1 (absent) for the harness's own brokers, the
     *  advertised host for an attached cluster's. */
    readonly externalHost?: string;
    readonly controllerPort?: number;
    /** Absent where the harness cannot reach the node's files (an attached cluster). */
    readonly files?: NodeFiles;
  };

/** The part of a Cluster the nemesis uses. */
export interface NemesisCluster {
  readonly zookeepers: readonly FaultableNode[];
  readonly brokers: readonly FaultableNode[];
  /** KRaft's quorum voters (absent or empty in ZooKeeper mode); with `combined` they are brokers. */
  readonly controllers?: readonly FaultableNode[];
  /** The cluster's timeouts, when known (a Cluster has them): they bound the nemesis's waits. */
  readonly spec?: { readonly zkSessionTimeoutMs: number; readonly fakeClock?: boolean };
  /** false: the harness cannot reach the nodes' networks (an attached cluster): heal-all looks for
   *  no partition rules of its own there. */
  readonly networkFaults?: false;
  /** false: the harness may not move the topics' replicas (an attached cluster whose spec does not
   *  say cluster.alterReplicas): membership faults are refused. */
  readonly alterReplicas?: false;
  /** TLS and SASL for the harness's own requests to the brokers (an attached cluster's). */
  readonly security?: ClientSecurity;
  /** Starts one more broker (the next id) and adds it to `brokers` in place, so every reader of the
   *  list sees it; absent where the harness cannot start nodes (attach, ssh): add-broker is refused. */
  addBroker?(): Promise<FaultableNode>;
  /** Removes a broker addBroker started, from the machine and from `brokers`. */
  removeBroker?(name: string): Promise<void>;
}
