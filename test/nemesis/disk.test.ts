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
  return { c, disks, nemesis, recorder, fp };
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

  it("the target may be the only broker up (the only in-sync replica): its own metadata says what it holds", async () => {
    const { c, disks, nemesis, fp } = setup();
    // Brokers answer metadata only while they run.
    const real = fp.probe.metadata;
    fp.probe.metadata = async (o = {}) => {
      if (c.brokers.every((b) => b.status !== "running" || o.avoid?.has(b.name))) throw new Error("no broker answered");
      return real(o);
    };
    disks[0]!.files.set(seg(0, "log"), Buffer.alloc(100, 1));
    await nemesis.invoke({ fault: "kill", targets: { kind: "nodes", names: ["kafka2", "kafka3"] } });
    const r = await nemesis.invoke({ fault: "corrupt-segment", targets: { kind: "nodes", names: ["kafka1"] }, mode: "truncate" });
    expect(r).toMatchObject({ type: "ok", value: { corrupted: [expect.objectContaining({ node: "kafka1", path: seg(0, "log") })] } });
  });

  it("starts the corrupted broker only once ZooKeeper has dropped its old session (else it dies registering)", async () => {
    const { c, disks, nemesis, fp } = setup();
    disks[0]!.files.set(seg(0, "log"), Buffer.alloc(100, 1));
    const real = fp.probe.registered;
    let until = Number.POSITIVE_INFINITY;
    const kill = c.brokers[0]!.kill;
    c.brokers[0]!.kill = async () => {
      await kill();
      until = performance.now() + 300; // the old session lingers 300 ms after the kill
    };
    let startedWhileRegistered = false;
    const start = c.brokers[0]!.start;
    c.brokers[0]!.start = async () => {
      startedWhileRegistered = performance.now() < until;
      await start();
    };
    fp.probe.registered = async () => (performance.now() < until ? new Map([[1, "0xold"]]) : real());
    const r = await nemesis.invoke({ fault: "corrupt-segment", targets: { kind: "nodes", names: ["kafka1"] } });
    expect(r.type).toBe("ok");
    expect(startedWhileRegistered).toBe(false);
    expect((r.value.effects as { waitedForSessionMs: number }[])[0]!.waitedForSessionMs).toBeGreaterThanOrEqual(250);
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

describe("disk-full and log-dir-failure", () => {
  function layered() {
    const c = fakeCluster();
    const disks = c.brokers.map(() => fakeFiles("/data/kafka-store", "/data/faultfs"));
    c.brokers.forEach((b, i) => {
      const disk = disks[i]!;
      const write = disk.write;
      // Kafka on a failed or full disk: its next write fails, the log dir goes offline, and with
      // no log dir left the broker halts (the container exits).
      disk.write = async (path, data) => {
        await write(path, data);
        if (path.endsWith("/state") && data.toString().trim() !== "ok") {
          disk.logText += `ERROR Error while appending records to t-0 in dir /data/kafka\nWARN Stopping serving logs in dir /data/kafka\nERROR Shutdown broker because all log dirs in /data/kafka have failed\n`;
          b.status = "exited";
        }
      };
      Object.assign(b, { files: disk });
    });
    const fp = fakeProbe({ partitions: [part("t", 0, 2, [1, 2, 3])], brokers: c.brokers });
    const recorder = createRecorder();
    const nemesis = clusterNemesis(c, {
      recorder,
      rng: seededRng(7),
      probe: fp.probe,
      watch: false,
      healOnShutdown: false,
      sessionWaitMs: 1000,
    });
    return { c, disks, nemesis };
  }

  it("log-dir-failure sets the layer failing and records the broker's halt; repair-disk clears it and starts the broker", async () => {
    const { c, disks, nemesis } = layered();
    const r = await nemesis.invoke({ fault: "log-dir-failure", targets: { kind: "leader", of: "t-0" } });
    expect(r.type).toBe("ok");
    expect(disks[1]!.files.get("/data/faultfs/state")!.toString()).toBe("failed\n");
    expect(r.value.effects).toEqual([
      expect.objectContaining({
        node: "kafka2",
        offlineAfterMs: expect.any(Number),
        haltedAfterMs: expect.any(Number),
        state: "exited",
        logged: expect.arrayContaining([expect.stringMatching(/all log dirs/)]),
      }),
    ]);
    expect(r.undo).toEqual({ fault: "repair-disk", targets: { kind: "nodes", names: ["kafka2"] } });
    // A node under a disk fault is busy for every other fault.
    const k = await nemesis.invoke({ fault: "kill", targets: { kind: "nodes", names: ["kafka2"] } });
    expect(k).toMatchObject({ type: "fail", value: { reason: "kafka2 is under log-dir-failure" } });
    const u = await nemesis.invoke(r.undo!);
    expect(u).toMatchObject({ type: "ok", value: { restarted: ["kafka2"] } });
    expect(disks[1]!.files.get("/data/faultfs/state")!.toString()).toBe("ok\n");
    expect(c.brokers[1]!.status).toBe("running");
  });

  it("disk-full's undo is free-disk; heal-all asks every broker's control file and clears what it finds", async () => {
    const { c, disks, nemesis } = layered();
    const r = await nemesis.invoke({ fault: "disk-full", targets: { kind: "nodes", names: ["kafka1"] } });
    expect(r).toMatchObject({ type: "ok", undo: { fault: "free-disk" } });
    expect(disks[0]!.files.get("/data/faultfs/state")!.toString()).toBe("full\n");
    // A layer left failing behind the nemesis's back (a run that died): heal-all finds it too.
    disks[2]!.files.set("/data/faultfs/state", Buffer.from("failed\n"));
    const h = await nemesis.healAll();
    expect(h.value.healed).toEqual({ disk: ["kafka1", "kafka3"] });
    for (const d of disks) expect(d.files.get("/data/faultfs/state")?.toString() ?? "ok\n").toBe("ok\n");
    expect(c.brokers.map((b) => b.status)).toEqual(["running", "running", "running"]);
  });

  it("is refused on a broker started without the layer, and on ZooKeeper", async () => {
    const { nemesis } = setup();
    const r = await nemesis.invoke({ fault: "disk-full", targets: { kind: "nodes", names: ["kafka1"] } });
    expect(r).toMatchObject({ type: "fail", value: { reason: expect.stringMatching(/started without the fault-injecting filesystem/) } });
    const z = await nemesis.invoke({ fault: "log-dir-failure", targets: { kind: "nodes", names: ["zk2"] } });
    expect(z).toMatchObject({ type: "fail", value: { reason: expect.stringMatching(/zk2 is a zookeeper/) } });
  });
});
