// Only runs whose faults can fill or fail a disk get the fault-injecting filesystem.
import { describe, expect, it } from "vitest";
import { parseClusterSpec } from "../../harness/spec/cluster.ts";
import { clusterFor, needsDiskLayer } from "../../harness/spec/disk-layer.ts";

describe("the disk layer", () => {
  const cluster = parseClusterSpec({});
  it("is asked for by disk-full or log-dir-failure, generated or scheduled, and by nothing else", () => {
    expect(needsDiskLayer({ kinds: ["kill", "corrupt-segment"] })).toBe(false);
    expect(needsDiskLayer({ kinds: ["disk-full"] })).toBe(true);
    expect(needsDiskLayer({ kinds: [], schedule: [{ fault: "log-dir-failure" }] })).toBe(true);
    expect(clusterFor({ cluster, faults: { kinds: ["kill"] } })).toBe(cluster);
    expect(clusterFor({ cluster, faults: { kinds: ["log-dir-failure"] } })).toEqual({ ...cluster, faultfs: true });
  });
});
