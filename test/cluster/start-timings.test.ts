import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { START_PHASES, serverStartLine, startBreakdown } from "../../harness/cluster/start-timings.ts";

describe("startBreakdown", () => {
  it("splits a sequential start (ZooKeeper first, then brokers) into its phases", () => {
    const b = startBreakdown({ begin: 0, ensemble: 5000, registered: 12_000, topicCreated: 13_000, ready: 14_000 }, [
      { name: "zk1", running: 1000, jvmUp: 4000 },
      { name: "kafka1", running: 6000, jvmUp: 10_000 },
    ]);
    expect(b).toEqual({
      "container start": 1 + 1, // 0→1 s, then ensemble 5 s → broker running 6 s
      "JVM start": 3 + 4,
      "ensemble/quorum": 1,
      "broker registration": 2,
      "topic ready": 2,
      total: 14,
    });
  });

  it("gives a parallel start's overlapping nodes to the phase that ends each gap", () => {
    const b = startBreakdown({ begin: 0, ensemble: 3500, registered: 5000, ready: 6000 }, [
      { name: "zk1", running: 800, jvmUp: 3000 },
      { name: "kafka1", running: 1000, jvmUp: 4000 },
    ]);
    expect(b).toEqual({
      "container start": 1,
      "JVM start": 2.5,
      "ensemble/quorum": 0.5,
      "broker registration": 1,
      "topic ready": 1,
      total: 6,
    });
  });

  it("clamps engine times outside [begin, ready], and a node without its up line counts no JVM start", () => {
    const b = startBreakdown({ begin: 1000, ready: 3000 }, [{ name: "c1", running: 500 }]);
    expect(b).toEqual({ "container start": 0, "JVM start": 0, "ensemble/quorum": 0, "broker registration": 0, "topic ready": 2, total: 2 });
  });

  it("phases always sum to the total (to rounding)", () => {
    const t = fc.integer({ min: 0, max: 60_000 });
    fc.assert(
      fc.property(
        fc.record({ ensemble: fc.option(t, { nil: undefined }), registered: fc.option(t, { nil: undefined }), ready: t }),
        fc.array(fc.record({ name: fc.constant("n"), running: t, jvmUp: fc.option(t, { nil: undefined }) }), { maxLength: 8 }),
        (m, nodes) => {
          const b = startBreakdown({ begin: 0, ...m }, nodes);
          const sum = START_PHASES.reduce((s, p) => s + b[p], 0);
          expect(Math.abs(sum - b.total)).toBeLessThanOrEqual(0.3);
          for (const p of START_PHASES) expect(b[p]).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});

describe("serverStartLine", () => {
  // Lines from real node logs (3.9.1 ZooKeeper mode, 4.4.0 KRaft).
  const lines = {
    zk: "[2026-12-07 04:28:47,035] INFO binding to port 0.0.0.0/0.0.0.0:2181 (org.apache.zookeeper.server.NIOServerCnxnFactory)",
    zkBroker: "[2026-12-07 04:28:51,659] INFO starting (kafka.server.KafkaServer)",
    zkBrokerLater:
      "[2026-12-07 04:28:58,667] INFO [ThrottledChannelReaper-Fetch]: Starting (kafka.server.ClientQuotaManager$ThrottledChannelReaper)",
    controller: "[2026-12-07 04:27:13,568] INFO [ControllerServer id=101] Starting controller (kafka.server.ControllerServer)",
    kraftBroker: "[2026-12-07 04:27:14,788] INFO [BrokerServer id=1] Transition from SHUTDOWN to STARTING (kafka.server.BrokerServer)",
  };

  it("finds each role's first server line, and no later one", () => {
    expect(serverStartLine("zookeeper", false).test(lines.zk)).toBe(true);
    expect(serverStartLine("broker", false).test(lines.zkBroker)).toBe(true);
    expect(serverStartLine("broker", false).test(lines.zkBrokerLater)).toBe(false);
    expect(serverStartLine("controller", true).test(lines.controller)).toBe(true);
    expect(serverStartLine("broker", true).test(lines.kraftBroker)).toBe(true);
    expect(serverStartLine("broker", true).test(lines.zkBroker)).toBe(false);
  });

  it("combined KRaft: a voting broker's JVM is up at its controller's first line, which comes first", () => {
    const combinedVoter = "[2026-12-07 07:40:02,101] INFO [ControllerServer id=1] Starting controller (kafka.server.ControllerServer)";
    expect(serverStartLine("broker", true, true).test(combinedVoter)).toBe(true);
    expect(serverStartLine("broker", true, true).test(lines.kraftBroker)).toBe(true);
    expect(serverStartLine("broker", true).test(combinedVoter)).toBe(false);
  });
});
