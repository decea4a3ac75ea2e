// The run's ClientContext carries the attached cluster's security, and each kafkajs client the
// run opens (producer, consumer, transactional producer and consumer), the final reads' end
// offsets and the workload's environment ask the factory with it: kafkajs's factory is a stand-in here that notes what it got and
// refuses to connect, so no broker is needed.
import { describe, expect, it, vi } from "vitest";
import type { ClientContext } from "../../harness/clients/context.ts";
import { endOffsetsOf } from "../../harness/clients/final-reads.ts";
import { kafkajsClient } from "../../harness/clients/kafkajs/client.ts";
import { kafkajsTxnClient } from "../../harness/clients/kafkajs/txn.ts";
import { attachCluster } from "../../harness/cluster/kinds/attach.ts";
import { createRecorder } from "../../harness/history/recorder.ts";
import type { ClientSecurity } from "../../harness/protocol/security.ts";
import { workloadEnv } from "../../harness/run/workload-env.ts";
import { parseClusterSpec } from "../../harness/spec/cluster.ts";

const got = vi.hoisted(() => ({ security: [] as unknown[] }));
vi.mock("../../harness/kafkajs/factory.ts", async (original) => ({
  ...(await original<typeof import("../../harness/kafkajs/factory.ts")>()),
  newKafka: (_b: string[], _id: string, _extra: unknown, security?: unknown) => {
    got.security.push(security);
    throw new Error("no broker here");
  },
  withAdmin: async (_b: string[], _fn: unknown, security?: unknown) => {
    got.security.push(security);
    throw new Error("no broker here");
  },
}));

const security: ClientSecurity = {
  tls: { ca: "CA PEM", rejectUnauthorized: true },
  sasl: { mechanism: "plain", username: "a", password: "p" },
};

describe("the attached cluster's security reaches every kafkajs client", () => {
  it("producer, consumer, transactional producer and consumer, the final reads' end offsets", async () => {
    got.security = [];
    const ctx: ClientContext = { bootstrap: () => ["k1:9092"], security, recorder: createRecorder(), nextProcess: () => 0 };
    const settings = { acks: "all", idempotent: false, maxInFlight: 1, retries: 1, requestTimeoutMs: 1000, opTimeoutMs: 5000 } as const;
    await expect(kafkajsClient.openProducer(ctx, settings, ["t"])).rejects.toThrow("no broker here");
    await expect(kafkajsClient.openConsumer(ctx, { mode: "assign", topic: "t", keys: ["t-0"] })).rejects.toThrow("no broker here");
    const txn = { transactionalId: "x", retries: 1, requestTimeoutMs: 1000, transactionTimeoutMs: 10_000 };
    await expect(kafkajsTxnClient.openProducer(["k1:9092"], txn, security)).rejects.toThrow("no broker here");
    await expect(
      kafkajsTxnClient.openConsumer(["k1:9092"], { topic: "t", keys: ["t-0"], groupId: "g", isolation: "read_committed" }, security),
    ).rejects.toThrow("no broker here");
    await expect(endOffsetsOf(["k1:9092"], "t", security)).rejects.toThrow("no broker here");
    expect(got.security).toEqual([security, security, security, security, security]);
  });

  it("the workload's environment: the group coordinator and the coordinator topics are asked with it", async () => {
    got.security = [];
    const env = workloadEnv(
      () => ["k1:9092"],
      () => {},
      security,
    );
    expect(env.security).toBe(security);
    await expect(env.waitGroupCoordinator("g", 1)).rejects.toThrow();
    await expect(env.waitCoordinatorTopicsInSync(1)).rejects.toThrow();
    expect(got.security.length).toBeGreaterThanOrEqual(2);
    expect(new Set(got.security)).toEqual(new Set([security]));
  });

  it("attaching asks with it; without it, a cluster that does not answer gets a hint about TLS and SASL", async () => {
    got.security = [];
    const spec = parseClusterSpec({ kind: "attach", bootstrap: ["k1:9092"] });
    await expect(attachCluster(spec, { progress: () => {}, security })).rejects.toThrow(/answered \(no broker here\)$/);
    await expect(attachCluster(spec, { progress: () => {} })).rejects.toThrow(/if the cluster asks for TLS or SASL, give them: --tls/);
    expect(got.security).toEqual([security, undefined]);
  });
});
