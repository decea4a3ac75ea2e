// The nemesis vocabulary: what a fault is (plain data, so schedules can be stored, replayed and
// shrunk), whom it targets (a *spec* resolved against the live cluster at the moment of the fault),
// and what invoking it returns.
import type { OpType } from "../history/recorder.ts";

/** Which nodes a fault hits, decided when the fault happens, not when the schedule is made. */
export type TargetSpec =
  | { kind: "random-broker" }
  /** The current leader of a topic-partition, written as a key: "t-0". */
  | { kind: "leader"; of: string }
  /** The current controller, as ZooKeeper's /controller says. */
  | { kind: "controller" }
  | { kind: "minority" }
  | { kind: "majority" }
  | { kind: "all-brokers" }
  | { kind: "zk-random" }
  /** The ZooKeeper node whose `srvr` says Mode: leader. */
  | { kind: "zk-leader" }
  | { kind: "zk-minority" }
  | { kind: "zk-majority" }
  /** Fixed node names (undos and tests). */
  | { kind: "nodes"; names: string[] };

export type TargetKind = TargetSpec["kind"];

/**
 * Network shapes. Each becomes a grudge (node → nodes whose packets it drops):
 * - isolate: the targets (together) cut from every other node, brokers and ZooKeeper alike;
 * - halves: all nodes split in two (targets, if any, on the smaller side);
 * - ring: Jepsen's majorities ring over all nodes: each node sees a majority, no two the same one;
 * - cut-from-brokers: the targets cut from the other brokers but still reaching ZooKeeper (the
 *   2013 Jepsen scenario in which acks=all lost writes: the leader keeps its ZooKeeper session,
 *   shrinks the ISR to itself and goes on acknowledging);
 * - cut-from-zookeeper: the targets cut from every ZooKeeper node, still reaching the brokers.
 */
export const TOPOLOGIES = ["isolate", "halves", "ring", "cut-from-brokers", "cut-from-zookeeper"] as const;
export type Topology = (typeof TOPOLOGIES)[number];

/** Faults proper, and the undos (start, resume, heal) that are faults of their own in the history. */
export type FaultSpec =
  | { fault: "kill"; targets: TargetSpec }
  | { fault: "stop"; targets: TargetSpec }
  | { fault: "pause"; targets: TargetSpec }
  | { fault: "partition"; topology: Topology; targets?: TargetSpec }
  /** Rolling restart: each broker in turn stopped (SIGTERM), started, and awaited back in sync. */
  | { fault: "bounce" }
  | { fault: "start"; targets: TargetSpec }
  | { fault: "resume"; targets: TargetSpec }
  /** Removes every partition rule in force. */
  | { fault: "heal" };

export type FaultName = FaultSpec["fault"];

/** The `value` of a nemesis op in the history (DESIGN §6). Extra fields are per fault. */
export interface FaultValue {
  targets: string[];
  /** Set when the targets were chosen as the leader of this topic-partition. */
  leaderOf?: string;
  /** The target spec's kind, e.g. "controller", "random-broker". */
  selector?: TargetKind;
  topology?: Topology;
  /** For partitions: node → nodes whose packets it drops. */
  grudge?: Record<string, string[]>;
  /** Why a fault was refused (fail) or may have half-happened (info). */
  reason?: string;
  [extra: string]: unknown;
}

export interface FaultResult {
  /** ok: in force; info: may or may not have happened (an action failed midway); fail: did not happen. */
  type: Exclude<OpType, "invoke">;
  f: FaultName | "heal-all";
  value: FaultValue;
  /** History index of the completion op (absent for the noop nemesis). */
  index?: number;
  /** The fault that undoes this one, once it is in force (absent for undos, bounce and failures). */
  undo?: FaultSpec;
}

export interface Nemesis {
  /** Resolves the targets, records the invoke, acts, records ok / info / fail, returns the completion. */
  invoke(fault: FaultSpec): Promise<FaultResult>;
  /** Undoes everything in force: starts stopped nodes, resumes paused ones, removes every rule. */
  healAll(): Promise<FaultResult>;
  /** Ends background measurements and unregisters the shutdown hook. Does not heal. */
  close(): Promise<void>;
}
