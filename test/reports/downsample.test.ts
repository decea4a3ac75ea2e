// Downsampling keeps what a reader looks for: extremes per time slice, rare outcomes, named ops.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { downsampleScatter, niceWidth, throughput } from "../../reports/downsample.ts";

describe("downsampleScatter", () => {
  it("keeps every point when they fit, sorted by x", () => {
    const r = downsampleScatter([3, 1, 2], [1, 1, 1], [0, 0, 0], 3, 10);
    expect(r).toEqual({ positions: [1, 2, 0], sampled: false });
  });

  it("property: at most the budget plus the kept ones; extremes, rare outcomes and kept ops survive", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            x: fc.double({ min: 0, max: 100, noNaN: true }),
            y: fc.double({ min: 0.01, max: 1e4, noNaN: true }),
            c: fc.constantFrom(0, 0, 0, 0, 0, 0, 1, 2),
          }),
          { minLength: 1, maxLength: 3000 },
        ),
        fc.integer({ min: 24, max: 400 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (pts, budget, keepRaw) => {
          const n = pts.length;
          const keep = keepRaw.map((k) => k % n);
          const { positions, sampled } = downsampleScatter(
            pts.map((p) => p.x),
            pts.map((p) => p.y),
            pts.map((p) => p.c),
            n,
            budget,
            keep,
          );
          const set = new Set(positions);
          expect(set.size).toBe(positions.length);
          expect(positions.length).toBeLessThanOrEqual(Math.max(n <= budget ? n : budget, 0) + keep.length);
          for (const k of keep) expect(set.has(k)).toBe(true);
          for (let i = 1; i < positions.length; i++) expect(pts[positions[i]!]!.x).toBeGreaterThanOrEqual(pts[positions[i - 1]!]!.x);
          expect(sampled).toBe(n > budget);
          // Global slowest and fastest op of every outcome are kept.
          for (const c of [0, 1, 2]) {
            const of = pts.map((p, i) => ({ ...p, i })).filter((p) => p.c === c);
            if (!of.length) continue;
            const max = Math.max(...of.map((p) => p.y));
            const min = Math.min(...of.map((p) => p.y));
            expect(positions.some((i) => pts[i]!.c === c && pts[i]!.y === max)).toBe(true);
            expect(positions.some((i) => pts[i]!.c === c && pts[i]!.y === min)).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("keeps a rare outcome whole", () => {
    const n = 10_000;
    const c = Array.from({ length: n }, (_, i) => (i % 100 === 0 ? 2 : 0));
    const { positions } = downsampleScatter(
      Array.from({ length: n }, (_, i) => i),
      Array.from({ length: n }, () => 5),
      c,
      n,
      1000,
    );
    expect(positions.filter((i) => c[i] === 2)).toHaveLength(100);
    expect(positions.length).toBeLessThanOrEqual(1000);
  });
});

describe("throughput", () => {
  it("counts completions per second by outcome in round buckets", () => {
    const t = throughput([0.1, 0.2, 0.3, 1.5, 1.6], [0, 0, 1, 0, 2], 5, 0, 2, 3);
    expect(t.width).toBe(1);
    expect(t.x).toEqual([0, 1, 2]);
    expect(t.ok).toEqual([2, 1, 0]);
    expect(t.info).toEqual([1, 0, 0]);
    expect(t.fail).toEqual([0, 1, 0]);
  });

  it("niceWidth picks a round width within the bucket limit", () => {
    expect(niceWidth(30, 300)).toBe(0.1);
    expect(niceWidth(3600, 300)).toBe(15);
    expect(niceWidth(1e6, 300)).toBeGreaterThanOrEqual(1e6 / 300);
  });
});
