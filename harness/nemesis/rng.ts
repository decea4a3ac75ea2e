// A small seeded random source for choices made at fault time (which broker, which half), so a run
// with the same seed and the same cluster behaviour picks the same nodes. Never Math.random.
import { mulberry32 } from "../util/random.ts";

export interface Rng {
  /** An integer in [0, n). */
  int(n: number): number;
}

export function seededRng(seed: number): Rng {
  const next = mulberry32(seed);
  return {
    int(n) {
      if (!Number.isInteger(n) || n <= 0) throw new Error(`rng.int needs a positive integer, got ${n}`);
      return Math.floor(next() * n);
    },
  };
}

export function pick<T>(rng: Rng, xs: readonly T[]): T {
  if (xs.length === 0) throw new Error("pick from an empty list");
  return xs[rng.int(xs.length)]!;
}

/** Fisher-Yates on a copy. */
export function shuffle<T>(rng: Rng, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
