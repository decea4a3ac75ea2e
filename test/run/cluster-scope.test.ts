// Leaving a run's cluster scope: a cluster the run started is stopped; a shared one keeps running
// and loses the run's topic, so the next run finds it as this one did (no Kafka here: the
// cluster's edges are stand-ins).
import { describe, expect, it, vi } from "vitest";
import type { Cluster } from "../../harness/cluster/cluster.ts";
import { openCluster } from "../../harness/run/cluster-scope.ts";
import { parseTestSpec } from "../../harness/spec/test-spec.ts";

const deleted = vi.hoisted(() => ({ topics: [] as string[], fail: undefined as string | undefined, security: [] as unknown[] }));
vi.mock("../../harness/cluster/cluster.ts", async (original) => ({
  ...(await original<typeof import("../../harness/cluster/cluster.ts")>()),
  deleteTopic: async (_b: string[], topic: string, security?: unknown) => {
    if (deleted.fail) throw new Error(deleted.fail);
    deleted.topics.push(topic);
    deleted.security.push(security);
  },
}));
const saved = vi.hoisted(() => ({ logs: 0 }));
vi.mock("../../harness/cluster/node-logs.ts", () => ({ saveNodeLogs: async () => void saved.logs++ }));
// An attached cluster stand-in: what attachCluster returns once DescribeCluster answered.
vi.mock("../../harness/cluster/kinds/attach.ts", () => ({
  attachCluster: async (spec: { bootstrap: string[] }, o: { security?: unknown }) => ({
    kind: "attach",
    runId: "attach-x",
    spec,
    brokers: [],
    zookeepers: [],
    controllers: [],
    bootstrap: () => spec.bootstrap,
    ...(o.security ? { security: o.security } : {}),
  }),
}));

const spec = parseTestSpec({ topic: { name: "t_run" } });
const standIn = () => {
  const c = { stopped: false, bootstrap: () => ["127.0.0.1:1"], stop: async () => void (c.stopped = true) };
  return c;
};

describe("the run's cluster scope", () => {
  it("shared: the cluster keeps running and the run's topic is deleted", async () => {
    deleted.topics = [];
    deleted.fail = undefined;
    const c = standIn();
    const problems: string[] = [];
    {
      await using _ = await openCluster(spec, { shared: c as unknown as Cluster, logsDir: "/tmp/x", progress: () => {}, problems });
    }
    expect(c.stopped).toBe(false);
    expect(deleted.topics).toEqual(["t_run"]);
    expect(problems).toEqual([]);
  });

  it("a topic that was never created is no problem; any other failure to delete is noted", async () => {
    const c = standIn();
    for (const [fail, noted] of [
      ["This server does not host this topic-partition", 0],
      ["Connection error: ECONNREFUSED", 1],
    ] as const) {
      deleted.fail = fail;
      const problems: string[] = [];
      {
        await using _ = await openCluster(spec, { shared: c as unknown as Cluster, logsDir: "/tmp/x", progress: () => {}, problems });
      }
      expect(problems, fail).toHaveLength(noted);
      if (noted) expect(problems[0]).toMatch(/deleting topic t_run on the shared cluster: Connection error/);
    }
  });
});

describe("the run's scope on an attached cluster", () => {
  const attached = (keepTopic?: boolean) =>
    parseTestSpec({
      topic: { name: "kafka_harness_t_x" },
      cluster: { kind: "attach", bootstrap: ["k1:9092"], ...(keepTopic ? { keepTopic } : {}) },
    });

  it("on leaving, the run's topic is deleted, and no node log is asked for", async () => {
    deleted.topics = [];
    deleted.fail = undefined;
    saved.logs = 0;
    const problems: string[] = [];
    {
      await using scope = await openCluster(attached(), { logsDir: "/tmp/x", progress: () => {}, problems });
      expect(scope.cluster.bootstrap()).toEqual(["k1:9092"]);
    }
    expect(deleted.topics).toEqual(["kafka_harness_t_x"]);
    expect(saved.logs).toBe(0);
    expect(problems).toEqual([]);
  });

  it("the resolved security reaches the attached cluster, and the topic is deleted with it", async () => {
    deleted.topics = [];
    deleted.security = [];
    deleted.fail = undefined;
    const security = { sasl: { mechanism: "scram-sha-256" as const, username: "bob", password: "pw" } };
    {
      await using scope = await openCluster(attached(), { logsDir: "/tmp/x", progress: () => {}, problems: [], security });
      expect(scope.cluster.security).toBe(security);
    }
    expect(deleted.security).toEqual([security]);
  });

  it("with keepTopic the topic stays", async () => {
    deleted.topics = [];
    {
      await using _ = await openCluster(attached(true), { logsDir: "/tmp/x", progress: () => {}, problems: [] });
    }
    expect(deleted.topics).toEqual([]);
  });
});
