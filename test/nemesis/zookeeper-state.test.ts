// Leader and ISR from ZooKeeper's partition state nodes: the wire format (jute) the probe speaks
// through a ZooKeeper container's bash, and the failover / recovery watches preferring that truth
// over brokers' stale metadata caches, with metadata as fallback. No Docker.
import { describe, expect, it } from "vitest";
import { createRecorder } from "../../harness/history/recorder.ts";
import { isrShrunk, sourceOf, watchFailover, watchRecovery, withZooKeeperStates } from "../../harness/nemesis/failover-watch.ts";
import {
  type ClusterProbe,
  decodeZkGetData,
  encodeZkGetData,
  type PartitionState,
  parsePartitionState,
  partitionStatePath,
  zkGetDataCommand,
} from "../../harness/nemesis/probe.ts";
import { fakeProbe, part } from "./fakes.ts";

const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const i64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
};
const frame = (...parts: Buffer[]) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([i32(body.length), body]);
};
const connectResponse = (timeoutMs = 6000) =>
  frame(i32(0), i32(timeoutMs), i64(0x100000abc), i32(16), Buffer.alloc(16, 7), Buffer.from([0]));
const stat = () => Buffer.concat([i64(1), i64(2), i64(3), i64(4), i32(5), i32(0), i32(0), i64(0), i32(70), i32(0), i64(2)]);
const dataReply = (xid: number, data: string) => {
  const d = Buffer.from(data, "utf8");
  return frame(i32(xid), i64(42), i32(0), i32(d.length), d, stat());
};
const errorReply = (xid: number, err: number) => frame(i32(xid), i64(42), i32(err));

describe("ZooKeeper partition states: wire format", () => {
  it("encodes connect, one getData per path (xid 1..n, no watch), then closeSession", () => {
    const paths = [partitionStatePath("t", 0), partitionStatePath("my-topic", 12)];
    expect(paths).toEqual(["/brokers/topics/t/partitions/0/state", "/brokers/topics/my-topic/partitions/12/state"]);
    const buf = encodeZkGetData(paths, 4000);
    const frames: Buffer[] = [];
    for (let o = 0; o < buf.length; ) {
      const n = buf.readInt32BE(o);
      frames.push(buf.subarray(o + 4, o + 4 + n));
      o += 4 + n;
    }
    expect(frames).toHaveLength(4);
    const [connect, get1, get2, close] = frames;
    // protocolVersion, lastZxidSeen, timeOut, sessionId, passwd (len 16), readOnly
    expect(connect!.length).toBe(4 + 8 + 4 + 8 + 4 + 16 + 1);
    expect(connect!.readInt32BE(12)).toBe(4000);
    expect(connect!.readInt32BE(24)).toBe(16);
    expect([get1!.readInt32BE(0), get1!.readInt32BE(4)]).toEqual([1, 4]);
    expect(get1!.toString("utf8", 12, 12 + get1!.readInt32BE(8))).toBe(paths[0]);
    expect(get1!.at(-1)).toBe(0); // no watch
    expect([get2!.readInt32BE(0), get2!.readInt32BE(4)]).toEqual([2, 4]);
    expect([close!.readInt32BE(0), close!.readInt32BE(4), close!.length]).toEqual([3, -11, 8]);
  });

  it("decodes each path's data in request order, null for a missing node, whatever order frames arrive in", () => {
    const paths = ["/a", "/b", "/c"];
    const reply = Buffer.concat([
      connectResponse(),
      dataReply(2, '{"leader":3}'),
      dataReply(1, '{"controller_epoch":1,"leader":2,"version":1,"leader_epoch":3,"isr":[3,2]}'),
      errorReply(3, -101),
      errorReply(4, 0), // closeSession
    ]);
    expect(decodeZkGetData(reply, paths)).toEqual([
      '{"controller_epoch":1,"leader":2,"version":1,"leader_epoch":3,"isr":[3,2]}',
      '{"leader":3}',
      null,
    ]);
  });

  it("fails when the server refused the session, a reply is missing, or ZooKeeper returned an error", () => {
    expect(() => decodeZkGetData(Buffer.alloc(0), ["/a"])).toThrow(/no session/);
    expect(() => decodeZkGetData(connectResponse(0), ["/a"])).toThrow(/session refused/);
    expect(() => decodeZkGetData(Buffer.concat([connectResponse(), dataReply(1, "{}")]), ["/a", "/b"])).toThrow(/no reply for \/b/);
    expect(() => decodeZkGetData(Buffer.concat([connectResponse(), errorReply(1, -4)]), ["/a"])).toThrow(/error -4/);
    // a reply cut short by the timeout is missing, not garbage
    const whole = Buffer.concat([connectResponse(), dataReply(1, '{"leader":1}')]);
    expect(() => decodeZkGetData(whole.subarray(0, whole.length - 3), ["/a"])).toThrow(/no reply/);
  });

  it("parses a state node: ISR sorted, epochs kept", () => {
    expect(parsePartitionState('{"controller_epoch":4,"leader":2,"version":1,"leader_epoch":7,"isr":[3,2]}')).toEqual({
      leader: 2,
      isr: [2, 3],
      leaderEpoch: 7,
      controllerEpoch: 4,
    });
    expect(parsePartitionState('{"leader":-1,"isr":[1]}')).toEqual({ leader: -1, isr: [1], leaderEpoch: -1, controllerEpoch: -1 });
    expect(() => parsePartitionState('{"isr":[1]}')).toThrow(/not a partition state/);
  });

  it("the command runs in the container against its own server, and prints the replies in base64 between markers", () => {
    const req = encodeZkGetData(["/a"]);
    const cmd = zkGetDataCommand(req, 3);
    expect(cmd.slice(0, 4)).toEqual(["timeout", "3", "bash", "-c"]);
    expect(cmd[4]).toContain("/dev/tcp/127.0.0.1/2181");
    expect(cmd[4]).toContain(req.toString("base64"));
    expect(cmd[4]).toMatch(/printf 'ZK<'; base64 -w0 <&3; printf '>ZK'/);
  });
});

describe("watches read leader and ISR from ZooKeeper when they can", () => {
  const before = [part("t", 0, 2, [1, 2, 3]), part("t", 1, 3, [1, 2, 3])];
  const st = (leader: number, isr: number[]): PartitionState => ({ leader, isr, leaderEpoch: 1, controllerEpoch: 1 });

  it("overlays ZooKeeper's leader and ISR on the metadata's partitions, only when it has them all", () => {
    const states = new Map([
      ["t-0", st(3, [1, 3])],
      ["t-1", st(3, [1, 2, 3])],
    ]);
    expect(withZooKeeperStates(before, states)).toEqual([part("t", 0, 3, [1, 2, 3], [1, 3]), part("t", 1, 3, [1, 2, 3])]);
    expect(
      withZooKeeperStates(
        before,
        new Map([
          ["t-0", st(3, [3])],
          ["t-1", null],
        ]),
      ),
    ).toBeUndefined();
    expect(withZooKeeperStates(before, new Map([["t-0", st(3, [3])]]))).toBeUndefined();
  });

  it("the ISR shrank when the hit brokers left it, even if a replica back from an earlier fault joined it meanwhile", () => {
    const hit = new Set([2]);
    const still = part("t", 1, 3, [1, 2, 3], [1, 2]); // kafka1 back in sync... and kafka2 not yet dropped
    const catchingUp = part("t", 1, 3, [1, 2, 3], [2, 3]); // before: kafka1 still catching up
    expect(isrShrunk([catchingUp], [part("t", 1, 3, [1, 2, 3], [1, 3])], hit)).toBe(true); // same size, 2 gone
    expect(isrShrunk([catchingUp], [part("t", 1, 3, [1, 2, 3], [1, 3])])).toBe(false); // the old test missed it
    expect(isrShrunk([catchingUp], [still], hit)).toBe(false);
    // a partition whose ISR held no hit broker has nothing to notice; a missing partition is not seen
    expect(isrShrunk([part("t", 2, 1, [1, 2, 3], [1, 3])], [part("t", 2, 1, [1, 2, 3], [1, 3])], hit)).toBe(true);
    expect(isrShrunk([catchingUp], [], hit)).toBe(false);
  });

  it("names the source of the measurements", () => {
    expect(sourceOf([])).toBeNull();
    expect(sourceOf(["zookeeper", "zookeeper"])).toBe("zookeeper");
    expect(sourceOf(["metadata"])).toBe("metadata");
    expect(sourceOf(["zookeeper", "metadata"])).toBe("mixed");
  });

  /** Brokers' metadata that never changes (stale caches), and ZooKeeper states settable by the test. */
  function staleMetadataProbe(zk: { states?: Map<string, PartitionState | null>; fails?: boolean }) {
    const fp = fakeProbe({ partitions: before });
    const asked: { keys: string[]; avoid: string[] }[] = [];
    const probe: ClusterProbe = {
      ...fp.probe,
      async partitionStates(ps, avoid = new Set()) {
        asked.push({ keys: ps.map((p) => `${p.topic}-${p.partition}`), avoid: [...avoid] });
        if (zk.fails || !zk.states) throw new Error("no ZooKeeper node gave partition states");
        return new Map(ps.map((p) => [`${p.topic}-${p.partition}`, zk.states!.get(`${p.topic}-${p.partition}`) ?? null]));
      },
    };
    return { probe, asked, fp };
  }

  it("failover: the ISR shrinks in ZooKeeper while every broker's metadata still shows it whole", async () => {
    const zk = {
      states: new Map([
        ["t-0", st(2, [1, 2, 3])],
        ["t-1", st(3, [1, 2, 3])],
      ]),
    };
    const { probe, asked } = staleMetadataProbe(zk);
    const recorder = createRecorder();
    setTimeout(
      () =>
        (zk.states = new Map([
          ["t-0", st(3, [1, 3])],
          ["t-1", st(3, [1, 3])],
        ])),
      30,
    );
    await watchFailover({
      recorder,
      probe,
      fault: 7,
      t0: performance.now(),
      before,
      hitBrokers: new Set([2]),
      hitNames: new Set(["kafka2"]),
      options: { pollMs: 5, timeoutMs: 2000 },
      signal: new AbortController().signal,
    });
    const op = recorder.ops.find((o) => o.f === "failover")!;
    expect(op.value).toMatchObject({
      fault: 7,
      partitions: ["t-0", "t-1"],
      leaderless: ["t-0"],
      leaders: { "t-0": 3, "t-1": 3 },
      ended: "settled",
      from: "zookeeper",
    });
    const v = op.value as { leaderAfterMs: number; isrShrunkAfterMs: number };
    expect(v.isrShrunkAfterMs).toBeGreaterThanOrEqual(20);
    expect(v.leaderAfterMs).toBe(v.isrShrunkAfterMs);
    expect(asked[0]).toEqual({ keys: ["t-0", "t-1"], avoid: ["kafka2"] });
  });

  it("failover: with no ZooKeeper answer it falls back to the brokers' metadata (which, stale, never shows the shrink)", async () => {
    const { probe, asked } = staleMetadataProbe({ fails: true });
    const recorder = createRecorder();
    await watchFailover({
      recorder,
      probe,
      fault: 7,
      t0: performance.now(),
      before,
      hitBrokers: new Set([2]),
      hitNames: new Set(["kafka2"]),
      options: { pollMs: 5, timeoutMs: 60 },
      signal: new AbortController().signal,
    });
    expect(asked.length).toBeGreaterThan(1);
    expect(recorder.ops.find((o) => o.f === "failover")!.value).toMatchObject({
      leaderAfterMs: null,
      isrShrunkAfterMs: null,
      ended: "timeout",
      from: null,
    });
  });

  it("failover: metadata fallback still measures when the brokers' views do change", async () => {
    const { probe, fp } = staleMetadataProbe({ fails: true });
    const recorder = createRecorder();
    setTimeout(() => (fp.s.partitions = [part("t", 0, 3, [1, 2, 3], [1, 3]), part("t", 1, 3, [1, 2, 3], [1, 3])]), 30);
    await watchFailover({
      recorder,
      probe,
      fault: 7,
      t0: performance.now(),
      before,
      hitBrokers: new Set([2]),
      hitNames: new Set(["kafka2"]),
      options: { pollMs: 5, timeoutMs: 2000 },
      signal: new AbortController().signal,
    });
    const v = recorder.ops.find((o) => o.f === "failover")!.value as { isrShrunkAfterMs: number; from: string; ended: string };
    expect(v).toMatchObject({ ended: "settled", from: "metadata" });
    expect(v.isrShrunkAfterMs).toBeGreaterThanOrEqual(20);
  });

  it("recovery: asks ZooKeeper about the partitions the brokers list, and ends when ZooKeeper's ISR is whole", async () => {
    const zk = {
      states: new Map([
        ["t-0", st(3, [1, 3])],
        ["t-1", st(3, [1, 3])],
      ]),
    };
    const { probe, asked, fp } = staleMetadataProbe(zk);
    fp.s.partitions = [part("t", 0, 3, [1, 2, 3], [1, 3]), part("t", 1, 3, [1, 2, 3], [1, 3])]; // stays shrunk in metadata
    const recorder = createRecorder();
    setTimeout(
      () =>
        (zk.states = new Map([
          ["t-0", st(3, [1, 2, 3])],
          ["t-1", st(3, [1, 2, 3])],
        ])),
      30,
    );
    await watchRecovery({
      recorder,
      probe,
      fault: 9,
      t0: performance.now(),
      options: { pollMs: 5, timeoutMs: 2000 },
      signal: new AbortController().signal,
    });
    const v = recorder.ops.find((o) => o.f === "recovery")!.value as { isrWholeAfterMs: number; leaderAfterMs: number };
    expect(v).toMatchObject({ fault: 9, partitions: ["t-0", "t-1"], ended: "settled", from: "zookeeper" });
    // Led from the first poll (its time is the machine's: 0 ms idle, a few under load), whole only
    // once ZooKeeper's ISR grew back, 30 ms in.
    expect(v.leaderAfterMs).toBeLessThanOrEqual(v.isrWholeAfterMs);
    expect(v.isrWholeAfterMs).toBeGreaterThanOrEqual(20);
    expect(asked[0]!.keys).toEqual(["t-0", "t-1"]);
  });

  it("a probe without partition states (KRaft, fakes) keeps the metadata measurements as before", async () => {
    const fp = fakeProbe({ partitions: before });
    const recorder = createRecorder();
    await watchRecovery({
      recorder,
      probe: fp.probe,
      fault: 1,
      t0: performance.now(),
      options: { pollMs: 5, timeoutMs: 500 },
      signal: new AbortController().signal,
    });
    expect(recorder.ops[0]!.value).toMatchObject({ leaderAfterMs: 0, isrWholeAfterMs: 0, ended: "settled", from: "metadata" });
  });
});
