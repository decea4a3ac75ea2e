// The chart data: downsampled scatter that keeps the ops findings name, and the final reads phase.
import { describe, expect, it } from "vitest";
import { check, derive, opPairs } from "../../checkers/index.ts";
import { chartData, finalReads, POINT_BUDGET } from "../../reports/timeline.ts";
import { history, pollOk, sendOk } from "../checkers/helpers.ts";
import { generateHistory } from "../fixtures/reports/generate.ts";

describe("chartData", () => {
  it("draws at most the budget (plus named ops), keeps the named ones, spans the run", () => {
    const h = generateHistory({ seconds: 120, sendsPerSecond: 200, consumers: 3 });
    const d0 = derive(h);
    const pairs = opPairs(d0, h);
    expect(pairs.n).toBeGreaterThan(POINT_BUDGET);
    const named = [pairs.index[5]!, pairs.index[pairs.n - 3]!];
    const d = chartData(h, pairs, check(h), named, d0);
    expect(d.scatter.sampled).toBe(true);
    expect(d.scatter.x.length).toBeLessThanOrEqual(POINT_BUDGET + named.length);
    for (const i of named) expect(d.scatter.i).toContain(i);
    expect(d.t1).toBeGreaterThan(120);
    expect(d.rate.ok.reduce((a, b) => a + b, 0) * d.rate.width).toBeCloseTo(
      Array.from(pairs.type.subarray(0, pairs.n)).filter((t) => t === 0).length,
      0,
    );
  });
});

describe("finalReads", () => {
  it("is the last process to start, when it only reads and starts after every other one ended", () => {
    const h = generateHistory({ seconds: 5 });
    const f = finalReads(h)!;
    expect(f.from).toBeGreaterThan(5);
    expect(f.to).toBeGreaterThan(f.from);
  });

  it("is between the harness's final-reads markers when the history has them (a marker of an unfinished phase: none)", () => {
    const mark = (index: number, time: number, type: string, f: string) => ({ index, time, process: "harness", type, f, value: null });
    const h = history(...sendOk(0, ["x", 1, 0]), ...pollOk(1, { x: [[0, 1]] }));
    const base = h.length;
    const marked = [...h, mark(base, 7e9, "invoke", "final-reads"), mark(base + 1, 9e9, "ok", "final-reads")] as typeof h;
    expect(finalReads(marked)).toEqual({ from: 7, to: 9 });
    expect(finalReads(marked.slice(0, -1))).toBeNull();
  });

  it("is absent when the last process also writes, or overlaps the others", () => {
    expect(finalReads(history(...sendOk(0, ["x", 1, 0]), ...sendOk(1, ["x", 2, 1])))).toBeNull();
    const overlap = history(...sendOk(0, ["x", 1, 0]), ...pollOk(1, { x: [[0, 1]] }), ...sendOk(0, ["x", 2, 1]));
    expect(finalReads(overlap)).toBeNull();
  });
});
