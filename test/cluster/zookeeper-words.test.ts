import { describe, expect, it } from "vitest";
import { controllerOf, parseDump, parseSrvrMode, registeredBrokers } from "../../harness/cluster/zookeeper-words.ts";

// Captured from a ZooKeeper 3.8 follower of a harness cluster (`echo dump | nc zk1 2181`).
const DUMP = `SessionTracker dump:
Global Sessions(3):
0x2000009d3240000	6000ms
0x2000009d3240001	6000ms
0x3000009d3720000	6000ms
ephemeral nodes dump:
Sessions with Ephemerals (3):
0x3000009d3720000:
	/brokers/ids/2
0x2000009d3240001:
	/brokers/ids/1
0x2000009d3240000:
	/controller
	/brokers/ids/3
Connections dump:
Connections Sets (1)/(1):
1 expire at Wed Nov 25 13:14:53 GMT 2026:
	ip: /127.0.0.1:57134 sessionId: 0x0
`;

describe("ZooKeeper four-letter words", () => {
  it("reads sessions and their ephemerals from dump", () => {
    expect(parseDump(DUMP).sessions).toEqual({
      "0x3000009d3720000": ["/brokers/ids/2"],
      "0x2000009d3240001": ["/brokers/ids/1"],
      "0x2000009d3240000": ["/controller", "/brokers/ids/3"],
    });
  });

  it("finds registered brokers and the controller through the session that owns /controller", () => {
    const d = parseDump(DUMP);
    expect([...registeredBrokers(d)].sort()).toEqual([
      [1, "0x2000009d3240001"],
      [2, "0x3000009d3720000"],
      [3, "0x2000009d3240000"],
    ]);
    expect(controllerOf(d)).toBe(3);
  });

  it("says there is no controller when no session owns /controller", () => {
    expect(controllerOf(parseDump("Sessions with Ephemerals (1):\n0x1:\n\t/brokers/ids/1\n"))).toBeUndefined();
  });

  it("rejects output without an ephemerals section (a node that does not serve)", () => {
    expect(() => parseDump("This ZooKeeper instance is not currently serving requests\n")).toThrow(/no ephemerals/);
  });

  it("reads the mode from srvr", () => {
    expect(parseSrvrMode("Zookeeper version: 3.8.4\nLatency min/avg/max: 0/0.5/3\nMode: leader\nNode count: 40\n")).toBe("leader");
    expect(parseSrvrMode("This ZooKeeper instance is not currently serving requests")).toBeUndefined();
  });
});
