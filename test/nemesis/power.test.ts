// The power family on fake nodes: the cut's order (every layer reverts, then every broker dies), what
// it records of the layer's report and of the ISR, its undo, and its refusals; the report's parse.
import { describe, expect, it } from "vitest";
import { createRecorder } from "../../harness/history/recorder.ts";
import { parseCut, wholeIsrCut } from "../../harness/nemesis/faults/power.ts";
import { clusterNemesis } from "../../harness/nemesis/nemesis.ts";
import { seededRng } from "../../harness/nemesis/rng.ts";
import { fakeCluster, fakeFiles, fakeProbe, part } from "./fakes.ts";

const CONTROL = "/data/faultfs";

/** The layer's record of a cut: t-0's segment lost two batches (5 records), an index page restored. */
const cutJson = (records = 5) =>
  JSON.stringify({
    files: [
      {
        path: "t-0/00000000000000000000.log",
        durableSize: 161,
        size: 483,
        droppedBytes: 322,
        restoredBytes: 0,
        batches: { count: 2, records, firstOffset: 3, lastOffset: 7, unparsedBytes: 0 },
      },
      { path: "t-0/00000000000000000000.index", durableSize: 8192, size: 8192, droppedBytes: 0, restoredBytes: 4096 },
    ],
    names: [{ undo: "remove", path: "t-0/leader-epoch-checkpoint.tmp" }],
    writebackMs: 0,
    tookMs: 1.5,
  });

function setup(o: { layer?: boolean; isr?: number[]; elr?: number[] } = {}) {
  const c = fakeCluster();
  const order: string[] = [];
  const disks = c.brokers.map((b) => {
    const f = fakeFiles("/data/kafka-store", o.layer === false ? undefined : CONTROL);
    const write = f.write;
    f.write = async (path: string, data: Buffer) => {
      await write(path, data);
      if (path === `${CONTROL}/state` && data.toString() === "cut\n") {
        order.push(`cut ${b.name}`);
        f.files.set(`${CONTROL}/cut.json`, Buffer.from(cutJson()));
      }
    };
    const kill = b.kill;
    b.kill = async () => {
      order.push(`kill ${b.name}`);
      await kill();
    };
    Object.assign(b, { files: f });
    return f;
  });
  const fp = fakeProbe({ partitions: [part("t", 0, 1, o.isr ?? [1, 2, 3])], brokers: c.brokers });
  // KRaft: the probe describes eligible leader replicas (ZooKeeper mode's has no such method).
  const elr = o.elr;
  if (elr)
    fp.probe.eligibleLeaders = async () =>
      new Map([["t-0", { topic: "t", partition: 0, leader: 1, isr: o.isr ?? [1, 2, 3], elr, lastKnownElr: [] }]]);
  const nemesis = clusterNemesis(c, {
    recorder: createRecorder(),
    rng: seededRng(3),
    probe: fp.probe,
    watch: false,
    healOnShutdown: false,
    workload: { partitions: ["t-0"], replicationFactor: 3 },
  });
  return { c, disks, nemesis, order };
}

describe("power-loss", () => {
  it("reverts every target's layer before any of them dies, records what each lost and the ISR it took, and leaves them down for power-on", async () => {
    const { c, disks, nemesis, order } = setup();
    const r = await nemesis.invoke({ fault: "power-loss", targets: { kind: "all-brokers" } });
    expect(r.type).toBe("ok");
    expect(order.slice(0, 3).every((x) => x.startsWith("cut "))).toBe(true);
    expect(order.slice(3).every((x) => x.startsWith("kill "))).toBe(true);
    expect(r.value.lost).toMatchObject({
      kafka1: {
        droppedBytes: 322,
        segmentBytes: 322,
        restoredBytes: 4096,
        files: 2,
        namesUndone: 1,
        partitions: { "t-0": { records: 5, batches: 2 } },
      },
    });
    expect(r.value.isrAtCut).toEqual({ "t-0": [1, 2, 3] });
    expect(r.value.wholeIsrCut).toEqual(["t-0"]);
    // The layers read "ok" when their brokers start: a fresh mount has nothing unsynced.
    for (const d of disks) expect(d.files.get(`${CONTROL}/state`)!.toString()).toBe("ok\n");
    expect(r.undo).toEqual({ fault: "power-on", targets: { kind: "nodes", names: ["kafka1", "kafka2", "kafka3"] } });
    const u = await nemesis.invoke(r.undo!);
    expect(u.type).toBe("ok");
    for (const b of c.brokers) expect(b.calls).toEqual(["kill", "start"]);
  });

  it("a cut of one broker of three in the ISR takes no partition's whole ISR; of the only in-sync replica, it does", async () => {
    const one = await setup().nemesis.invoke({ fault: "power-loss", targets: { kind: "nodes", names: ["kafka2"] } });
    expect(one.value.wholeIsrCut).toEqual([]);
    const last = await setup({ isr: [2] }).nemesis.invoke({ fault: "power-loss", targets: { kind: "nodes", names: ["kafka2"] } });
    expect(last.value.wholeIsrCut).toEqual(["t-0"]);
  });

  it("KRaft: records the eligible leader replicas at the cut and which of them kept their power; none without ELR", async () => {
    const r = await setup({ isr: [1], elr: [2, 3] }).nemesis.invoke({
      fault: "power-loss",
      targets: { kind: "nodes", names: ["kafka1", "kafka3"] },
    });
    expect(r.value.wholeIsrCut).toEqual(["t-0"]);
    expect(r.value.elrAtCut).toEqual({ "t-0": [2, 3] });
    expect(r.value.elrKeptPower).toEqual({ "t-0": ["kafka2"] });
    const none = await setup({ isr: [1], elr: [] }).nemesis.invoke({ fault: "power-loss", targets: { kind: "nodes", names: ["kafka1"] } });
    expect(none.value).not.toHaveProperty("elrAtCut");
    expect(none.value).not.toHaveProperty("elrKeptPower");
  });

  it("a broker Docker reports as not killable while it is still exiting is waited for, not taken as a failed cut", async () => {
    const { c, nemesis } = setup();
    const kill = c.brokers[0]!.kill;
    c.brokers[0]!.kill = async () => {
      await kill();
      throw new Error("Cannot kill container: PID 1 is zombie and can not be killed");
    };
    const r = await nemesis.invoke({ fault: "power-loss", targets: { kind: "nodes", names: ["kafka1"] } });
    expect(r.type).toBe("ok");
  });

  it("is refused, with the reason, on a broker without the layer and on one already down", async () => {
    const bare = await setup({ layer: false }).nemesis.invoke({ fault: "power-loss", targets: { kind: "nodes", names: ["kafka1"] } });
    expect(bare).toMatchObject({ type: "fail", value: { reason: expect.stringMatching(/without the fault-injecting filesystem/) } });
    const { nemesis } = setup();
    await nemesis.invoke({ fault: "kill", targets: { kind: "nodes", names: ["kafka1"] } });
    const again = await nemesis.invoke({ fault: "power-loss", targets: { kind: "nodes", names: ["kafka1"] } });
    expect(again).toMatchObject({ type: "fail", value: { reason: expect.stringMatching(/kafka1/) } });
  });
});

describe("the layer's record of a cut", () => {
  it("sums bytes per broker and records per partition, and refuses what is not one", () => {
    const c = parseCut(cutJson(9));
    expect(c).toMatchObject({
      droppedBytes: 322,
      restoredBytes: 4096,
      partitions: { "t-0": { bytes: 322, records: 9, firstOffset: 3, lastOffset: 7 } },
    });
    expect(() => parseCut("{}")).toThrow(/no files or names/);
  });

  it("a partition's whole ISR is cut only when every member of it is", () => {
    expect(wholeIsrCut({ "t-0": [1, 2], "t-1": [2, 3], "t-2": [] }, new Set([1, 2]))).toEqual(["t-0"]);
  });
});
