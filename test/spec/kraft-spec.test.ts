import { describe, expect, it } from "vitest";
import { specFromFlags } from "../../harness/run/run-flags.ts";
import { parseClusterSpec } from "../../harness/spec/cluster.ts";
import { SpecError } from "../../harness/spec/errors.ts";
import { parseTestSpec } from "../../harness/spec/test-spec.ts";

describe("cluster spec: metadata mode and Kafka version", () => {
  it("defaults to ZooKeeper mode on 3.9.1", () => {
    expect(parseClusterSpec({})).toMatchObject({ metadata: "zookeeper", kafkaVersion: "3.9.1" });
  });

  it("KRaft defaults to 4.4.0 with 3 dedicated controllers", () => {
    expect(parseClusterSpec({ metadata: "kraft" })).toMatchObject({
      metadata: "kraft",
      kafkaVersion: "4.4.0",
      controllers: 3,
      combined: false,
    });
  });

  it("keeps an explicit version (KRaft on 3.9 too)", () => {
    expect(parseClusterSpec({ metadata: "kraft", kafkaVersion: "3.9.1" }).kafkaVersion).toBe("3.9.1");
  });

  it.each([
    [{ kafkaVersion: "4.0.0" }, /cluster\.kafkaVersion: Kafka 4\.0\.0 has no ZooKeeper mode/],
    [{ metadata: "zookeeper", kafkaVersion: "4.4.0" }, /cluster\.kafkaVersion: .*use metadata "kraft"/],
    [{ metadata: "raft" }, /cluster\.metadata: must be "zookeeper" or "kraft" \(got "raft"; did you mean "kraft"\?\)/],
    [{ metadata: "kraft", controllers: 0 }, /cluster\.controllers: must be at least 1/],
    [{ metadata: "kraft", controllers: 6 }, /cluster\.controllers: must be at most 5/],
    [{ metadata: "kraft", kafkaVersion: "4.x" }, /cluster\.kafkaVersion: must be a release like/],
    [{ metadata: "kraft", combined: true, brokers: 3, controllers: 5 }, /cluster\.controllers: combined controllers run on brokers/],
  ])("rejects %j naming the field", (input, message) => {
    expect(() => parseClusterSpec(input)).toThrow(SpecError);
    expect(() => parseClusterSpec(input)).toThrow(message);
  });

  it("a test spec stores the version it will run", () => {
    expect(parseTestSpec({ cluster: { metadata: "kraft" } }).cluster.kafkaVersion).toBe("4.4.0");
    expect(parseTestSpec({}).cluster.kafkaVersion).toBe("3.9.1");
  });

  it("flags map to the cluster spec", () => {
    const s = parseTestSpec(specFromFlags({ metadata: "kraft", kafkaVersion: "4.1.0", controllers: "5", combined: true, brokers: "5" }));
    expect(s.cluster).toMatchObject({ metadata: "kraft", kafkaVersion: "4.1.0", controllers: 5, combined: true, brokers: 5 });
    expect(() => specFromFlags({ controllers: "three" })).toThrow(/--controllers must be a number \(got "three"\)/);
    expect(() => parseTestSpec(specFromFlags({ kafkaVersion: "4.4.0" }))).toThrow(/cluster\.kafkaVersion/);
  });
});
