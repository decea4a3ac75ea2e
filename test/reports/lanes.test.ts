// Jepsen's per-process timeline and latency quantiles, as the report computes them: every op in
// exactly one lane segment of its process and outcome, and quantiles that are the bucket's own.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { History, Op, OpPairs } from "../../checkers/index.ts";
import { latencyQuantiles, processLanes, QUANTILES } from "../../reports/lanes.ts";

const clock = { originNs: 5e9, source: "workload" as const };

/** Pairs and a history for ops given as [process, invocation ms, latency ms, outcome]; one op at a time per process. */
function build(ops: Array<[number, number, number, number]>): { pairs: OpPairs; history: History } {
  const byProc = new Map<number, number>();
  const placed = ops.map(([p, gap, lat, c]) => {
    const inv = (byProc.get(p) ?? 0) + gap;
    byProc.set(p, inv + lat);
    return { p, inv: 5e9 + inv * 1e6, done: 5e9 + (inv + lat) * 1e6, c };
  });
  placed.sort((a, b) => a.done - b.done);
  const n = placed.length;
  const pairs: OpPairs = {
    n,
    index: Int32Array.from(placed, (_, k) => k),
    invIndex: new Int32Array(n).fill(-1),
    inv: Float64Array.from(placed, (o) => o.inv),
    done: Float64Array.from(placed, (o) => o.done),
    type: Uint8Array.from(placed, (o) => o.c),
  };
  const history = placed.map((o, k) => ({ index: k, time: o.done, process: o.p, type: "ok", f: "send" }) as Op);
  return { pairs, history };
}

const opsArb = fc.array(
  fc.tuple(
    fc.integer({ min: 0, max: 4 }),
    fc.integer({ min: 0, max: 300 }),
    fc.integer({ min: 1, max: 500 }),
    fc.integer({ min: 0, max: 2 }),
  ),
  { minLength: 1, maxLength: 300 },
);

describe("processLanes", () => {
  it("puts every op in one segment of its process's lane, of its outcome, in time order, on the page's clock", () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const { pairs, history } = build(ops);
        const t1 = Math.max(...Array.from(pairs.done)) / 1e9 - 5;
        const lanes = processLanes(history, pairs, clock, 0, t1);
        const procs = [...new Set(ops.map((o) => o[0]))].sort((a, b) => a - b);
        expect(lanes.names).toEqual(procs.map((p) => `p${p}`));
        procs.forEach((p, j) => {
          const mine = ops.filter((o) => o[0] === p);
          expect(lanes.n[j]!.reduce((a, b) => a + b, 0)).toBe(mine.length);
          for (let q = 0; q < lanes.x0[j]!.length; q++) {
            expect(lanes.x0[j]![q]!).toBeLessThanOrEqual(lanes.x1[j]![q]!);
            if (q > 0) expect(lanes.x0[j]![q]!).toBeGreaterThanOrEqual(lanes.x1[j]![q - 1]! - 1e-3);
            // A segment of one op names it.
            if (lanes.n[j]![q] === 1) expect(history[lanes.i[j]![q]!]!.process).toBe(p);
          }
          // Outcomes: as many ops of each in the lane as the process had.
          for (const c of [0, 1, 2]) {
            const inLane = lanes.c[j]!.reduce((a, cc, q) => a + (cc === c ? lanes.n[j]![q]! : 0), 0);
            expect(inLane).toBe(mine.filter((o) => o[3] === c).length);
          }
        });
        expect(Math.min(...lanes.x0.flat())).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it("merges a busy process's neighbouring ops of one outcome, but never across another outcome", () => {
    const ops: Array<[number, number, number, number]> = Array.from({ length: 1000 }, (_, k) => [0, 1, 5, k === 500 ? 1 : 0]);
    const { pairs, history } = build(ops);
    const lanes = processLanes(history, pairs, clock, 0, 6);
    expect(lanes.c[0]).toEqual([0, 1, 0]);
    expect(lanes.n[0]).toEqual([500, 1, 499]);
    expect(lanes.i[0]![1]).toBe(500);
  });
});

describe("latencyQuantiles", () => {
  it("gives per bucket and f the nearest-rank quantiles, p50 ≤ p95 ≤ p99 ≤ max, max the bucket's slowest op", () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const { pairs } = build(ops);
        const t1 = Math.max(...Array.from(pairs.done)) / 1e9 - 5;
        const q = latencyQuantiles(pairs, () => "send", clock, 0, t1);
        expect(q.series.map((s) => s.q)).toEqual([...QUANTILES]);
        for (let b = 0; b < q.x.length; b++) {
          const ys = q.series.map((s) => s.y[b]);
          const lats: number[] = [];
          for (let k = 0; k < pairs.n; k++) {
            const t = (pairs.inv[k]! - clock.originNs) / 1e9;
            // The run starts at 0 here, so the buckets do.
            const bucket = Math.min(q.x.length - 1, Math.max(0, Math.floor(t / q.width)));
            if (bucket === b) lats.push((pairs.done[k]! - pairs.inv[k]!) / 1e6);
          }
          if (lats.length === 0) {
            expect(ys.every((y) => y === null)).toBe(true);
            continue;
          }
          for (let j = 1; j < ys.length; j++) expect(ys[j]!).toBeGreaterThanOrEqual(ys[j - 1]!);
          expect(ys.at(-1)).toBeCloseTo(Math.max(...lats), 1);
        }
      }),
    );
  });
});
