import { describe, expect, it } from "vitest";
import { parseClusterSpec } from "../../harness/spec/cluster.ts";

describe("default JVM options", () => {
  it("run ZooKeeper nodes and KRaft controllers on C1 only, brokers with both compilers", () => {
    const s = parseClusterSpec({});
    expect(s.zookeeperJvmOpts.split(" ")).toContain("-XX:TieredStopAtLevel=1");
    expect(s.brokerJvmOpts).not.toMatch(/TieredStopAtLevel/);
  });

  it("are the spec's to override", () => {
    expect(parseClusterSpec({ zookeeperJvmOpts: "-Xmx256m" }).zookeeperJvmOpts).toBe("-Xmx256m");
  });
});
