// A cluster handed to a suite (or replay) serves only the runs that ask for that cluster: a scenario
// with other broker settings gets its own instead of running silently without them.
import { describe, expect, it } from "vitest";
import type { Cluster } from "../../harness/cluster/cluster.ts";
import { sharedClusters } from "../../harness/run/shared-cluster.ts";
import { parseTestSpec } from "../../harness/spec/test-spec.ts";

const defaults = parseTestSpec({}).cluster;
const given = { runId: "kh-given", spec: defaults } as unknown as Cluster;

describe("sharedClusters with a given cluster", () => {
  it("a run asking for other broker settings does not get the given cluster, and says so", async () => {
    const said: string[] = [];
    const clusters = sharedClusters({ given, progress: (m) => said.push(m) });
    const other = parseTestSpec({ cluster: { brokerConfig: { "replica.fetch.wait.max.ms": "2500" } } }).cluster;
    expect(await clusters.clusterFor(other)).toBeUndefined();
    expect(said.join("\n")).toMatch(/kh-given is not the cluster this run asks for/);
  });

  it("a run asking for more brokers does not get it either", async () => {
    const clusters = sharedClusters({ given });
    expect(await clusters.clusterFor(parseTestSpec({ cluster: { brokers: 5 } }).cluster)).toBeUndefined();
  });
});
