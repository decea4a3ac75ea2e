import { describe, expect, it } from "vitest";
import { startCluster } from "../../harness/cluster/cluster.ts";
import { brokerConfig, zookeeperConfig } from "../../harness/cluster/node-config.ts";
import { parseClusterSpec } from "../../harness/spec/cluster.ts";
import { SpecError } from "../../harness/spec/errors.ts";

describe("cluster spec", () => {
  it("defaults to 3 ZooKeeper nodes and 3 brokers with short failure detection", () => {
    const s = parseClusterSpec({});
    expect(s).toMatchObject({ zookeepers: 3, brokers: 3, zkTickTimeMs: 500, zkSessionTimeoutMs: 6000, replicaLagTimeMaxMs: 5000 });
  });

  it.each([
    [{ brokers: 0 }, /cluster\.brokers: must be at least 1 \(got 0\)/],
    [{ zookeepers: 7 }, /cluster\.zookeepers: must be at most 5 \(got 7\)/],
    [{ brokers: 2.5 }, /cluster\.brokers: must be a whole number \(got 2\.5\)/],
    [{ brokers: "3" }, /cluster\.brokers: must be a number \(got "3"\)/],
    [{ brokerz: 3 }, /brokerz/],
    [{ zkTickTimeMs: 500, zkSessionTimeoutMs: 20_000 }, /cluster\.zkSessionTimeoutMs: must lie between 2 and 20 ticks/],
  ])("rejects %j naming the field", (input, message) => {
    expect(() => parseClusterSpec(input)).toThrow(SpecError);
    expect(() => parseClusterSpec(input)).toThrow(message);
  });

  it("startCluster rejects an invalid spec before touching Docker", async () => {
    // No engine is needed for this to fail: validation comes first.
    await expect(startCluster({ brokers: 0, zookeepers: 7 })).rejects.toThrow(
      /cluster\.zookeepers[\s\S]*cluster\.brokers|cluster\.brokers[\s\S]*cluster\.zookeepers/,
    );
  });
});

describe("node configuration", () => {
  const spec = parseClusterSpec({ brokers: 3, zookeepers: 3, brokerConfig: { "unclean.leader.election.enable": true } });

  it("lists every ZooKeeper peer in an ensemble and none in standalone mode", () => {
    expect(zookeeperConfig(spec)).toMatch(/server\.1=zk1:2888:3888\nserver\.2=zk2:2888:3888\nserver\.3=zk3:2888:3888/);
    expect(zookeeperConfig(parseClusterSpec({ zookeepers: 1 }))).not.toMatch(/server\./);
  });

  it("advertises the internal name between brokers and 127.0.0.1 to clients", () => {
    const c = brokerConfig(spec, 2, 41234);
    expect(c).toContain("broker.id=2");
    expect(c).toContain("advertised.listeners=INTERNAL://kafka2:9092,EXTERNAL://127.0.0.1:41234");
    expect(c).toContain("zookeeper.connect=zk1:2181,zk2:2181,zk3:2181");
    expect(c).toContain("zookeeper.session.timeout.ms=6000");
    expect(c).toContain("unclean.leader.election.enable=true");
  });
});
