// The throughput bench's pure parts: when the ramp stops (rate stopped rising, p99 exploded, no
// level left), which step is the ceiling, the recorded/raw ratio, the command line and the table.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ceilingOf,
  DEFAULT_RULE,
  overheadRatio,
  percentile,
  RAMP_LEVELS,
  type RampRule,
  rampVerdict,
  type Step,
  sameLoadRatio,
} from "../../bench/throughput/ramp.ts";
import { clientRow, formatTable } from "../../bench/throughput/table.ts";
import { parseThroughputArgs } from "../../bench/throughput.ts";
import { parseTestSpec } from "../../harness/spec/test-spec.ts";

const rule: RampRule = { minGain: 0.05, patience: 2, maxP99Ms: 5000 };
const steps = (rates: number[], p99s: number[] = []): Step[] =>
  rates.map((acked, i) => ({ level: RAMP_LEVELS[i] ?? { producers: 99, burst: 4 }, acked, p99Ms: p99s[i] ?? 50, failed: 0 }));

describe("rampVerdict", () => {
  it("goes on while each step beats the best by more than the gain", () => {
    expect(rampVerdict([], 6, rule)).toEqual({ go: true });
    expect(rampVerdict(steps([100, 200, 400]), 6, rule)).toEqual({ go: true });
  });

  it("stops once `patience` steps in a row did not beat the best by the gain", () => {
    expect(rampVerdict(steps([100, 200, 205]), 6, rule)).toEqual({ go: true });
    expect(rampVerdict(steps([100, 200, 205, 209]), 6, rule)).toEqual({ go: false, why: "flat" });
    // A fall counts as not rising; a later rise above the best resets the count.
    expect(rampVerdict(steps([100, 200, 150, 300]), 6, rule)).toEqual({ go: true });
    expect(rampVerdict(steps([100, 200, 150, 180]), 6, rule)).toEqual({ go: false, why: "flat" });
  });

  it("measures the gain against the best so far, not the step before", () => {
    // 200 -> 150 -> 190: 190 beats 150 by 27% but not the best (200).
    expect(rampVerdict(steps([200, 150, 190]), 6, rule)).toEqual({ go: false, why: "flat" });
  });

  it("stops at once when a step's p99 passes the limit, whatever the rate did", () => {
    expect(rampVerdict(steps([100, 200, 400], [50, 60, 6000]), 6, rule)).toEqual({ go: false, why: "p99" });
  });

  it("stops when every level was measured", () => {
    expect(rampVerdict(steps([100, 200, 400]), 3, rule)).toEqual({ go: false, why: "top" });
  });

  it("never goes on forever: a ramp of any rates stops by the last level", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e5, noNaN: true }), { minLength: RAMP_LEVELS.length, maxLength: 12 }), (rates) => {
        const s = steps(rates);
        // The first prefix the verdict stops at is at most the number of levels.
        const stopAt = s.findIndex((_, i) => !rampVerdict(s.slice(0, i + 1), RAMP_LEVELS.length, DEFAULT_RULE).go);
        expect(stopAt).toBeGreaterThanOrEqual(0);
        expect(stopAt).toBeLessThan(RAMP_LEVELS.length);
      }),
    );
  });
});

describe("ceilingOf", () => {
  it("is the step with the highest rate and its load, even one the ramp did not count as a gain", () => {
    const s = steps([100, 200, 204, 203]);
    expect(ceilingOf(s)).toBe(s[2]);
    expect(ceilingOf(s)?.level).toEqual(RAMP_LEVELS[2]);
    expect(ceilingOf([])).toBeUndefined();
  });

  it("is never below any step", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e5, noNaN: true }), { minLength: 1, maxLength: 8 }), (rates) => {
        const c = ceilingOf(steps(rates))!;
        for (const r of rates) expect(c.acked).toBeGreaterThanOrEqual(r);
      }),
    );
  });
});

describe("overheadRatio and percentile", () => {
  it("is recorded over raw, undefined without a raw rate", () => {
    expect(overheadRatio(90, 100)).toBe(0.9);
    expect(overheadRatio(90, 0)).toBeUndefined();
  });

  it("takes the nearest-rank percentile", () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 99)).toBe(0);
  });
});

describe("sameLoadRatio", () => {
  const at = (producers: number, burst: number, acked: number): Step => ({ level: { producers, burst }, acked, p99Ms: 1, failed: 0 });

  it("is the median of recorded / raw over the levels both measured, pairing by load, not by position", () => {
    const raw = [at(1, 4, 100), at(4, 4, 200), at(16, 4, 400), at(32, 8, 500)];
    // recorded stopped a level earlier; its 3 levels give 0.5, 0.9, 1.0 -> 0.9.
    const recorded = [at(4, 4, 180), at(1, 4, 50), at(16, 4, 400)];
    expect(sameLoadRatio(raw, recorded)).toBeCloseTo(0.9);
    // Even count: the mean of the middle two (0.5, 0.9, 1.0, 0.8 -> 0.85).
    expect(sameLoadRatio(raw, [...recorded, at(32, 8, 400)])).toBeCloseTo(0.85);
  });

  it("is undefined without a common level with a raw rate", () => {
    expect(sameLoadRatio([at(1, 4, 100)], [at(4, 4, 100)])).toBeUndefined();
    expect(sameLoadRatio([at(1, 4, 0)], [at(1, 4, 100)])).toBeUndefined();
  });
});

describe("the ramp's levels", () => {
  it("rise, and each is a load a run's spec can ask for (producers and burst within the spec's bounds)", () => {
    for (const [i, l] of RAMP_LEVELS.entries()) {
      if (i > 0) expect(l.producers * l.burst).toBeGreaterThan(RAMP_LEVELS[i - 1]!.producers * RAMP_LEVELS[i - 1]!.burst);
      expect(() => parseTestSpec({ workload: { producers: l.producers, maxBurst: l.burst } })).not.toThrow();
    }
  });
});

describe("parseThroughputArgs", () => {
  it("defaults to every client and 5 s per step", () => {
    expect(parseThroughputArgs([])).toEqual({ clients: ["kafkajs", "platformatic", "confluent"], seconds: 5 });
  });

  it("takes --clients and --seconds, and refuses an unknown client or a bad number", () => {
    expect(parseThroughputArgs(["--clients", "platformatic,kafkajs", "--seconds", "3"])).toEqual({
      clients: ["platformatic", "kafkajs"],
      seconds: 3,
    });
    expect(() => parseThroughputArgs(["--clients", "kafkajs,rdkafka"])).toThrow(/no client "rdkafka"/);
    expect(() => parseThroughputArgs(["--seconds", "0"])).toThrow(/--seconds/);
    expect(() => parseThroughputArgs(["--seconds", "x"])).toThrow(/--seconds/);
  });
});

describe("clientRow", () => {
  const at = (producers: number, burst: number, acked: number): Step => ({ level: { producers, burst }, acked, p99Ms: 1, failed: 0 });
  const flat = { go: false, why: "flat" } as const;

  it("holds each mode's ceiling, why its ramp stopped, and the same-load ratio", () => {
    const raw = [at(1, 4, 100), at(4, 4, 300), at(16, 4, 290)];
    const recorded = [at(1, 4, 90), at(4, 4, 240), at(16, 4, 280)];
    const row = clientRow("kafkajs", { raw, recorded }, { raw: flat, recorded: { go: false, why: "top" } });
    expect(row).toEqual({
      client: "kafkajs",
      raw: raw[1],
      recorded: recorded[2],
      rawStopped: flat,
      recordedStopped: { go: false, why: "top" },
      sameLoad: 0.9,
    });
    expect(formatTable([row])[1]).toMatch(/^kafkajs {10}0\.93 {7}0\.90 {2}280\/s at 16x4/);
  });

  it("says so when a mode measured nothing", () => {
    expect(clientRow("x", { raw: [], recorded: [at(1, 4, 1)] }, { raw: flat, recorded: flat })).toEqual({
      client: "x",
      absent: "failed: a ramp measured nothing",
    });
  });
});

describe("formatTable", () => {
  const step = (acked: number, producers: number, p99Ms: number): Step => ({ level: { producers, burst: 4 }, acked, p99Ms, failed: 0 });

  it("prints each client's ratio beside its recorded and raw ceilings, and the load each came from", () => {
    const lines = formatTable([
      {
        client: "kafkajs",
        raw: step(1000, 16, 120),
        recorded: step(850.4, 8, 90.6),
        rawStopped: { go: false, why: "flat" },
        recordedStopped: { go: false, why: "p99" },
        sameLoad: 0.904,
      },
      { client: "confluent", absent: "not installed: kafka-harness install-client confluent" },
    ]);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe(
      "kafkajs            0.85       0.90  850/s at 8x4, p99 91 ms (p99 exploded) / 1000/s at 16x4, p99 120 ms (stopped rising)",
    );
    expect(lines[2]).toBe("confluent  not installed: kafka-harness install-client confluent");
  });

  it("prints a dash for the ratio when raw acknowledged nothing", () => {
    const [, line] = formatTable([
      {
        client: "x",
        raw: step(0, 1, 0),
        recorded: step(0, 1, 0),
        rawStopped: { go: false, why: "top" },
        recordedStopped: { go: false, why: "top" },
      },
    ]);
    expect(line).toMatch(/^x {6} {12}- {10}- {2}0\/s at 1x4/);
  });
});
