// Where the replica-moving requests go: ZooKeeper mode's controller, asked again while the one
// ZooKeeper names is under a fault (its session has not expired yet), against a stand-in broker.
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { FaultableNode } from "../../harness/nemesis/capabilities.ts";
import { replicaAdmin } from "../../harness/nemesis/replica-admin.ts";
import { sizePrefixed } from "../../harness/protocol/framing.ts";
import { readRequest } from "../protocol/stand-in-request.ts";
import { fakeCluster, fakeProbe } from "./fakes.ts";

let server: Server | undefined;
afterEach(() => server?.close());

/** A broker answering every ElectLeaders with ELECTION_NOT_NEEDED for t-0; returns its port. */
async function standInBroker(): Promise<number> {
  server = createServer((socket) => {
    socket.on("data", (chunk) => {
      const { apiKey, r, w } = readRequest(chunk.subarray(4));
      expect(apiKey).toBe(43);
      r.tags();
      w.uvarint(0); // response header tags
      w.i32(0);
      w.i16(0);
      w.uvarint(2);
      w.uvarint(2);
      w.raw(Buffer.from("t"));
      w.uvarint(2);
      w.i32(0);
      w.i16(84);
      w.uvarint(0);
      w.uvarint(0);
      w.uvarint(0);
      w.uvarint(0);
      socket.write(sizePrefixed(w.bytes()));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return (server!.address() as { port: number }).port;
}

describe("replica admin (ZooKeeper mode)", () => {
  it("asks again while ZooKeeper still names a controller under a fault, then sends to the new one", async () => {
    const port = await standInBroker();
    const c = fakeCluster(2);
    const brokers: FaultableNode[] = [c.brokers[0]!, { ...c.brokers[1]!, externalPort: port }];
    const fp = fakeProbe({ partitions: [], controller: 1 });
    let asked = 0;
    fp.probe.controller = async () => (++asked < 3 ? 1 : 2); // kafka1's session expires, kafka2 takes over
    const admin = replicaAdmin({ zookeepers: c.zookeepers, brokers }, fp.probe, 5000);
    const out = await admin.electPreferred([{ topic: "t", partition: 0 }], new Set(["kafka1"]));
    expect(out).toEqual([{ topic: "t", partition: 0, errorCode: 84, message: null }]);
    expect(asked).toBe(3);
  });

  it("gives up after its wait, saying why", async () => {
    const c = fakeCluster(2);
    const fp = fakeProbe({ partitions: [], controller: 1 });
    const admin = replicaAdmin({ zookeepers: c.zookeepers, brokers: c.brokers }, fp.probe, 600);
    await expect(admin.electPreferred([{ topic: "t", partition: 0 }], new Set(["kafka1"]))).rejects.toThrow(
      /ElectLeaders: no broker took it within 600 ms \(the controller \(broker 1\) is under a fault/,
    );
  });
});
