// A TestSpec: one plain, serialisable object describing a whole run (cluster, topic, clients,
// workload, faults, durations, seed). Validated at the edge: a wrong field is an error naming it
// before anything starts. Each field's default is spelled once, on the field: a part left out is
// parsed from {} (prefault). The settings with a flag are described in checkers/settings.ts, which
// repeats their defaults and value lists (this folder imports nothing); test/spec/settings.test.ts
// holds the two equal.
import { z } from "zod";
import { faultProblemsOfKind, HOOK_FAULTS } from "./attach-faults.ts";
import { ClientNameSchema } from "./client.ts";
import { brokersOf, type ClusterSpec, ClusterSpecSchema, clusterKind, withKafkaVersion } from "./cluster.ts";
import { deliveryBudget } from "./delivery-budget.ts";
import { specErrorOf } from "./errors.ts";
import { BROKER_TARGETS, FAULT_KINDS, kindsNotIn, ScheduledFaultSchema } from "./faults.ts";
import { int } from "./numbers.ts";

export const AcksSchema = z.union([z.literal(0), z.literal(1), z.literal("all")], {
  error: 'must be 0, 1 or "all"',
});

export const WORKLOAD_KINDS = ["queue", "txn", "copy"] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];
export const ISOLATION_LEVELS = ["read_committed", "read_uncommitted"] as const;
export type IsolationLevel = (typeof ISOLATION_LEVELS)[number];

/** workload.copy (kind "copy"): copiers from the topic to `<topic>.out` (harness/workload/copy.ts). */
export const CopySpecSchema = z
  .object({
    /** Copier processes, all in one consumer group. */
    copiers: int(1, 8).default(2),
    /** Each copy one transaction with its input offsets (exactly once); false: produce, then
     *  commit the offsets (at least once). */
    transactional: z.boolean().default(true),
    /** Copier crashes on the seeded schedule (each drops a copier mid-copy: after its sends, before
     *  its commit), spread over the workload's time. */
    crashes: int(0, 100).default(2),
    /** A copier's delivery stays in its consumer's hands until its copy ended, so a rebalance waits
     *  for the copy (kafkajs: its batch handler returns only then). false: the handler returns
     *  once a poll took the batch, as a client whose transactions fence stale group members
     *  (KIP-447) allows; kafkajs's do not (docs/findings.md). */
    holdDeliveries: z.boolean().default(true),
  })
  .strict();
export type CopySpec = z.output<typeof CopySpecSchema>;

export const TestSpecSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-zA-Z0-9._-]+$/, { error: "must be letters, digits, dot, dash or underscore" })
      .default("kafka"),
    /** The seed of every generated choice (workload plan, fault schedule): same seed, same run plan. */
    seed: int(0, 2 ** 31 - 1).optional(),
    /** The Kafka client library the producers and consumers use (harness/clients). */
    client: ClientNameSchema.default("kafkajs"),
    cluster: ClusterSpecSchema.prefault({}),
    topic: z
      .object({
        name: z
          .string()
          .regex(/^[a-zA-Z0-9._]+$/, { error: "must be letters, digits, dot or underscore (no dash: keys are <topic>-<partition>)" })
          .default("t"),
        partitions: int(1, 32).default(3),
        replicationFactor: int(1, 5).default(3),
        minInsyncReplicas: int(1, 5).default(2),
        uncleanLeaderElection: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    producer: z
      .object({
        acks: AcksSchema.default("all"),
        idempotent: z.boolean().default(false),
        maxInFlight: int(1, 100).default(5),
        retries: int(0, 1000).default(5),
        requestTimeoutMs: int(500, 120_000).default(5000),
        /** How long the harness waits for a send op's records; at least the client's delivery
         *  budget (delivery-budget.ts) in a queue run, unless allowShortOpTimeout. */
        opTimeoutMs: int(500, 300_000).default(40_000),
        /** Run a queue workload whose op timeout is below the client's delivery budget: ops then
         *  end `info` while the client still retries (its late answers are recorded as late-ack ops). */
        allowShortOpTimeout: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    consumer: z
      .object({
        mode: z.enum(["assign", "subscribe"], { error: 'must be "assign" or "subscribe"' }).default("assign"),
        count: int(0, 16).default(2),
        /** What the workload's consumers read: only committed transactions, or everything appended.
         *  Final reads are always read_committed. */
        isolation: z.enum(ISOLATION_LEVELS, { error: `must be one of ${ISOLATION_LEVELS.join(", ")}` }).default("read_committed"),
      })
      .strict()
      .prefault({}),
    workload: z
      .object({
        /** queue: sends and polls, one op each; txn: each op is one transaction of 1-4 send/poll micro-ops;
         *  copy: the queue's producers, and copiers from the topic to `<topic>.out`. */
        kind: z.enum(WORKLOAD_KINDS, { error: `must be one of ${WORKLOAD_KINDS.join(", ")}` }).default("queue"),
        /** copy only (filled in for it when left out): the copiers. */
        copy: CopySpecSchema.optional(),
        /** txn only: the share of transactions the workload aborts on purpose. */
        abortRate: z.number().min(0).max(1).default(0.1),
        producers: int(1, 32).default(4),
        /** Target send ops per second, all producers together. */
        rate: z.number().positive().max(10_000).default(50),
        /** Largest burst (records to one key, pipelined, in one op). */
        maxBurst: int(1, 64).default(4),
        timeLimitSeconds: z.number().positive().max(3600).default(30),
      })
      .strict()
      .prefault({}),
    faults: z
      .object({
        /** Fault kinds the schedule may use; empty means no faults. */
        kinds: z.array(z.enum(FAULT_KINDS, { error: `must be one of ${FAULT_KINDS.join(", ")}` })).default([]),
        /** Which brokers a fault may hit, resolved at the moment of the fault. */
        targets: z
          .array(z.enum(BROKER_TARGETS, { error: `must be one of ${BROKER_TARGETS.join(", ")}` }))
          .min(1)
          .default(["leader", "random-broker", "controller", "minority"]),
        /** Let faults in disjoint domains overlap. */
        overlap: z.boolean().default(false),
        /** An explicit schedule instead of a generated one (e.g. the 2013 scenario: cut the
         *  controller from the brokers, then kill it while it is cut off). */
        schedule: z.array(ScheduledFaultSchema).optional(),
        /** Mean time between the start of one fault and the next. */
        intervalSeconds: z.number().positive().default(10),
        minDurationSeconds: z.number().positive().default(3),
        maxDurationSeconds: z.number().positive().default(8),
        /** Cluster kind "attach": the command that carries out each fault (docs/design.md "Cluster kinds"). */
        hooks: z
          .object({
            ...Object.fromEntries(HOOK_FAULTS.map((f) => [f, z.string().min(1).optional()])),
            /** How long one hook command may run before it is killed (its fault is then info). */
            timeoutSeconds: z.number().positive().max(3600).optional(),
          } as Record<(typeof HOOK_FAULTS)[number], z.ZodOptional<z.ZodString>> & { timeoutSeconds: z.ZodOptional<z.ZodNumber> })
          .strict()
          .optional(),
      })
      .strict()
      .default({
        kinds: [],
        targets: ["leader", "random-broker", "controller", "minority"],
        overlap: false,
        intervalSeconds: 10,
        minDurationSeconds: 3,
        maxDurationSeconds: 8,
      }),
    recoveryTimeoutSeconds: z.number().positive().max(3600).default(60),
    finalReadTimeoutSeconds: z.number().positive().max(3600).default(60),
  })
  .strict()
  .superRefine((s, ctx) => {
    // An attached cluster has the brokers it has: Kafka itself refuses a replication factor above them.
    const brokers = brokersOf(s.cluster);
    if (brokers !== undefined && s.topic.replicationFactor > brokers) {
      ctx.addIssue({
        code: "custom",
        path: ["topic", "replicationFactor"],
        message: s.cluster.inventory
          ? `must not exceed the inventory's brokers (${brokers})`
          : `must not exceed cluster.brokers (${brokers})`,
      });
    }
    if (s.topic.minInsyncReplicas > s.topic.replicationFactor) {
      ctx.addIssue({
        code: "custom",
        path: ["topic", "minInsyncReplicas"],
        message: `must not exceed topic.replicationFactor (${s.topic.replicationFactor})`,
      });
    }
    for (const [i, f] of (s.faults.schedule ?? []).entries()) {
      if (f.at + f.duration > s.workload.timeLimitSeconds * 1000) {
        ctx.addIssue({
          code: "custom",
          path: ["faults", "schedule", i],
          message: `ends at ${f.at + f.duration} ms, after the workload's ${s.workload.timeLimitSeconds} s`,
        });
      }
    }
    // Refused here too (not only when the schedule is drawn), so a suite fails before its first run.
    const wrongMode = s.faults.kinds.filter((k) => kindsNotIn(s.cluster.metadata).includes(k));
    if (wrongMode.length) {
      ctx.addIssue({
        code: "custom",
        path: ["faults", "kinds"],
        message:
          s.cluster.metadata === "kraft"
            ? `${wrongMode.join(", ")} need${wrongMode.length > 1 ? "" : "s"} ZooKeeper, and this is a KRaft cluster (use cut-from-quorum, or targets active-controller / controllers)`
            : `${wrongMode.join(", ")} need${wrongMode.length > 1 ? "" : "s"} a KRaft controller quorum (cluster.metadata "kraft"), and this is ZooKeeper mode`,
      });
    }
    for (const p of faultProblemsOfKind(clusterKind(s.cluster), s.faults)) ctx.addIssue({ code: "custom", ...p });
    if (s.faults.minDurationSeconds > s.faults.maxDurationSeconds) {
      ctx.addIssue({ code: "custom", path: ["faults", "minDurationSeconds"], message: "must not exceed faults.maxDurationSeconds" });
    }
    if (s.client === "platformatic" && s.consumer.mode === "subscribe") {
      ctx.addIssue({
        code: "custom",
        path: ["consumer", "mode"],
        message: 'must be "assign" with client "platformatic" (its consumers use manual assignment; no group consumer yet)',
      });
    }
    if (s.client === "confluent" && s.consumer.mode === "subscribe") {
      ctx.addIssue({
        code: "custom",
        path: ["consumer", "mode"],
        message: 'must be "assign" with client "confluent" (its consumers use manual assignment; no group consumer yet)',
      });
    }
    if (s.workload.kind === "txn" && s.producer.acks !== "all") {
      ctx.addIssue({
        code: "custom",
        path: ["producer", "acks"],
        message: 'must be "all" with workload.kind "txn" (a transactional producer is idempotent, and Kafka requires acks=all for that)',
      });
    }
    if (s.workload.kind === "txn" && s.client !== "kafkajs" && s.client !== "platformatic") {
      ctx.addIssue({
        code: "custom",
        path: ["workload", "kind"],
        message: `"txn" is built for clients "kafkajs" and "platformatic" only: the ${s.client} client's transactions are not wired yet`,
      });
    }
    if (s.workload.copy !== undefined && s.workload.kind !== "copy") {
      ctx.addIssue({ code: "custom", path: ["workload", "copy"], message: 'needs workload.kind "copy"' });
    }
    if (s.workload.kind === "copy" && s.client !== "kafkajs" && s.client !== "platformatic") {
      ctx.addIssue({
        code: "custom",
        path: ["workload", "kind"],
        message: `"copy" is built for clients "kafkajs" and "platformatic" only: the ${s.client} client's transactions are not wired yet`,
      });
    }
    if (s.workload.kind === "copy" && s.consumer.isolation !== "read_committed") {
      ctx.addIssue({
        code: "custom",
        path: ["consumer", "isolation"],
        message: 'must be "read_committed" with workload.kind "copy" (a copier must not copy records of aborted transactions)',
      });
    }
    for (const t of ["txn-coordinator", "group-coordinator"] as const) {
      if (s.workload.kind !== "txn" && s.workload.kind !== "copy" && s.faults.targets.includes(t) && s.faults.kinds.length) {
        ctx.addIssue({
          code: "custom",
          path: ["faults", "targets"],
          message: `${t} needs workload.kind "txn" or "copy" (it targets the coordinator of the workload's transactional ids / groups)`,
        });
      }
    }
    // The queue's producers (and the copy workload's, the same): a txn op is a transaction, settled by its commit or abort.
    const budget = deliveryBudget(s.client, s.producer);
    if (s.workload.kind !== "txn" && !s.producer.allowShortOpTimeout && s.producer.opTimeoutMs < budget.ms) {
      ctx.addIssue({
        code: "custom",
        path: ["producer", "opTimeoutMs"],
        message:
          `${s.producer.opTimeoutMs} ms is below the ${s.client} producer's delivery budget of ${budget.ms} ms (${budget.sum}): ` +
          `ops would end unknown while the client may still get their acknowledgement. Raise producer.opTimeoutMs (--op-timeout) ` +
          `to at least ${budget.ms}, lower producer.retries (--retries) or producer.requestTimeoutMs, or set ` +
          `producer.allowShortOpTimeout: true (--allow-short-op-timeout) to run it anyway`,
      });
    }
    if (s.producer.idempotent && s.producer.acks !== "all") {
      ctx.addIssue({
        code: "custom",
        path: ["producer", "idempotent"],
        message: 'needs producer.acks "all" (Kafka rejects idempotence otherwise)',
      });
    }
  });

export type TestSpecInput = z.input<typeof TestSpecSchema>;
export type TestSpec = Omit<z.output<typeof TestSpecSchema>, "cluster"> & { seed: number; cluster: ClusterSpec };

/** Validates a spec; a missing seed is drawn here so the stored spec always replays. */
export function parseTestSpec(input: unknown, where = "test spec"): TestSpec {
  const result = TestSpecSchema.safeParse(input ?? {});
  if (!result.success) throw specErrorOf(where, result.error, input, TestSpecSchema);
  const spec = result.data;
  // A transactional producer is idempotent whatever the flag says: record what it is, so the
  // guarantees are judged for the producer that ran.
  const producer = spec.workload.kind === "txn" ? { ...spec.producer, idempotent: true } : spec.producer;
  // A copy run's copiers at their defaults when the spec names none (not in the schema's default:
  // other kinds have no copiers).
  const workload =
    spec.workload.kind === "copy" ? { ...spec.workload, copy: spec.workload.copy ?? CopySpecSchema.parse({}) } : spec.workload;
  // kafkajs's copiers read through one group (subscribe), so their reads are judged as a group's
  // are; @platformatic/kafka's each read their own partitions (assign).
  const consumer =
    spec.workload.kind === "copy" && spec.client === "kafkajs" ? { ...spec.consumer, mode: "subscribe" as const } : spec.consumer;
  return {
    ...spec,
    producer,
    workload,
    consumer,
    cluster: withKafkaVersion(spec.cluster),
    seed: spec.seed ?? Math.floor(Math.random() * 2 ** 31),
  };
}
