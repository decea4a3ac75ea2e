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

/**
 * Which of a node's packets a link fault (packet-loss, slow-link) touches: those to/from the other
 * brokers (replication), to/from clients (anything that is not a cluster node: the harness's
 * clients come in through the published ports from the network's gateway), to/from the metadata
 * quorum (ZooKeeper nodes, KRaft's controllers), or all of them.
 */
export const LINK_BETWEEN = ["brokers", "clients", "quorum", "all"] as const;
export type LinkBetween = (typeof LINK_BETWEEN)[number];

/** A link fault's parameters, as an explicit schedule gives them (the generated ones keep inside these). */
export const LinkParamsSchema = {
  between: z.enum(LINK_BETWEEN, { error: `must be one of ${LINK_BETWEEN.join(", ")}` }),
  probability: z
    .number({ error: "must be a number" })
    .gt(0, { error: "must be above 0 (a probability of losing each packet)" })
    .max(1, { error: "must be at most 1 (a probability of losing each packet)" }),
  rateKbit: z
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number of kbit/s" })
    .min(8, { error: "must be at least 8 kbit/s (below that TCP hardly moves)" })
    .max(10_000_000, { error: "must be at most 10000000 kbit/s" }),
  delayMs: z
    .number()
    .int({ error: "must be a whole number of ms" })
    .min(1, { error: "must be at least 1 ms" })
    .max(10_000, { error: "must be at most 10000 ms" }),
};

const PartitionKey = z.string().regex(/^.+-\d+$/, { error: 'must be a partition key like "t-0"' });

const Ms = z.number().int().min(0);
/** A schedule entry for a fault that lasts `duration` ms (until its undo): `at` ms from the workload start. */
const lasting = <S extends z.ZodRawShape>(shape: S) => z.object({ at: Ms, duration: Ms, ...shape }).strict();
/** A schedule entry for a fault that ends when it completes (duration 0). */
const instant = <S extends z.ZodRawShape>(shape: S) => z.object({ at: Ms, duration: z.literal(0), ...shape }).strict();

/** One fault of an explicit schedule: ms from the workload start, like the generated ones. */
export const ScheduledFaultSchema = z.discriminatedUnion(
  "fault",
  [
    lasting({ fault: z.enum(["kill", "stop", "pause"]), targets: TargetSpecSchema }),
    lasting({ fault: z.literal("partition"), topology: z.enum(TOPOLOGIES), targets: TargetSpecSchema.optional() }),
    instant({ fault: z.literal("bounce") }),
    // Clock faults: any numbers here, so that a wrong one is named by its own message (test-spec.ts
    // asks clock.ts clockParamProblems) rather than by this union's.
    lasting({
      fault: z.enum(["clock-bump", "clock-strobe"]),
      targets: TargetSpecSchema,
      deltaMs: z.number({ error: "must be a number of ms (how far the clock jumps, + or -)" }),
      periodMs: z.number({ error: "must be a number of ms" }).optional(),
    }),
    lasting({
      fault: z.literal("packet-loss"),
      targets: TargetSpecSchema,
      probability: LinkParamsSchema.probability,
      between: LinkParamsSchema.between,
    }),
    lasting({
      fault: z.literal("slow-link"),
      targets: TargetSpecSchema,
      rateKbit: LinkParamsSchema.rateKbit,
      between: LinkParamsSchema.between,
      delayMs: LinkParamsSchema.delayMs.optional(),
    }),
    instant({
      fault: z.literal("corrupt-segment"),
      targets: TargetSpecSchema,
      file: z.enum(["log", "index", "timeindex"]).optional(),
      mode: z.enum(["bitflip", "truncate"]).optional(),
      segment: z.enum(["active", "oldest"]).optional(),
    }),
    lasting({ fault: z.enum(["disk-full", "log-dir-failure"]), targets: TargetSpecSchema }),
    // membership: `of` one workload partition ("t-0"; default: every one); targets: the broker to move
    // a replica off (reassign) or to keep (shrink-replicas; default: the leader).
    instant({ fault: z.enum(["reassign", "elect-leaders"]), of: PartitionKey.optional(), targets: TargetSpecSchema.optional() }),
    lasting({ fault: z.literal("shrink-replicas"), of: PartitionKey.optional(), targets: TargetSpecSchema.optional() }),
    // add-broker: targets are the brokers whose replica moves to the new one (default: random ones);
    // decommission-broker: the one broker retired (default: a random one).
    lasting({ fault: z.literal("add-broker"), of: PartitionKey.optional(), targets: TargetSpecSchema.optional() }),
    lasting({ fault: z.literal("decommission-broker"), targets: TargetSpecSchema.optional() }),
    lasting({ fault: z.literal("power-loss"), targets: TargetSpecSchema }),
  ],
  {
    error:
      "must be {at, duration, fault: kill|stop|pause, targets}, {at, duration, fault: partition, topology, targets?}, {at, duration: 0, fault: bounce}, {at, duration, fault: packet-loss, targets, probability, between}, {at, duration, fault: slow-link, targets, rateKbit, between, delayMs?}, {at, duration, fault: clock-bump, targets, deltaMs}, {at, duration, fault: clock-strobe, targets, deltaMs, periodMs}, {at, duration: 0, fault: reassign|elect-leaders, of?, targets?}, {at, duration, fault: shrink-replicas, of?, targets?}, {at, duration, fault: add-broker, of?, targets?}, {at, duration, fault: decommission-broker, targets?}, {at, duration: 0, fault: corrupt-segment, targets, file?, mode?, segment?}, {at, duration, fault: disk-full|log-dir-failure, targets} or {at, duration, fault: power-loss, targets}",
  },
);
