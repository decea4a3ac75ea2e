// A TestSpec: one plain, serialisable object describing a whole run (cluster, topic, clients,
// workload, faults, durations, seed). Validated at the edge: a wrong field is an error naming it
// before anything starts. Each field's default is spelled once, on the field: a part left out is
// parsed from {} (prefault). The settings with a flag are described in checkers/settings.ts, which
// repeats their defaults and value lists (this folder imports nothing); test/spec/settings.test.ts
// holds the two equal.
import { z } from "zod";
import { faultProblemsOfKind, HOOK_FAULTS } from "./attach-faults.ts";
import { ClientNameSchema, GROUP_PROTOCOLS_OF } from "./client.ts";
import { clockParamProblems, mayMoveClocks } from "./clock.ts";
import {
  brokersOf,
  type ClusterSpec,
  ClusterSpecSchema,
  clusterKind,
  defaultKafkaVersion,
  kafkaMajor,
  withKafkaVersion,
} from "./cluster.ts";
import { deliveryBudget } from "./delivery-budget.ts";
import { specErrorOf } from "./errors.ts";
import { BROKER_TARGETS, FAULT_KINDS, kindsNotIn, ScheduledFaultSchema } from "./faults.ts";
import { int } from "./numbers.ts";

export const AcksSchema = z.union([z.literal(0), z.literal(1), z.literal("all")], {
  error: 'must be 0, 1 or "all"',
});

export const WORKLOAD_KINDS = ["queue", "txn", "group", "copy"] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];
export const ISOLATION_LEVELS = ["read_committed", "read_uncommitted"] as const;
export type IsolationLevel = (typeof ISOLATION_LEVELS)[number];

// The group workload's settings (workload.kind "group"); the strategies and protocols are described
// in harness/clients/group-member.ts, which holds the same lists (test/spec/group-spec.test.ts).
export const COMMIT_STRATEGIES = ["after-sync", "after-async", "auto", "before"] as const;
export const GROUP_PROTOCOLS = ["classic", "consumer"] as const;
export const CHURN_EVENTS = ["join", "leave", "crash", "stall"] as const;

export const GroupSettingsSchema = z
  .object({
    /** When members commit, relative to handing a delivery to the harness. */
    commit: z.enum(COMMIT_STRATEGIES, { error: `must be one of ${COMMIT_STRATEGIES.join(", ")}` }).default("after-sync"),
    /** classic (JoinGroup/SyncGroup) or consumer (KIP-848, Kafka 4.x). */
    protocol: z.enum(GROUP_PROTOCOLS, { error: `must be one of ${GROUP_PROTOCOLS.join(", ")}` }).default("classic"),
    /** At least Kafka's group.min.session.timeout.ms (6000 by default). */
    sessionTimeoutMs: int(6000, 300_000).default(6000),
    maxPollIntervalMs: int(1000, 3_600_000).default(10_000),
    autoCommitIntervalMs: int(100, 600_000).default(1000),
  })
  .strict();

/** Member events of the group workload, planned from the seed (harness/workload/group-plan.ts). */
export const ChurnSchema = z
  .object({
    /** The events the plan draws from; empty: the members stay as they are. */
    events: z.array(z.enum(CHURN_EVENTS, { error: `must be one of ${CHURN_EVENTS.join(", ")}` })).default([]),
    /** Mean time between two events. */
    intervalSeconds: z.number().positive().max(3600).default(5),
    /** How long a stall blocks a delivery: past the session timeout by default. */
    stallMs: int(100, 600_000).default(12_000),
    /** Where a crash strikes: at once, or (commit "before") after a delivery's commit was acknowledged
     *  and before the delivery is handed over. */
    crashWindow: z.enum(["now", "after-commit"], { error: 'must be "now" or "after-commit"' }).default("now"),
  })
  .strict();
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
        /** workload.kind "group" only (its defaults filled in there): how the members commit and join. */
        group: GroupSettingsSchema.optional(),
        /** workload.kind "group" only: members joining, leaving, crashing, stalling. */
        churn: ChurnSchema.optional(),
      })
      .strict()
      .prefault({}),
    workload: z
      .object({
        /** queue: sends and polls, one op each; txn: each op is one transaction of 1-4 send/poll micro-ops;
         *  group: the queue's producers, and consumers that are members of one consumer group;
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
      for (const p of clockParamProblems(f))
        ctx.addIssue({ code: "custom", path: ["faults", "schedule", i, ...p.path], message: p.message });
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
    for (const p of faultProblemsOfKind(clusterKind(s.cluster), s.faults, { alterReplicas: s.cluster.alterReplicas }))
      ctx.addIssue({ code: "custom", ...p });
    if (s.faults.minDurationSeconds > s.faults.maxDurationSeconds) {
      ctx.addIssue({ code: "custom", path: ["faults", "minDurationSeconds"], message: "must not exceed faults.maxDurationSeconds" });
    }
    // The queue workload's consumers of these two use manual assignment; their group members are
    // the group workload's (workload.kind group), which records what the group does.
    if ((s.client === "platformatic" || s.client === "confluent") && s.consumer.mode === "subscribe" && s.workload.kind !== "group") {
      ctx.addIssue({
        code: "custom",
        path: ["consumer", "mode"],
        message: `must be "assign" with client "${s.client}" in a ${s.workload.kind} workload (its consumers use manual assignment; consumer groups run in workload kind group)`,
      });
    }
    if (s.workload.kind === "txn" && s.producer.acks !== "all") {
      ctx.addIssue({
        code: "custom",
        path: ["producer", "acks"],
        message: 'must be "all" with workload.kind "txn" (a transactional producer is idempotent, and Kafka requires acks=all for that)',
      });
    }
    if (s.workload.copy !== undefined && s.workload.kind !== "copy") {
      ctx.addIssue({ code: "custom", path: ["workload", "copy"], message: 'needs workload.kind "copy"' });
    }
    if (s.workload.kind === "copy" && s.consumer.isolation !== "read_committed") {
      ctx.addIssue({
        code: "custom",
        path: ["consumer", "isolation"],
        message: 'must be "read_committed" with workload.kind "copy" (a copier must not copy records of aborted transactions)',
      });
    }
    for (const t of ["txn-coordinator", "group-coordinator"] as const) {
      const k = s.workload.kind;
      const served = k === "txn" || k === "copy" || (t === "group-coordinator" && k === "group");
      if (!served && s.faults.targets.includes(t) && s.faults.kinds.length) {
        ctx.addIssue({
          code: "custom",
          path: ["faults", "targets"],
          message:
            t === "group-coordinator"
              ? `${t} needs workload.kind "txn", "copy" or "group" (it targets the coordinator of the workload's consumer groups)`
              : `${t} needs workload.kind "txn" or "copy" (it targets the coordinator of the workload's transactional ids)`,
        });
      }
    }
    for (const p of groupProblems(s)) ctx.addIssue({ code: "custom", ...p });
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
  // A group workload's members subscribe whatever the mode says, with the group settings' defaults.
  // kafkajs's copiers read through one group (subscribe), so their reads are judged as a group's
  // are; @platformatic/kafka's each read their own partitions (assign).
  const consumer =
    spec.workload.kind === "group"
      ? {
          ...spec.consumer,
          mode: "subscribe" as const,
          group: spec.consumer.group ?? GroupSettingsSchema.parse({}),
          churn: spec.consumer.churn ?? ChurnSchema.parse({}),
        }
      : spec.workload.kind === "copy" && spec.client === "kafkajs"
        ? { ...spec.consumer, mode: "subscribe" as const }
        : spec.consumer;
  // A copy run's copiers at their defaults when the spec names none (not in the schema's default:
  // other kinds have no copiers).
  const workload =
    spec.workload.kind === "copy" ? { ...spec.workload, copy: spec.workload.copy ?? CopySpecSchema.parse({}) } : spec.workload;
  return {
    ...spec,
    producer,
    workload,
    consumer,
    // Its JVMs under libfaketime only when a fault may move their clocks (clock.ts).
    cluster: withKafkaVersion(mayMoveClocks(spec.faults) ? { ...spec.cluster, fakeClock: true } : spec.cluster),
    seed: spec.seed ?? Math.floor(Math.random() * 2 ** 31),
  };
}

type SpecOutput = z.output<typeof TestSpecSchema>;

/** What a group workload cannot run with, each naming the field (a spec error before anything starts). */
function groupProblems(s: SpecOutput) {
  const out: Array<{ path: (string | number)[]; message: string }> = [];
  const { group, churn } = s.consumer;
  if (s.workload.kind !== "group") {
    if (group) out.push({ path: ["consumer", "group"], message: 'needs workload.kind "group" (the settings of its group members)' });
    if (churn) out.push({ path: ["consumer", "churn"], message: 'needs workload.kind "group" (the events of its group members)' });
    return out;
  }
  const protocols = GROUP_PROTOCOLS_OF[s.client];
  if (!protocols) {
    out.push({
      path: ["workload", "kind"],
      message: `"group" is built for clients ${Object.keys(GROUP_PROTOCOLS_OF).join(", ")}: the ${s.client} client has no group members yet`,
    });
    return out;
  }
  const protocol = group?.protocol ?? "classic";
  if (!protocols.includes(protocol)) {
    out.push({
      path: ["consumer", "group", "protocol"],
      message: `must be ${protocols.join(" or ")} with client "${s.client}" (the protocols its group members speak)`,
    });
  }
  const version = s.cluster.kafkaVersion ?? defaultKafkaVersion(s.cluster.metadata);
  if (protocol === "consumer" && kafkaMajor(version) < 4) {
    out.push({
      path: ["consumer", "group", "protocol"],
      message: `must be classic on Kafka ${version} (the consumer protocol, KIP-848, needs Kafka 4.x)`,
    });
  }
  if (churn?.crashWindow === "after-commit" && (group?.commit ?? "after-sync") !== "before") {
    out.push({
      path: ["consumer", "churn", "crashWindow"],
      message: `"after-commit" needs consumer.group.commit "before" (the window between a commit and the delivery it covers)`,
    });
  }
  if (s.consumer.count < 1) out.push({ path: ["consumer", "count"], message: 'must be at least 1 with workload.kind "group"' });
  return out;
}
