// The fault vocabulary of a spec, as plain data: the fault kinds a generated schedule may use, the
// brokers they may target, the network shapes, and an explicit schedule's entries. The nemesis
// acts on these; the spec only names them, so the spec depends on nothing else.
import { z } from "zod";

export { FAULT_KINDS, type FaultKind, KIND_NEEDS, kindsNotIn, type MetadataMode } from "./fault-kinds.ts";

export const BROKER_TARGETS = [
  "random-broker",
  "leader",
  "controller",
  "minority",
  "majority",
  "all-brokers",
  "active-controller",
  "controllers",
  "txn-coordinator",
  "group-coordinator",
] as const;
export type BrokerTargetKind = (typeof BROKER_TARGETS)[number];

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
  /** KRaft: the quorum leader, as DescribeQuorum says. */
  | { kind: "active-controller" }
  /** KRaft: a minority, a majority or every one of the quorum's voters (all: metadata frozen). */
  | { kind: "controller-minority" }
  | { kind: "controller-majority" }
  | { kind: "all-controllers" }
  /** The leader of the __transaction_state partition that holds this transactional id. */
  | { kind: "txn-coordinator"; of: string }
  /** The leader of the __consumer_offsets partition that holds this consumer group. */
  | { kind: "group-coordinator"; of: string }
  /** Fixed node names (undos and tests). */
  | { kind: "nodes"; names: string[] };

/**
 * Network shapes. Each becomes a grudge (node → nodes whose packets it drops):
 * - isolate: the targets (together) cut from every other node, brokers and ZooKeeper alike;
 * - halves: all nodes split in two (targets, if any, on the smaller side);
 * - ring: Jepsen's majorities ring over all nodes: each node sees a majority, no two the same one;
 * - cut-from-brokers: the targets cut from the other brokers but still reaching ZooKeeper (the
 *   2013 Jepsen scenario in which acks=all lost writes: the leader keeps its ZooKeeper session,
 *   shrinks the ISR to itself and goes on acknowledging);
 * - cut-from-zookeeper: the targets cut from every ZooKeeper node, still reaching the brokers
 *   (ZooKeeper mode only);
 * - isolate-controller (KRaft only): the target controllers cut from the other controllers, while
 *   brokers and clients still reach them (a quorum leader that loses its voters but not its brokers);
 * - cut-from-quorum (KRaft only): the target brokers (every broker without targets) cut from every
 *   controller, still reaching each other and clients (fenced, perhaps still leading: zombies).
 * In KRaft mode, a partition leader cut-from-brokers keeps the controllers: the 2013 scenario.
 */
export const TOPOLOGIES = [
  "isolate",
  "halves",
  "ring",
  "cut-from-brokers",
  "cut-from-zookeeper",
  "isolate-controller",
  "cut-from-quorum",
] as const;
export type Topology = (typeof TOPOLOGIES)[number];

export const TargetSpecSchema = z.union(
  [
    z.object({ kind: z.literal("leader"), of: z.string() }).strict(),
    z.object({ kind: z.enum(["txn-coordinator", "group-coordinator"]), of: z.string().min(1) }).strict(),
    z.object({ kind: z.literal("nodes"), names: z.array(z.string()).min(1) }).strict(),
    z
      .object({
        kind: z.enum([
          "random-broker",
          "controller",
          "minority",
          "majority",
          "all-brokers",
          "zk-random",
          "zk-leader",
          "zk-minority",
          "zk-majority",
          "active-controller",
          "controller-minority",
          "controller-majority",
          "all-controllers",
        ]),
      })
      .strict(),
  ],
  { error: 'must be a target like {kind: "leader", of: "t-0"}, {kind: "controller"} or {kind: "nodes", names: [...]}' },
);

/** One fault of an explicit schedule: ms from the workload start, like the generated ones. */
export const ScheduledFaultSchema = z.union(
  [
    z
      .object({
        at: z.number().int().min(0),
        duration: z.number().int().min(0),
        fault: z.enum(["kill", "stop", "pause"]),
        targets: TargetSpecSchema,
      })
      .strict(),
    z
      .object({
        at: z.number().int().min(0),
        duration: z.number().int().min(0),
        fault: z.literal("partition"),
        topology: z.enum(TOPOLOGIES),
        targets: TargetSpecSchema.optional(),
      })
      .strict(),
    z.object({ at: z.number().int().min(0), duration: z.literal(0), fault: z.literal("bounce") }).strict(),
  ],
  {
    error:
      "must be {at, duration, fault: kill|stop|pause, targets}, {at, duration, fault: partition, topology, targets?} or {at, duration: 0, fault: bounce}",
  },
);
