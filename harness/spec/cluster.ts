// The cluster part of a test spec: plain data, validated at the edge so a wrong field is a clear
// error before any container starts.
import { z } from "zod";
import { specErrorOf } from "./errors.ts";
import { int } from "./numbers.ts";
import { SecuritySpecSchema } from "./security.ts";
import { inventoryCounts, inventoryProblems, SshInventorySchema } from "./ssh-inventory.ts";

export const METADATA_MODES = ["zookeeper", "kraft"] as const;
export type MetadataMode = (typeof METADATA_MODES)[number];

/** ZooKeeper mode ends with Kafka 3.9 (4.0 removed it); 3.9.1 stays the default. */
export const DEFAULT_ZOOKEEPER_KAFKA_VERSION = "3.9.1";
/** The newest Kafka that Maven resolves here and that was seen running in the image (Java 17). */
export const DEFAULT_KRAFT_KAFKA_VERSION = "4.4.0";

/** The Kafka version a cluster spec asks for, its default depending on the metadata mode. */
export const defaultKafkaVersion = (metadata: MetadataMode) =>
  metadata === "kraft" ? DEFAULT_KRAFT_KAFKA_VERSION : DEFAULT_ZOOKEEPER_KAFKA_VERSION;

/** The kind a parsed spec names (absent: docker). */
export const clusterKind = (s: { kind?: ClusterKind }): ClusterKind => s.kind ?? "docker";

/** The major version of a "major.minor.patch" string (4 for "4.4.0"). */
export const kafkaMajor = (version: string) => Number(version.split(".")[0]);

/** Where the cluster comes from: started in Docker by the harness (the default), an existing
 *  one the harness attaches to by its bootstrap address and never touches (no process, no
 *  container), or hosts the harness logs in to over SSH (an inventory). A new kind is one more
 *  entry here and one module in harness/cluster/kinds/. */
export const CLUSTER_KINDS = ["docker", "attach", "ssh"] as const;
export type ClusterKind = (typeof CLUSTER_KINDS)[number];

/** A bootstrap address: host:port. */
const HostPort = z.string().regex(/^[^\s:,]+:\d{1,5}$/, { error: 'must be host:port, like "kafka1.example.com:9092"' });

export const ClusterSpecSchema = z
  .object({
    /** docker (absent: the default) or attach; docs/design.md "Cluster kinds". */
    kind: z.enum(CLUSTER_KINDS, { error: `must be one of ${CLUSTER_KINDS.join(", ")}` }).optional(),
    /** attach: the cluster's bootstrap addresses (host:port); the other brokers come from its metadata. */
    bootstrap: z.array(HostPort).min(1).optional(),
    /** ssh: the hosts, their roles, the login and the mode (harness/spec/ssh-inventory.ts). A spec
     *  file's `inventory: FILE` is read where the spec is loaded and stored here inline. */
    inventory: SshInventorySchema.optional(),
    /** attach: TLS and SASL, as the clients reach the cluster (harness/spec/security.ts). */
    security: SecuritySpecSchema.optional(),
    /** attach: leave the run's topic on the cluster at the end (deleted by default). */
    keepTopic: z.boolean().optional(),
    /** attach: membership faults (reassign, shrink-replicas) may move the run's topic's replicas. */
    alterReplicas: z.boolean().optional(),
    /** docker: every broker's log directory on the fault-injecting filesystem (FUSE; its containers
     *  get /dev/fuse and CAP_SYS_ADMIN). Set by the run when its faults include disk-full,
     *  log-dir-failure or power-loss (spec/disk-layer.ts); absent: plain directories. */
    faultfs: z.boolean().optional(),
    /** power-loss: unsynced writes older than this (ms) survive a cut, as the kernel's writeback
     *  (vm.dirty_expire_centisecs, 30 s by default) would have written them; absent or 0: only
     *  fsync makes a write durable (images/kafka/faultfs.py). */
    writebackMs: int(0, 600_000).optional(),
    /** Where the cluster keeps its metadata: a ZooKeeper ensemble (Kafka ≤ 3.9) or a KRaft quorum. */
    metadata: z.enum(METADATA_MODES, { error: 'must be "zookeeper" or "kraft"' }).default("zookeeper"),
    /** The Apache Kafka release the image carries (an image per version); default by metadata mode. */
    kafkaVersion: z
      .string()
      .regex(/^\d+\.\d+\.\d+$/, { error: 'must be a release like "3.9.1" or "4.4.0"' })
      .optional(),
    /** KRaft: controller quorum voters. */
    controllers: int(1, 5).default(3),
    /** KRaft: controllers on nodes of their own (default) or the first `controllers` brokers
     *  running both roles (process.roles=broker,controller). */
    combined: z.boolean().default(false),
    /** KRaft: how long a controller waits for a broker's heartbeat before fencing it (the
     *  counterpart of zkSessionTimeoutMs). */
    brokerSessionTimeoutMs: int(1000, 60_000).default(6000),
    zookeepers: int(1, 5).default(3),
    brokers: int(1, 5).default(3),
    /** ZooKeeper tick; session timeouts must lie within 2..20 ticks. */
    zkTickTimeMs: int(100, 5000).default(500),
    /** How long ZooKeeper waits before it declares a silent broker dead (and a new leader is elected). */
    zkSessionTimeoutMs: int(1000, 60_000).default(6000),
    /** How long a follower may lag before the leader drops it from the ISR. */
    replicaLagTimeMaxMs: int(500, 60_000).default(5000),
    /** controller.socket.timeout.ms: how long a broker's request to the controller (AlterPartition,
     *  in ZooKeeper mode and KRaft) may stay unanswered. One request is in flight at a time, to the
     *  controller it last knew: one sent to a controller that was then cut off blocks every ISR
     *  change of that broker until it times out, even after heal (Kafka's 30 s default kept the
     *  wait in sync up to 28 s after heal). Shortened like the sessions. */
    controllerSocketTimeoutMs: int(1000, 60_000).default(6000),
    brokerJvmOpts: z.string().default("-Xms128m -Xmx512m -XX:+UseSerialGC"),
    /** ZooKeeper nodes and dedicated KRaft controllers. C1 only (TieredStopAtLevel=1): their work is
     *  light, and C2's compiles are CPU a start on 2 cores cannot spare. Not for brokers: measured,
     *  C1-only brokers sent more in a run's first 40 s and less after (docs/findings.md). */
    zookeeperJvmOpts: z.string().default("-Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"),
    /** Extra server.properties entries, applied last (they override the harness's choices). */
    brokerConfig: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    /** Every JVM runs under libfaketime, its clock offset in a control file that clock faults
     *  rewrite. Set by the harness when the run's faults may move a clock (spec/clock.ts). */
    fakeClock: z.boolean().optional(),
    /** Seconds to wait for the cluster to become ready. */
    startTimeoutSeconds: int(10, 1800).default(180),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.kind === "attach" && s.bootstrap === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["bootstrap"],
        message: 'is needed with kind "attach": the cluster\'s host:port addresses (--bootstrap)',
      });
    if (s.kind === "ssh") {
      if (s.inventory === undefined)
        ctx.addIssue({
          code: "custom",
          path: ["inventory"],
          message: 'is needed with kind "ssh": the hosts and their roles (--inventory FILE, or --ssh-hosts a,b,c)',
        });
      else
        for (const p of inventoryProblems(s.inventory, s.metadata)) ctx.addIssue({ code: "custom", ...p, path: ["inventory", ...p.path] });
    } else if (s.inventory !== undefined) ctx.addIssue({ code: "custom", path: ["inventory"], message: 'is for kind "ssh" only' });
    for (const field of ["bootstrap", "keepTopic", "alterReplicas"] as const)
      if (s.kind !== "attach" && s[field] !== undefined)
        ctx.addIssue({ code: "custom", path: [field], message: 'is for kind "attach" only (a docker cluster is the harness\'s own)' });
    if (s.kind !== "attach" && s.security !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["security"],
        message: `is for kind "attach" only: the clusters the harness starts (${s.kind ?? "docker"}) listen in plaintext`,
      });
    if (s.metadata === "zookeeper" && s.kafkaVersion !== undefined && kafkaMajor(s.kafkaVersion) >= 4) {
      ctx.addIssue({
        code: "custom",
        path: ["kafkaVersion"],
        message: `Kafka ${s.kafkaVersion} has no ZooKeeper mode (4.0 removed it): use metadata "kraft" or a 3.x version such as ${DEFAULT_ZOOKEEPER_KAFKA_VERSION}`,
      });
    }
    if (s.kafkaVersion !== undefined && kafkaMajor(s.kafkaVersion) < 3) {
      ctx.addIssue({ code: "custom", path: ["kafkaVersion"], message: "must be 3.x or newer (the image is built for 3.9 and 4.x)" });
    }
    if (s.metadata === "kraft" && s.combined && s.controllers > s.brokers) {
      ctx.addIssue({
        code: "custom",
        path: ["controllers"],
        message: `combined controllers run on brokers: must not exceed cluster.brokers (${s.brokers})`,
      });
    }
    if (s.zkSessionTimeoutMs < 2 * s.zkTickTimeMs || s.zkSessionTimeoutMs > 20 * s.zkTickTimeMs) {
      ctx.addIssue({
        code: "custom",
        path: ["zkSessionTimeoutMs"],
        message: `must lie between 2 and 20 ticks of zkTickTimeMs (${2 * s.zkTickTimeMs}..${20 * s.zkTickTimeMs} ms), or ZooKeeper silently clamps it`,
      });
    }
  });

export type ClusterSpecInput = z.input<typeof ClusterSpecSchema>;
/** A parsed cluster spec: the Kafka version is always filled in (the mode's default when absent). */
export type ClusterSpec = z.output<typeof ClusterSpecSchema> & { kafkaVersion: string };

/** Fills in the version a mode defaults to (the stored spec then names the Kafka it ran), and an
 *  ssh cluster's node counts from its inventory's roles. */
export const withKafkaVersion = <
  T extends { metadata: MetadataMode; kafkaVersion?: string; inventory?: z.output<typeof SshInventorySchema> },
>(
  s: T,
): T & { kafkaVersion: string } => ({
  ...s,
  // Zero counts stay the schema's defaults: the spec's bounds start at 1, and the metadata mode
  // ignores the other mode's nodes (no ZooKeeper in KRaft, no controllers in ZooKeeper mode).
  ...(s.inventory ? Object.fromEntries(Object.entries(inventoryCounts(s.inventory)).filter(([, v]) => v !== 0)) : {}),
  kafkaVersion: s.kafkaVersion ?? defaultKafkaVersion(s.metadata),
});

/** The brokers a parsed cluster has, before withKafkaVersion fills in an inventory's counts
 *  (undefined: an attached cluster's, which Kafka knows and the spec does not). */
export const brokersOf = (s: z.output<typeof ClusterSpecSchema>): number | undefined =>
  s.kind === "attach" ? undefined : s.inventory ? inventoryCounts(s.inventory).brokers : s.brokers;

export function parseClusterSpec(input: unknown = {}): ClusterSpec {
  const result = ClusterSpecSchema.safeParse(input);
  if (!result.success) throw specErrorOf("cluster spec", result.error, input, ClusterSpecSchema, "cluster");
  return withKafkaVersion(result.data);
}
