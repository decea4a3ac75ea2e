// Stored seeds replay: the schedule a seed gives must never change, since users rerun stored seeds.
// The digests below were taken from the generator before the fault families were split out of it;
// a change to how an arbitrary is built (order of alternatives, a target added to a choice) shows
// up here even when every property in schedule.test.ts still holds.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateSchedule, type Schedule, type ScheduleOptionsInput, scheduleArbitrary } from "../../harness/nemesis/schedule.ts";

const base = { timeLimitMs: 120_000, meanIntervalMs: 6000, durationMs: { min: 1000, max: 9000 } };
const everyTarget = [
  "random-broker",
  "leader",
  "controller",
  "minority",
  "majority",
  "all-brokers",
  "active-controller",
  "controllers",
  "txn-coordinator",
  "group-coordinator",
] as const;

const CASES: Record<string, ScheduleOptionsInput> = {
  "zk, every kind": {
    ...base,
    faults: ["kill", "stop", "pause", "partition", "isolate", "halves", "ring", "cut-from-brokers", "cut-from-zookeeper", "zk", "bounce"],
    partitions: ["t-0", "t-1"],
  },
  "zk, every kind, every target, overlap": {
    ...base,
    faults: ["kill", "stop", "pause", "partition", "isolate", "halves", "ring", "cut-from-brokers", "cut-from-zookeeper", "zk", "bounce"],
    partitions: ["t-0"],
    targets: [...everyTarget],
    transactionalIds: ["tx-1", "tx-2"],
    groupIds: ["g"],
    overlap: true,
    quietMs: 500,
  },
  "kraft, every kind": {
    ...base,
    metadata: "kraft",
    faults: [
      "kill",
      "stop",
      "pause",
      "partition",
      "isolate",
      "halves",
      "ring",
      "cut-from-brokers",
      "isolate-controller",
      "cut-from-quorum",
      "bounce",
    ],
    partitions: ["t-0"],
  },
  "kraft, every kind, every target, overlap": {
    ...base,
    metadata: "kraft",
    faults: [
      "kill",
      "stop",
      "pause",
      "partition",
      "isolate",
      "halves",
      "ring",
      "cut-from-brokers",
      "isolate-controller",
      "cut-from-quorum",
      "bounce",
    ],
    partitions: ["t-0", "t-1", "t-2"],
    targets: [...everyTarget],
    transactionalIds: ["tx"],
    groupIds: ["g1", "g2"],
    overlap: true,
  },
  "kill only, leader targets": { ...base, faults: ["kill"], targets: ["leader"], partitions: ["t-0", "t-1"] },
  "pause and stop, no partitions": { ...base, faults: ["stop", "pause"] },
  "partition only": { ...base, faults: ["partition"], partitions: ["t-0"] },
  "shapes only, one-node targets missing": { ...base, faults: ["halves", "cut-from-brokers", "ring"], targets: ["minority", "majority"] },
  "zk only, overlap": { ...base, faults: ["zk", "kill"], overlap: true },
  "kraft, controllers targets": {
    ...base,
    metadata: "kraft",
    faults: ["kill", "pause", "isolate-controller"],
    targets: ["controllers", "active-controller"],
  },
  "bounce and kill": { ...base, faults: ["bounce", "kill"], meanIntervalMs: 20_000 },
};

const digest = (schedules: Schedule[]) => createHash("sha256").update(JSON.stringify(schedules)).digest("hex").slice(0, 16);

/** Taken from the generator as it was; see the header. */
const EXPECTED: Record<string, string> = {
  "zk, every kind": "ff5464624b0a9472",
  "zk, every kind, every target, overlap": "328992fd427af6c1",
  "kraft, every kind": "a152435c7c529c13",
  "kraft, every kind, every target, overlap": "d29cf922dae2ceae",
  "kill only, leader targets": "cccee6aeb8c230fc",
  "pause and stop, no partitions": "187ac28737904ba0",
  "partition only": "1ce73b075ff0936b",
  "shapes only, one-node targets missing": "067fb0d793fbd319",
  "zk only, overlap": "c759c29a7a85e90f",
  "kraft, controllers targets": "1b473f72fd38afd2",
  "bounce and kill": "4e12236801f54e17",
  shrunk: "5bad3607f9dd0306",
};

describe("stored seeds replay", () => {
  for (const [name, o] of Object.entries(CASES)) {
    it(`gives the same schedules as before: ${name}`, () => {
      const schedules = Array.from({ length: 40 }, (_, seed) => generateSchedule(seed * 7919 - 100_000, o));
      expect(schedules.some((s) => s.length > 0)).toBe(true);
      expect(digest(schedules)).toBe(EXPECTED[name]);
    });
  }

  it("shrinks the same way as before", () => {
    const o = CASES["zk, every kind, every target, overlap"]!;
    const r = fc.check(
      fc.property(scheduleArbitrary(o), (s) => s.filter((e) => e.fault === "partition").length < 3),
      { seed: 11 },
    );
    expect(r.failed).toBe(true);
    expect(digest([r.counterexample![0] as Schedule])).toBe(EXPECTED.shrunk);
  });
});
