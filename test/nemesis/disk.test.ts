// The disk family on fake nodes: corrupt-segment's choice of file, its corruption, and its refusals.
import { describe, expect, it } from "vitest";
import { createRecorder } from "../../harness/history/recorder.ts";
import { batchFieldAt, corrupt, segmentsOf, usedLength } from "../../harness/nemesis/faults/corrupt.ts";
import { clusterNemesis } from "../../harness/nemesis/nemesis.ts";
import { seededRng } from "../../harness/nemesis/rng.ts";
import { fakeCluster, fakeFiles, fakeProbe, part } from "./fakes.ts";

const DIR = "/data/kafka/t-0";
const seg = (base: number, ext: string) => `${DIR}/${String(base).padStart(20, "0")}.${ext}`;

function setup(withFiles = true) {
  const c = fakeCluster();
  const disks = c.brokers.map(() => fakeFiles());
  if (withFiles)
    c.brokers.forEach((b, i) => {
      const start = b.start;
      // A started broker logs its recovery, then its started line.
      b.start = async () => {
        await start();
        disks[i]!.logText +=
          `[Log partition=t-0, dir=/data/kafka] Found invalid messages in log segment ${seg(57, "log")}\n[KafkaServer id=${b.id}] started (kafka.server.KafkaServer)\n`;
      };
      Object.assign(b, { files: disks[i] });
    });
  const fp = fakeProbe({ partitions: [part("t", 0, 2, [1, 2, 3])], brokers: c.brokers });
  const recorder = createRecorder();
  const nemesis = clusterNemesis(c, { recorder, rng: seededRng(7), probe: fp.probe, watch: false, healOnShutdown: false });
  return { c, disks, nemesis, recorder };
}

const differingBits = (a: Buffer, b: Buffer) => {
  let n = 0;
  for (let i = 0; i < a.length; i++) for (let x = a[i]! ^ b[i]!; x; x >>= 1) n += x & 1;
  return n;
};

describe("corrupt-segment", () => {
  it("kills the leader, flips one bit of its active segment's records, starts it and records what and where", async () => {
    const { c, disks, nemesis } = setup();
    const old = Buffer.alloc(300, 7);
    const active = Buffer.alloc(200, 9);
    disks[1]!.files.set(seg(0, "log"), old);
    disks[1]!.files.set(seg(57, "log"), active);
    disks[1]!.files.set(`${DIR}/leader-epoch-checkpoint`, Buffer.from("0\n"));
    const r = await nemesis.invoke({ fault: "corrupt-segment", targets: { kind: "leader", of: "t-0" } });
    expect(r.type).toBe("ok");
    expect(c.brokers[1]!.calls).toEqual(["kill", "start"]);
    expect(disks[1]!.files.get(seg(0, "log"))).toEqual(old);
    const now = disks[1]!.files.get(seg(57, "log"))!;
    expect(differingBits(active, now)).toBe(1);
    const [what] = r.value.corrupted as { path: string; offset: number; before: string; after: string }[];
    expect(what).toMatchObject({ node: "kafka2", partition: "t-0", path: seg(57, "log"), size: 200, before: "09" });
    expect(now[what!.offset]).toBe(Number.parseInt(what!.after, 16));
    expect(r.value.effects).toEqual([
      expect.objectContaining({
        node: "kafka2",
        leader: 2,
        isr: [1, 2, 3],
        state: "running",
        logged: [expect.stringMatching(/Found invalid/)],
      }),
    ]);
    expect(r.undo).toBeUndefined();
  });

  it("truncates within an index's entries, not its preallocated zeros, and skips an empty active segment", async () => {
    const { disks, nemesis } = setup();
    const index = Buffer.alloc(10 * 1024 * 1024);
    index.fill(3, 0, 80); // ten 8-byte entries, the rest preallocated
    disks[0]!.files.set(seg(0, "log"), Buffer.alloc(100, 1));
    disks[0]!.files.set(seg(0, "index"), index);
    disks[0]!.files.set(seg(90, "log"), Buffer.alloc(0));
    disks[0]!.files.set(seg(90, "index"), Buffer.alloc(10 * 1024 * 1024));
    const r = await nemesis.invoke({
      fault: "corrupt-segment",
      targets: { kind: "nodes", names: ["kafka1"] },
      file: "index",
      mode: "truncate",
    });
    expect(r.type).toBe("ok");
    const [what] = r.value.corrupted as { path: string; offset: number; removed: number }[];
    expect(what!.path).toBe(seg(0, "index"));
    expect(what!.offset).toBeLessThan(80);
    expect(disks[0]!.files.get(seg(0, "index"))!.length).toBe(what!.offset);
  });

  it("is refused, touching nothing, where the harness cannot reach the files, on a busy node, and on ZooKeeper", async () => {
    const bare = setup(false);
    const r = await bare.nemesis.invoke({ fault: "corrupt-segment", targets: { kind: "nodes", names: ["kafka1"] } });
    expect(r).toMatchObject({ type: "fail", value: { reason: expect.stringMatching(/cannot reach kafka1's files/) } });
    expect(bare.c.brokers[0]!.calls).toEqual([]);

    const { c, nemesis } = setup();
    await nemesis.invoke({ fault: "pause", targets: { kind: "nodes", names: ["kafka3"] } });
    const busy = await nemesis.invoke({ fault: "corrupt-segment", targets: { kind: "nodes", names: ["kafka3"] } });
    expect(busy).toMatchObject({ type: "fail", value: { reason: "kafka3 is under pause" } });
    const zk = await nemesis.invoke({ fault: "corrupt-segment", targets: { kind: "nodes", names: ["zk1"] } });
    expect(zk).toMatchObject({ type: "fail", value: { reason: expect.stringMatching(/zk1 is a zookeeper/) } });
    expect(c.brokers[2]!.calls).toEqual(["pause"]);
  });

  it("a segment without data anywhere: the broker is started again and the fault is uncertain", async () => {
    const { c, disks, nemesis } = setup();
    disks[0]!.files.set(seg(0, "log"), Buffer.alloc(0));
    const r = await nemesis.invoke({ fault: "corrupt-segment", targets: { kind: "nodes", names: ["kafka1"] } });
    expect(r).toMatchObject({ type: "info", value: { reason: expect.stringMatching(/no segment of t-0 has data/) } });
    expect(c.brokers[0]!.status).toBe("running");
  });
});

describe("corruption plan", () => {
  it("segments oldest first by base offset; an index's used bytes end at its last non-zero entry", () => {
    expect(segmentsOf(["00000000000000000100.log", "00000000000000000000.log", "00000000000000000000.index", "x"])).toEqual([
      "00000000000000000000",
      "00000000000000000100",
    ]);
    const idx = Buffer.alloc(64);
    idx[9] = 1;
    expect(usedLength(idx, "index")).toBe(16);
    expect(usedLength(idx, "timeindex")).toBe(12);
    expect(usedLength(idx, "log")).toBe(64);
  });

  it("a bitflip changes exactly one bit of the used bytes; a truncate keeps a prefix", () => {
    for (let seed = 0; seed < 50; seed++) {
      const data = Buffer.alloc(40, 0xaa);
      const f = corrupt(data, 24, "bitflip", seededRng(seed));
      expect(differingBits(data, f.data)).toBe(1);
      expect(f.what.offset).toBeLessThan(24);
      const t = corrupt(data, 24, "truncate", seededRng(seed));
      expect(t.data.length).toBe(t.what.offset);
      expect(t.what.removed).toBe(40 - t.what.offset);
    }
    expect(() => corrupt(Buffer.alloc(8), 0, "bitflip", seededRng(1))).toThrow(/no data/);
  });
});

describe("batch fields", () => {
  it("names the field of a record batch a byte falls in, batch after batch", () => {
    const batch = (len: number) => {
      const b = Buffer.alloc(12 + len);
      b.writeInt32BE(len, 8);
      return b;
    };
    const log = Buffer.concat([batch(70), batch(100)]);
    expect([0, 8, 12, 16, 17, 21, 81].map((o) => batchFieldAt(log, o))).toEqual([
      "baseOffset",
      "batchLength",
      "partitionLeaderEpoch",
      "magic",
      "crc",
      "crc-covered",
      "crc-covered",
    ]);
    expect([82, 82 + 16, 82 + 30].map((o) => batchFieldAt(log, o))).toEqual(["baseOffset", "magic", "crc-covered"]);
  });
});
