// Property tests of fault schedules: valid for their options, the same for the same seed, never two
// contradictory faults at once, and shrinkable.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasUndo } from "../../checkers/fault-names.ts";
import {
  FAULT_KINDS,
  type FaultKind,
  generateSchedule,
  place,
  type Schedule,
  type ScheduleOptionsInput,
  scheduleArbitrary,
} from "../../harness/nemesis/schedule.ts";
import { conflicts, domainsOf } from "../../harness/nemesis/schedule-rules.ts";

/** Every pair of entries, the earlier one first. */
function* laterPairs<T>(xs: readonly T[]): Generator<[T, T]> {
  for (let i = 0; i < xs.length; i++) for (let j = i + 1; j < xs.length; j++) yield [xs[i]!, xs[j]!];
}

/** The schedule, or undefined only when the options allow no fault at all (e.g. only leader
 *  targets and no partitions); any other error fails the property. */
function scheduleOrNone(seed: number, o: Parameters<typeof generateSchedule>[1]): Schedule | undefined {
  try {
    return generateSchedule(seed, o);
  } catch (err) {
    expect((err as Error).message).toMatch(/no fault can be made/);
    return undefined;
  }
}

const optionsArb: fc.Arbitrary<ScheduleOptionsInput> = fc
  .record({
    faults: fc.subarray([...FAULT_KINDS], { minLength: 1 }),
    timeLimitMs: fc.integer({ min: 1000, max: 300_000 }),
    meanIntervalMs: fc.integer({ min: 200, max: 30_000 }),
    dmin: fc.integer({ min: 100, max: 10_000 }),
    dspan: fc.integer({ min: 0, max: 10_000 }),
    partitions: fc.constantFrom<string[]>([], ["t-0"], ["t-0", "t-1", "t-2"]),
    overlap: fc.boolean(),
    quietMs: fc.integer({ min: 0, max: 5000 }),
    metadata: fc.constantFrom("zookeeper" as const, "kraft" as const),
  })
  .map(({ dmin, dspan, ...o }) => ({ ...o, durationMs: { min: dmin, max: dmin + dspan } }))
  // Kinds of the other metadata mode are an error (tested in kraft-topologies.test.ts), not a schedule.
  .map((o) => {
    const other = o.metadata === "kraft" ? ["cut-from-zookeeper", "zk"] : ["isolate-controller", "cut-from-quorum"];
    const faults = o.faults.filter((k) => !other.includes(k));
    return { ...o, faults: faults.length ? faults : (["kill"] as FaultKind[]) };
  });

const overlapping = (a: Schedule[number], b: Schedule[number]) =>
  a.at < b.at + b.duration && b.at < a.at + a.duration && a.duration > 0 && b.duration > 0;

const PARTITION_SHAPES = ["isolate", "halves", "ring", "cut-from-brokers", "cut-from-zookeeper", "isolate-controller", "cut-from-quorum"];
function kindsOf(e: Schedule[number]): FaultKind[] {
  if (e.fault === "partition") {
    const zkIsolate = e.topology === "isolate" && e.targets?.kind.startsWith("zk-");
    return zkIsolate ? ["zk"] : ["partition", e.topology as FaultKind];
  }
  if (e.fault !== "bounce" && e.targets.kind.startsWith("zk-")) return ["zk"];
  return [e.fault];
}

describe("fault schedules", () => {
  it("are valid for their options: in time, in range, sorted, of allowed kinds and targets", () => {
    fc.assert(
      fc.property(optionsArb, fc.integer(), (o, seed) => {
        const s = scheduleOrNone(seed, o);
        if (!s) return;
        const { min, max } = o.durationMs;
        s.forEach((e, i) => {
          expect(e.at).toBeGreaterThanOrEqual(0);
          expect(e.at).toBeLessThan(o.timeLimitMs);
          expect(e.at + e.duration).toBeLessThanOrEqual(o.timeLimitMs);
          if (hasUndo(e.fault)) {
            expect(e.duration).toBeGreaterThanOrEqual(min);
            expect(e.duration).toBeLessThanOrEqual(max);
          } else expect(e.duration).toBe(0);
          if (i > 0) expect(e.at).toBeGreaterThanOrEqual(s[i - 1]!.at);
          expect(kindsOf(e).some((k) => o.faults.includes(k))).toBe(true);
          if ("targets" in e && e.targets?.kind === "leader") expect(o.partitions).toContain(e.targets.of);
          if ("targets" in e && e.targets) expect(e.targets.kind).not.toBe("all-brokers");
          if (e.fault === "partition") expect(PARTITION_SHAPES).toContain(e.topology);
        });
        expect(JSON.parse(JSON.stringify(s))).toEqual(s); // plain data
      }),
      { numRuns: 300 },
    );
  });

  it("are deterministic: the same seed gives the same schedule", () => {
    fc.assert(
      fc.property(optionsArb, fc.integer(), (o, seed) => {
        const a = scheduleOrNone(seed, o);
        if (!a) return;
        expect(generateSchedule(seed, o)).toEqual(a);
      }),
      { numRuns: 100 },
    );
  });

  it("differ between seeds (they are not constant)", () => {
    const o = {
      faults: ["kill", "pause", "partition"] as FaultKind[],
      timeLimitMs: 60_000,
      meanIntervalMs: 8000,
      durationMs: { min: 2000, max: 6000 },
    };
    const distinct = new Set(Array.from({ length: 20 }, (_, seed) => JSON.stringify(generateSchedule(seed, o))));
    expect(distinct.size).toBeGreaterThan(15);
  });

  it("never put two contradictory faults on one node at once: overlaps only across disjoint domains, none without overlap", () => {
    fc.assert(
      fc.property(optionsArb, fc.integer(), (o, seed) => {
        const s = scheduleOrNone(seed, o);
        if (!s) return;
        for (const [a, b] of laterPairs(s)) {
          if (!overlapping(a, b)) continue;
          expect(o.overlap).toBe(true);
          expect(conflicts(a, b)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("leave quietMs between an undo and the next fault in the same domain", () => {
    fc.assert(
      fc.property(optionsArb, fc.integer(), (o, seed) => {
        const s = scheduleOrNone(seed, o);
        if (!s) return;
        for (const [a, b] of laterPairs(s)) {
          if (o.overlap && !conflicts(a, b)) continue;
          expect(b.at).toBeGreaterThanOrEqual(a.at + a.duration + (o.quietMs ?? 2000));
        }
      }),
      { numRuns: 200 },
    );
  });

  it("fill the time limit in most runs (faults keep coming until near the end)", () => {
    const o = {
      faults: ["kill", "partition"] as FaultKind[],
      timeLimitMs: 120_000,
      meanIntervalMs: 10_000,
      durationMs: { min: 3000, max: 8000 },
    };
    const s = fc.sample(scheduleArbitrary(o), { seed: 42, numRuns: 100 });
    const filled = s.filter((x) => x.length > 0 && x[x.length - 1]!.at > 90_000).length;
    expect(filled).toBeGreaterThan(90);
  });

  it("shrink: a property failing on any kill shrinks to a schedule of one short kill", () => {
    const o = {
      faults: ["kill", "pause", "partition"] as FaultKind[],
      timeLimitMs: 60_000,
      meanIntervalMs: 5000,
      durationMs: { min: 1000, max: 5000 },
      partitions: ["t-0"],
    };
    const r = fc.check(
      fc.property(scheduleArbitrary(o), (s) => !s.some((e) => e.fault === "kill")),
      { seed: 7 },
    );
    expect(r.failed).toBe(true);
    const [shrunk] = r.counterexample! as [Schedule];
    expect(shrunk).toHaveLength(1);
    expect(shrunk[0]).toMatchObject({ fault: "kill", at: 2500, duration: 1000 });
    // ...and replays from its seed and path
    const again = fc.check(
      fc.property(scheduleArbitrary(o), (s) => !s.some((e) => e.fault === "kill")),
      { seed: 7, path: r.counterexamplePath!, endOnFailure: true },
    );
    expect(again.counterexample).toEqual(r.counterexample);
  });

  it("place() keeps a fault clear of a conflicting one that is still in force", () => {
    const kill = { fault: "kill" as const, targets: { kind: "random-broker" as const } };
    const zkKill = { fault: "kill" as const, targets: { kind: "zk-random" as const } };
    const o = {
      faults: ["kill"] as FaultKind[],
      timeLimitMs: 100_000,
      meanIntervalMs: 1000,
      durationMs: { min: 1000, max: 10_000 },
      partitions: [],
      targets: ["random-broker" as const],
      overlap: true,
      quietMs: 500,
      metadata: "zookeeper" as const,
    };
    const s = place(
      [
        { on: true, gap: 1000, duration: 10_000, fault: kill },
        { on: true, gap: 1000, duration: 5000, fault: zkKill },
        { on: false, gap: 1, duration: 1, fault: kill },
        { on: true, gap: 1000, duration: 5000, fault: kill },
      ],
      o,
    );
    expect(s.map((e) => e.at)).toEqual([1000, 2000, 11_500]);
  });

  it("domains: ZooKeeper faults are apart from broker faults; most partitions touch both", () => {
    expect([...domainsOf({ fault: "kill", targets: { kind: "zk-leader" } })]).toEqual(["zookeeper"]);
    expect([...domainsOf({ fault: "pause", targets: { kind: "leader", of: "t-0" } })]).toEqual(["broker"]);
    expect([...domainsOf({ fault: "partition", topology: "cut-from-brokers", targets: { kind: "controller" } })]).toEqual(["broker"]);
    expect([...domainsOf({ fault: "partition", topology: "isolate", targets: { kind: "zk-minority" } })].sort()).toEqual([
      "broker",
      "zookeeper",
    ]);
  });

  it("rejects unknown fault kinds with a message naming them", () => {
    expect(() =>
      generateSchedule(1, { faults: ["explode" as FaultKind], timeLimitMs: 1000, meanIntervalMs: 100, durationMs: { min: 1, max: 2 } }),
    ).toThrow(/faults/);
  });

  it("an empty kind list gives an empty schedule", () => {
    expect(generateSchedule(1, { faults: [], timeLimitMs: 1000, meanIntervalMs: 100, durationMs: { min: 1, max: 2 } })).toEqual([]);
  });
});
