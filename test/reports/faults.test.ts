// Faults on the timeline: each fault shaded from its invocation to the completion of its undo,
// measured failover times placed after the op they measure, unknown faults shown generically.
import { describe, expect, it } from "vitest";
import type { History, Op } from "../../checkers/index.ts";
import { faultLabel, faultTimeline, powerLossDetail } from "../../reports/faults.ts";

const S = 1e9;
function nemesis(...ops: Array<[number, Op["type"], string, unknown]>): History {
  return ops.map(([t, type, f, value], index) => ({ index, time: t * S, process: "nemesis", type, f, value }));
}

describe("faultTimeline", () => {
  it("kill → start, pause → resume, partition → heal: from the fault's invocation to the undo's completion", () => {
    const h = nemesis(
      [1, "invoke", "kill", { targets: ["kafka2"], leaderOf: "t-0" }],
      [1.1, "ok", "kill", { targets: ["kafka2"], leaderOf: "t-0" }],
      [2, "invoke", "pause", { targets: ["kafka3"] }],
      [2.1, "ok", "pause", { targets: ["kafka3"] }],
      [3, "invoke", "start", { targets: ["kafka2"] }],
      [4, "ok", "start", { targets: ["kafka2"] }],
      [5, "invoke", "partition", { targets: ["kafka1"], topology: "isolate" }],
      [5.2, "ok", "partition", { targets: ["kafka1"], topology: "isolate" }],
      [6, "invoke", "resume", { targets: ["kafka3"] }],
      [6.5, "ok", "resume", { targets: ["kafka3"] }],
      [7, "invoke", "heal", {}],
      [7.5, "ok", "heal", {}],
    );
    const { bands } = faultTimeline(h, 10 * S);
    expect(bands.map((b) => [b.f, b.from, b.to, b.open, b.undoF])).toEqual([
      ["kill", 1, 4, false, "start"],
      ["pause", 2, 6.5, false, "resume"],
      ["partition", 5, 7.5, false, "heal"],
    ]);
    expect(bands[0]!.label).toBe("kill kafka2 (leader of t-0)");
    expect(bands[2]!.label).toBe("partition kafka1 (isolate)");
  });

  it("a fault never undone stays open to the end; heal-all ends everything", () => {
    const open = faultTimeline(nemesis([1, "invoke", "kill", { targets: ["a"] }], [1.5, "ok", "kill", { targets: ["a"] }]), 9 * S)
      .bands[0]!;
    expect([open.to, open.open]).toEqual([9, true]);
    const h = nemesis(
      [1, "invoke", "kill", { targets: ["a"] }],
      [1.5, "ok", "kill", { targets: ["a"] }],
      [2, "invoke", "pause", { targets: ["b"] }],
      [2.5, "info", "pause", { targets: ["b"], reason: "timeout" }],
      [3, "invoke", "heal-all", { targets: [] }],
      [4, "ok", "heal-all", { targets: [] }],
    );
    const { bands } = faultTimeline(h, 9 * S);
    expect(bands.map((b) => [b.f, b.to, b.type, b.undoF])).toEqual([
      ["kill", 4, "ok", "heal-all"],
      ["pause", 4, "info", "heal-all"],
    ]);
    expect(bands[1]!.reason).toBe("timeout");
  });

  it("a refused fault is a mark, not an interval; an unknown fault is its own invoke→completion", () => {
    const h = nemesis(
      [1, "invoke", "kill", { targets: ["a"] }],
      [1.2, "fail", "kill", { targets: ["a"], reason: "would kill a majority" }],
      [2, "invoke", "bounce", {}],
      [8, "ok", "bounce", { targets: ["a", "b"] }],
      [3, "invoke", "clock-skew", { targets: ["c"] }],
      [3.4, "ok", "clock-skew", { targets: ["c"] }],
    );
    const { bands } = faultTimeline(h, 10 * S);
    expect(bands.map((b) => [b.f, b.from, b.to, b.type, b.open])).toEqual([
      ["kill", 1, 1.2, "fail", false],
      ["bounce", 2, 8, "ok", false],
      ["clock-skew", 3, 3.4, "ok", false],
    ]);
    expect(bands[2]!.label).toBe("clock-skew c");
  });

  it("a corrupt-segment band says which file of the segment and how; a disk fault ends at its undo", () => {
    const v = { targets: ["kafka1"], selector: "leader", leaderOf: "t-0", file: "index", mode: "truncate" };
    const { bands } = faultTimeline(
      nemesis(
        [1, "invoke", "corrupt-segment", v],
        [4, "ok", "corrupt-segment", v],
        [5, "invoke", "disk-full", { targets: ["kafka2"] }],
        [5.5, "ok", "disk-full", { targets: ["kafka2"] }],
        [8, "invoke", "free-disk", { targets: ["kafka2"] }],
        [9, "ok", "free-disk", { targets: ["kafka2"] }],
      ),
      10 * S,
    );
    expect(bands.map((b) => [b.label, b.from, b.to, b.undoF])).toEqual([
      ["corrupt-segment kafka1 (leader of t-0, index truncate)", 1, 4, undefined],
      ["disk-full kafka2", 5, 9, "free-disk"],
    ]);
  });

  it("failover and recovery times are placed after the op they name and attached to the fault", () => {
    const h = nemesis(
      [1, "invoke", "kill", { targets: ["kafka2"], leaderOf: "t-0" }],
      [1.5, "ok", "kill", { targets: ["kafka2"], leaderOf: "t-0" }],
      [9, "info", "failover", { fault: 1, leaderless: ["t-0"], leaderAfterMs: 3200, isrShrunkAfterMs: null, ended: "settled" }],
      [10, "invoke", "start", { targets: ["kafka2"] }],
      [11, "ok", "start", { targets: ["kafka2"] }],
      [20, "info", "recovery", { fault: 4, isrWholeAfterMs: 4000, ended: "settled" }],
      [21, "info", "failover", { fault: 99, leaderless: [], leaderAfterMs: null, isrShrunkAfterMs: 10 }],
    );
    const { bands, measures } = faultTimeline(h, 30 * S);
    expect(measures.map((m) => [m.kind, m.field, m.at, m.label])).toEqual([
      ["failover", "leaderAfterMs", 4.7, "new leader after 3.20 s"],
      ["failover", "isrShrunkAfterMs", null, "ISR shrunk not seen"],
      ["recovery", "isrWholeAfterMs", 15, "ISR whole after 4.00 s"],
      // An unknown fault index: counted from the measurement op itself; no leader lost, no election shown.
      ["failover", "isrShrunkAfterMs", 21.01, "ISR shrunk after 10 ms"],
    ]);
    expect(bands[0]!.measures.map((m) => m.field)).toEqual(["leaderAfterMs", "isrShrunkAfterMs", "isrWholeAfterMs"]);
    expect(measures[0]!.of).toBe("kill kafka2");
  });
});

describe("a power cut's band", () => {
  const value = {
    targets: ["kafka1", "kafka2"],
    selector: "nodes",
    lost: {
      kafka1: { segmentBytes: 4096, partitions: { "t-0": { records: 30, bytes: 3000 }, "t-1": { records: 0, bytes: 0 } } },
      kafka2: { segmentBytes: 0, partitions: {} },
    },
    wholeIsrCut: ["t-0"],
  };
  it("says in its label how many records the cut took, and in its detail which broker lost what, per partition", () => {
    expect(faultLabel("power-loss", value)).toBe("power-loss kafka1, kafka2 (30 records cut off 2 brokers' logs)");
    expect(powerLossDetail(value)).toBe(
      "lost at the cut: kafka1: t-0 30 records (2.9 KB), 4.0 KB of segments in all; kafka2: no records, 0 B of segments in all. whole ISR cut: t-0",
    );
    expect(powerLossDetail({ ...value, wholeIsrCut: undefined })).toMatch(/the ISR at the cut is unknown$/);
    expect(powerLossDetail({ targets: ["kafka1"] })).toBeUndefined();
    expect(powerLossDetail({ ...value, elrKeptPower: { "t-1": ["kafka3"] } })).toMatch(
      /whole ISR cut: t-0; eligible leader replicas that kept their power: t-1 kafka3$/,
    );
  });
});
