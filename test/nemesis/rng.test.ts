import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pick, seededRng, shuffle } from "../../harness/nemesis/rng.ts";

describe("seeded rng", () => {
  it("replays: the same seed gives the same draws", () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const a = seededRng(seed);
        const b = seededRng(seed);
        expect(Array.from({ length: 20 }, () => a.int(1000))).toEqual(Array.from({ length: 20 }, () => b.int(1000)));
      }),
    );
  });

  it("stays in range and shuffles into a permutation", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 50 }), fc.array(fc.nat()), (seed, n, xs) => {
        const r = seededRng(seed);
        const x = r.int(n);
        expect(x >= 0 && x < n).toBe(true);
        expect([...shuffle(r, xs)].sort()).toEqual([...xs].sort());
        if (xs.length) expect(xs).toContain(pick(r, xs));
      }),
    );
  });

  it("rejects an empty range", () => {
    expect(() => seededRng(1).int(0)).toThrow();
  });
});
