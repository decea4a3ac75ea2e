// The cluster part of a test spec: plain data, validated at the edge so a wrong field is a clear
// error before any container starts.
import { z } from "zod";
import { describeIssues, SpecError } from "./errors.ts";
import { int } from "./numbers.ts";

export const ClusterSpecSchema = z
  .object({
    zookeepers: int(1, 5).default(3),
    brokers: int(1, 5).default(3),
    /** ZooKeeper tick; session timeouts must lie within 2..20 ticks. */
    zkTickTimeMs: int(100, 5000).default(500),
    /** How long ZooKeeper waits before it declares a silent broker dead (and a new leader is elected). */
    zkSessionTimeoutMs: int(1000, 60_000).default(6000),
    /** How long a follower may lag before the leader drops it from the ISR. */
    replicaLagTimeMaxMs: int(500, 60_000).default(5000),
    brokerJvmOpts: z.string().default("-Xms128m -Xmx512m -XX:+UseSerialGC"),
    zookeeperJvmOpts: z.string().default("-Xms64m -Xmx256m -XX:+UseSerialGC"),
    /** Extra server.properties entries, applied last (they override the harness's choices). */
    brokerConfig: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    /** Seconds to wait for the cluster to become ready. */
    startTimeoutSeconds: int(10, 1800).default(180),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.zkSessionTimeoutMs < 2 * s.zkTickTimeMs || s.zkSessionTimeoutMs > 20 * s.zkTickTimeMs) {
      ctx.addIssue({
        code: "custom",
        path: ["zkSessionTimeoutMs"],
        message: `must lie between 2 and 20 ticks of zkTickTimeMs (${2 * s.zkTickTimeMs}..${20 * s.zkTickTimeMs} ms), or ZooKeeper silently clamps it`,
      });
    }
  });

export type ClusterSpecInput = z.input<typeof ClusterSpecSchema>;
export type ClusterSpec = z.output<typeof ClusterSpecSchema>;

export function parseClusterSpec(input: unknown = {}): ClusterSpec {
  const result = ClusterSpecSchema.safeParse(input);
  if (!result.success) throw new SpecError("cluster spec", describeIssues(result.error, input, "cluster"));
  return result.data;
}
