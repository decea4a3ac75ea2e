// Downsampling for the charts: a million-op history must still give a page that opens at once, so
// the latency scatter keeps, per time bucket, the fastest and slowest op of each outcome (the
// extremes are what a reader looks for), every op of a rare outcome, and every op a finding names.

export interface Scatter {
  /** Positions of the chosen points, sorted by x. */
  positions: number[];
  /** True when points were dropped. */
  sampled: boolean;
}

/**
 * Chooses at most about `budget` points (plus `keep`) out of n. An outcome class with at most a
 * quarter of the budget is kept whole; each larger class gets, per x bucket, its min-y and max-y point.
 */
export function downsampleScatter(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  cls: ArrayLike<number>,
  n: number,
  budget: number,
  keep: Iterable<number> = [],
): Scatter {
  const chosen = new Uint8Array(n);
  let sampled = false;
  if (n <= budget) chosen.fill(1);
  else {
    sampled = true;
    const counts = new Map<number, number>();
    for (let i = 0; i < n; i++) counts.set(cls[i]!, (counts.get(cls[i]!) ?? 0) + 1);
    const rare = new Set<number>();
    let left = budget;
    for (const [c, k] of [...counts].sort((a, b) => a[1] - b[1])) {
      if (k <= budget / 4 && k <= left) {
        rare.add(c);
        left -= k;
      }
    }
    const big = [...counts.keys()].filter((c) => !rare.has(c));
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      if (x[i]! < lo) lo = x[i]!;
      if (x[i]! > hi) hi = x[i]!;
    }
    const buckets = Math.max(1, Math.floor(left / (2 * Math.max(1, big.length))));
    const span = hi - lo || 1;
    const bigIdx = new Map(big.map((c, j) => [c, j]));
    // Per (class, bucket): position of the min and of the max.
    const minAt = new Int32Array(big.length * buckets).fill(-1);
    const maxAt = new Int32Array(big.length * buckets).fill(-1);
    for (let i = 0; i < n; i++) {
      const c = cls[i]!;
      if (rare.has(c)) {
        chosen[i] = 1;
        continue;
      }
      const b = Math.min(buckets - 1, Math.floor(((x[i]! - lo) / span) * buckets));
      const slot = bigIdx.get(c)! * buckets + b;
      if (minAt[slot]! < 0 || y[i]! < y[minAt[slot]!]!) minAt[slot] = i;
      if (maxAt[slot]! < 0 || y[i]! > y[maxAt[slot]!]!) maxAt[slot] = i;
    }
    for (const a of [minAt, maxAt]) for (const i of a) if (i >= 0) chosen[i] = 1;
  }
  for (const i of keep) if (i >= 0 && i < n) chosen[i] = 1;
  const positions: number[] = [];
  for (let i = 0; i < n; i++) if (chosen[i]) positions.push(i);
  positions.sort((a, b) => x[a]! - x[b]! || a - b);
  return { positions, sampled };
}

const NICE = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600];

/** The smallest round bucket width (seconds) that cuts `span` seconds into at most `max` buckets. */
export function niceWidth(span: number, max: number): number {
  for (const w of NICE) if (span / w <= max) return w;
  return Math.ceil(span / max / 3600) * 3600;
}

export interface Throughput {
  /** Bucket width in seconds. */
  width: number;
  /** Bucket starts, seconds. */
  x: number[];
  /** Completions per second in each bucket, by outcome. */
  ok: number[];
  info: number[];
  fail: number[];
}

/** Completions per second over time, by outcome (0 ok, 1 info, 2 fail), in at most maxBuckets. */
export function throughput(
  doneS: ArrayLike<number>,
  type: ArrayLike<number>,
  n: number,
  startS: number,
  endS: number,
  maxBuckets = 300,
): Throughput {
  const width = niceWidth(Math.max(endS - startS, 0.01), maxBuckets);
  const first = Math.floor(startS / width) * width;
  const nb = Math.max(1, Math.ceil((endS - first) / width + 1e-9));
  const counts = [new Array<number>(nb).fill(0), new Array<number>(nb).fill(0), new Array<number>(nb).fill(0)];
  for (let i = 0; i < n; i++) {
    const b = Math.min(nb - 1, Math.max(0, Math.floor((doneS[i]! - first) / width)));
    const c = counts[type[i]!];
    if (c) c[b]!++;
  }
  const perS = (a: number[]) => a.map((k) => Math.round((k / width) * 100) / 100);
  return {
    width,
    x: Array.from({ length: nb }, (_, b) => Math.round((first + b * width) * 1000) / 1000),
    ok: perS(counts[0]!),
    info: perS(counts[1]!),
    fail: perS(counts[2]!),
  };
}
