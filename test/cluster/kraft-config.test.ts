import { describe, expect, it } from "vitest";
import { brokerConfig, controllerConfig, quorumVoters, votersProperty } from "../../harness/cluster/node-config.ts";
import { quorumNotReady } from "../../harness/cluster/readiness.ts";
import { parseClusterSpec } from "../../harness/spec/cluster.ts";

const props = (text: string) => Object.fromEntries(text.split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));

describe("KRaft node configuration", () => {
  const spec = parseClusterSpec({ metadata: "kraft", brokerSessionTimeoutMs: 6000 });

  it("dedicated controllers c1..c3 with ids above the brokers' form the static quorum", () => {
    expect(quorumVoters(spec)).toEqual([
      { id: 101, name: "c1" },
      { id: 102, name: "c2" },
      { id: 103, name: "c3" },
    ]);
    expect(votersProperty(spec)).toBe("101@c1:9093,102@c2:9093,103@c3:9093");
  });

  it("a controller has the controller role and only a CONTROLLER listener", () => {
    const c = props(controllerConfig(spec, { id: 102, name: "c2" }));
    expect(c).toMatchObject({
      "process.roles": "controller",
      "node.id": "102",
      "controller.quorum.voters": "101@c1:9093,102@c2:9093,103@c3:9093",
      "controller.listener.names": "CONTROLLER",
      listeners: "CONTROLLER://0.0.0.0:9093",
      "listener.security.protocol.map": "CONTROLLER:PLAINTEXT",
    });
    expect(c["advertised.listeners"]).toBeUndefined();
  });

  it("a broker has the broker role, no ZooKeeper, and fences after the session timeout", () => {
    const b = props(brokerConfig(spec, 2, 41234));
    expect(b).toMatchObject({
      "process.roles": "broker",
      "node.id": "2",
      "controller.quorum.voters": "101@c1:9093,102@c2:9093,103@c3:9093",
      "controller.listener.names": "CONTROLLER",
      listeners: "INTERNAL://0.0.0.0:9092,EXTERNAL://0.0.0.0:41234",
      "advertised.listeners": "INTERNAL://kafka2:9092,EXTERNAL://127.0.0.1:41234",
      "listener.security.protocol.map": "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT",
      "broker.session.timeout.ms": "6000",
      "broker.heartbeat.interval.ms": "2000",
    });
    expect(Object.keys(b).filter((k) => k.startsWith("zookeeper") || k === "broker.id")).toEqual([]);
  });

  it("combined: the first brokers also vote, with a CONTROLLER listener", () => {
    const c = parseClusterSpec({ metadata: "kraft", combined: true, controllers: 1 });
    expect(votersProperty(c)).toBe("1@kafka1:9093");
    expect(props(brokerConfig(c, 1, 40000))).toMatchObject({
      "process.roles": "broker,controller",
      listeners: "INTERNAL://0.0.0.0:9092,EXTERNAL://0.0.0.0:40000,CONTROLLER://0.0.0.0:9093",
    });
    expect(props(brokerConfig(c, 2, 40001))).toMatchObject({
      "process.roles": "broker",
      listeners: "INTERNAL://0.0.0.0:9092,EXTERNAL://0.0.0.0:40001",
    });
  });

  it("every node's requests to the controller time out like the sessions, not after Kafka's 30 s", () => {
    const zk = parseClusterSpec({});
    const rendered = [
      brokerConfig(zk, 1, 40000),
      brokerConfig(spec, 1, 40000),
      controllerConfig(spec, quorumVoters(spec)[0]!),
      brokerConfig(parseClusterSpec({ metadata: "kraft", combined: true }), 1, 40000),
    ];
    for (const text of rendered) expect(props(text)["controller.socket.timeout.ms"]).toBe("6000");
    const set = parseClusterSpec({ controllerSocketTimeoutMs: 30_000 });
    expect(props(brokerConfig(set, 2, 40001))["controller.socket.timeout.ms"]).toBe("30000");
    // brokerConfig still has the last word
    const over = parseClusterSpec({ brokerConfig: { "controller.socket.timeout.ms": 9000 } });
    expect(props(brokerConfig(over, 2, 40001))["controller.socket.timeout.ms"]).toBe("9000");
  });

  it("ZooKeeper mode is unchanged: broker.id and zookeeper.connect, no KRaft roles", () => {
    const b = props(brokerConfig(parseClusterSpec({}), 1, 40000));
    expect(b).toMatchObject({ "broker.id": "1", "zookeeper.connect": "zk1:2181,zk2:2181,zk3:2181" });
    expect(b["process.roles"]).toBeUndefined();
  });
});

describe("quorum readiness", () => {
  const voter = (id: number, leo = 10, caught = 1) => ({ id, logEndOffset: leo, lastCaughtUpTimestamp: caught });
  const q = {
    leaderId: 101,
    leaderEpoch: 2,
    highWatermark: 10,
    voters: [voter(101), voter(102), voter(103)],
    observers: [voter(1), voter(2)],
  };

  it("ready: a leader, every voter caught up once, every broker fetching", () => {
    expect(quorumNotReady(q, [101, 102, 103], [1, 2])).toBeUndefined();
  });

  it("says what is missing", () => {
    expect(quorumNotReady({ ...q, leaderId: -1 }, [101, 102, 103], [1, 2])).toMatch(/no quorum leader/);
    expect(quorumNotReady({ ...q, voters: [voter(101), voter(102), voter(103, -1, -1)] }, [101, 102, 103], [1, 2])).toMatch(
      /voters 103 not caught up/,
    );
    expect(quorumNotReady(q, [101, 102, 103], [1, 2, 3])).toMatch(/brokers 3 not fetching/);
    expect(quorumNotReady(q, [101, 102, 104], [1])).toMatch(/voters 104 not in the quorum/);
  });
});
