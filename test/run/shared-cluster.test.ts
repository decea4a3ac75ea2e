// Which cluster a run gets (harness/run/shared-cluster.ts), with stand-in clusters: a handed cluster
// serves only the runs that ask for that cluster; shared clusters are reused per spec, never held
// by two runs at once, at most `maxOwn` of them up, replaced when idle, and all stopped at the end.
import { describe, expect, it } from "vitest";
import type { Cluster } from "../../harness/cluster/cluster.ts";
import { onLeasedCluster, sharedClusters } from "../../harness/run/shared-cluster.ts";
import type { ClusterSpec } from "../../harness/spec/cluster.ts";
import { parseTestSpec } from "../../harness/spec/test-spec.ts";

const defaults = parseTestSpec({}).cluster;
const slow = parseTestSpec({ cluster: { brokerConfig: { "replica.fetch.wait.max.ms": "2500" } } }).cluster;
const given = { runId: "kh-given", spec: defaults } as unknown as Cluster;

/** Stand-in clusters that log their starts and stops; `up` is what runs now. */
function standIns() {
  const log: string[] = [];
  const up = new Set<string>();
  let n = 0;
  const start = async (spec: ClusterSpec): Promise<Cluster> => {
    const runId = `kh-${++n}${spec === slow || spec.brokerConfig["replica.fetch.wait.max.ms"] ? "-slow" : ""}`;
    await new Promise((r) => setTimeout(r, 5));
    log.push(`start ${runId}`);
    up.add(runId);
    return {
      runId,
      spec,
      stop: async () => {
        log.push(`stop ${runId}`);
        up.delete(runId);
      },
    } as unknown as Cluster;
  };
  return { log, up, start, whole: async () => {} };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

describe("sharedClusters with a given cluster", () => {
  it("a run asking for other broker settings does not get the given cluster, and says so", async () => {
    const said: string[] = [];
    const clusters = sharedClusters({ given, progress: (m) => said.push(m) });
    expect((await clusters.lease(slow)).cluster).toBeUndefined();
    expect(said.join("\n")).toMatch(/kh-given is not the cluster this run asks for/);
  });

  it("a run asking for more brokers does not get it either", async () => {
    const clusters = sharedClusters({ given });
    expect((await clusters.lease(parseTestSpec({ cluster: { brokers: 5 } }).cluster)).cluster).toBeUndefined();
  });

  it("with sharing, the run that does not fit gets one of the pool's own, and the given one is never stopped", async () => {
    const s = standIns();
    const clusters = sharedClusters({ given, share: true, ...s });
    const a = await clusters.lease(defaults);
    expect(a.cluster).toBe(given);
    const b = await clusters.lease(slow);
    expect(b.cluster?.runId).toBe("kh-1-slow");
    a.release();
    b.release();
    await clusters.stop();
    expect(s.log).toEqual(["start kh-1-slow", "stop kh-1-slow"]);
  });
});

describe("sharedClusters shared by runs one after another", () => {
  it("reuses the cluster of a spec, replaces it for another spec, and stops it at the end", async () => {
    const s = standIns();
    const clusters = sharedClusters({ share: true, ...s });
    const ids: string[] = [];
    for (const spec of [defaults, defaults, slow, slow]) ids.push(await onLeasedCluster(clusters, spec, async (c) => c!.runId));
    await clusters.stop();
    expect(ids).toEqual(["kh-1", "kh-1", "kh-2-slow", "kh-2-slow"]);
    expect(s.log).toEqual(["start kh-1", "stop kh-1", "start kh-2-slow", "stop kh-2-slow"]);
  });

  it("without sharing and without a given cluster, every run starts its own", async () => {
    const s = standIns();
    const clusters = sharedClusters({ ...s });
    expect((await clusters.lease(defaults)).cluster).toBeUndefined();
    expect(s.log).toEqual([]);
  });

  it("a lease is released when the run throws", async () => {
    const s = standIns();
    const clusters = sharedClusters({ share: true, ...s });
    await expect(onLeasedCluster(clusters, defaults, async () => Promise.reject(new Error("run failed")))).rejects.toThrow("run failed");
    expect(await onLeasedCluster(clusters, defaults, async (c) => c!.runId)).toBe("kh-1");
    await clusters.stop();
  });

  it("a cluster that failed to start is forgotten: the next lease starts another", async () => {
    const s = standIns();
    let first = true;
    const start = (spec: ClusterSpec) => (first ? ((first = false), Promise.reject(new Error("no engine"))) : s.start(spec));
    const clusters = sharedClusters({ share: true, start, whole: s.whole });
    await expect(clusters.lease(defaults)).rejects.toThrow("no engine");
    expect((await clusters.lease(defaults)).cluster?.runId).toBe("kh-1");
    await clusters.stop();
    expect(s.up.size).toBe(0);
  });
});

describe("sharedClusters shared by runs side by side", () => {
  it("two runs of one spec never hold one cluster: each gets its own, up to maxOwn", async () => {
    const s = standIns();
    const clusters = sharedClusters({ share: true, maxOwn: 2, ...s });
    const [a, b] = await Promise.all([clusters.lease(defaults), clusters.lease(defaults)]);
    expect(new Set([a.cluster?.runId, b.cluster?.runId])).toEqual(new Set(["kh-1", "kh-2"]));
    // a third waits for a release, then gets the released cluster
    let third: string | undefined;
    const c = clusters.lease(defaults).then((l) => {
      third = l.cluster?.runId;
      return l;
    });
    await tick();
    expect(third).toBeUndefined();
    b.release();
    (await c).release();
    expect(third).toBe(b.cluster?.runId);
    expect(s.up.size).toBe(2);
    a.release();
    await clusters.stop();
    expect(s.up.size).toBe(0);
  });

  it("at most maxOwn clusters run: a run of another spec waits for an idle one and replaces it", async () => {
    const s = standIns();
    const clusters = sharedClusters({ share: true, maxOwn: 2, ...s });
    const a = await clusters.lease(defaults);
    const b = await clusters.lease(defaults);
    let got: string | undefined;
    const c = clusters.lease(slow).then((l) => {
      got = l.cluster?.runId;
      return l;
    });
    await tick();
    expect(got).toBeUndefined(); // both held: it waits
    a.release();
    (await c).release();
    expect(got).toBe("kh-3-slow");
    expect(s.log).toEqual(["start kh-1", "start kh-2", "stop kh-1", "start kh-3-slow"]);
    expect(s.up).toEqual(new Set(["kh-2", "kh-3-slow"]));
    b.release();
    await clusters.stop();
    expect(s.up.size).toBe(0);
  });

  it("many runs side by side: never more than maxOwn clusters up, never one cluster held twice", async () => {
    const s = standIns();
    const clusters = sharedClusters({ share: true, maxOwn: 2, ...s });
    const held = new Set<string>();
    let most = 0;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        onLeasedCluster(clusters, i % 3 === 0 ? slow : defaults, async (c) => {
          const id = c!.runId;
          expect(held.has(id), `${id} held twice`).toBe(false);
          held.add(id);
          most = Math.max(most, s.up.size);
          await new Promise((r) => setTimeout(r, 1 + (i % 4) * 3));
          held.delete(id);
        }),
      ),
    );
    await clusters.stop();
    expect(most).toBeLessThanOrEqual(2);
    expect(s.up.size).toBe(0);
  });
});

describe("sharedClusters and an attached cluster", () => {
  it("a run on an attached cluster leases nothing and starts nothing: it attaches by itself", async () => {
    const s = standIns();
    const clusters = sharedClusters({ share: true, ...s });
    const attached = parseTestSpec({ cluster: { kind: "attach", bootstrap: ["k1:9092"] } }).cluster;
    const a = await clusters.lease(attached);
    expect(a.cluster).toBeUndefined();
    a.release();
    await clusters.stop();
    expect(s.log).toEqual([]);
  });
});
