// The fault vocabulary of a spec, as plain data: the fault kinds a generated schedule may use, the
// brokers they may target, the network shapes, and an explicit schedule's entries. The nemesis
// acts on these; the spec only names them, so the spec depends on nothing else.
import { z } from "zod";
import { TOPOLOGIES } from "./fault-kinds.ts";

export { FAULT_KINDS, type FaultKind, KIND_NEEDS, kindsNotIn, type MetadataMode, TOPOLOGIES, type Topology } from "./fault-kinds.ts";

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
    z
      .object({
        at: z.number().int().min(0),
        duration: z.literal(0),
        fault: z.literal("corrupt-segment"),
        targets: TargetSpecSchema,
        file: z.enum(["log", "index", "timeindex"]).optional(),
        mode: z.enum(["bitflip", "truncate"]).optional(),
        segment: z.enum(["active", "oldest"]).optional(),
      })
      .strict(),
    z
      .object({
        at: z.number().int().min(0),
        duration: z.number().int().min(0),
        fault: z.enum(["disk-full", "log-dir-failure"]),
        targets: TargetSpecSchema,
      })
      .strict(),
  ],
  {
    error:
      "must be {at, duration, fault: kill|stop|pause, targets}, {at, duration, fault: partition, topology, targets?} or {at, duration: 0, fault: bounce}, {at, duration: 0, fault: corrupt-segment, targets, file?, mode?, segment?} or {at, duration, fault: disk-full|log-dir-failure, targets}",
  },
);
