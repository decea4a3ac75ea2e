// Jepsen's two performance plots besides the latency scatter: a lane per process with its ops
// over time, coloured by outcome, and latency quantiles over time. Both are exact summaries of
// every op (not of the downsampled scatter) and small whatever the history's size: a lane merges
// neighbouring ops of one outcome closer than a pixel of the whole run, the quantiles are per bucket.
import type { History, OpPairs } from "../checkers/index.ts";
import { type Clock, onClock } from "./clock.ts";
import { niceWidth } from "./downsample.ts";
import { round } from "./ops.ts";
import { procName } from "./refs.ts";

/** Pixels of the whole run a lane resolves (ops closer than one are merged). */
export const LANE_RESOLUTION = 1200;
/** Segments in all lanes at most: past it the resolution is halved until they fit. */
export const LANE_SEGMENTS = 20_000;

export interface Lanes {
  /** Lane names (p0, p1, …), in process order. */
  names: string[];
  /** Per lane, its segments: start and end (s), outcome (0 ok, 1 info, 2 fail), ops merged in it,
   *  and the history index of the op when it is one op (-1 when merged). */
  x0: number[][];
  x1: number[][];
  c: number[][];
  n: number[][];
  i: number[][];
}

const processOrder = (a: string | number, b: string | number) =>
  typeof a === "number" && typeof b === "number"
    ? a - b
    : typeof a === "number"
      ? -1
      : typeof b === "number"
        ? 1
        : String(a).localeCompare(String(b));

export function processLanes(history: History, pairs: OpPairs, clock: Clock, t0: number, t1: number): Lanes {
  const laneOf = new Map<string | number, number>();
  const procs: Array<string | number> = [];
  const lane = new Int32Array(pairs.n);
  for (let k = 0; k < pairs.n; k++) {
    const idx = pairs.index[k]!;
    const op = history[idx]?.index === idx ? history[idx] : undefined;
    const p = op && (typeof op.process === "number" || typeof op.process === "string") ? op.process : "?";
    if (!laneOf.has(p)) {
      laneOf.set(p, procs.length);
      procs.push(p);
    }
    lane[k] = laneOf.get(p)!;
  }
  const sorted = [...procs].sort(processOrder);
  const rank = new Map(sorted.map((p, j) => [laneOf.get(p)!, j]));
  let res = Math.max(t1 - t0, 0.001) / LANE_RESOLUTION;
  for (;;) {
    const out = merge(pairs, lane, rank, sorted.length, clock, res);
    const total = out.x0.reduce((a, l) => a + l.length, 0);
    if (total <= LANE_SEGMENTS) return { names: sorted.map((p) => procName(p)), ...out };
    res *= 2;
  }
}

function merge(
  pairs: OpPairs,
  lane: Int32Array,
  rank: Map<number, number>,
  lanes: number,
  clock: Clock,
  res: number,
): Omit<Lanes, "names"> {
  const out: Omit<Lanes, "names"> = { x0: [], x1: [], c: [], n: [], i: [] };
  for (let j = 0; j < lanes; j++) for (const a of [out.x0, out.x1, out.c, out.n, out.i]) a.push([]);
  // The open segment of each lane.
  const from = new Float64Array(lanes);
  const to = new Float64Array(lanes).fill(Number.NaN);
  const cls = new Int8Array(lanes);
  const count = new Int32Array(lanes);
  const first = new Int32Array(lanes);
  const flush = (j: number) => {
    if (Number.isNaN(to[j]!)) return;
    out.x0[j]!.push(round(from[j]!, 3));
    out.x1[j]!.push(round(to[j]!, 3));
    out.c[j]!.push(cls[j]!);
    out.n[j]!.push(count[j]!);
    out.i[j]!.push(count[j] === 1 ? first[j]! : -1);
  };
  for (let k = 0; k < pairs.n; k++) {
    const j = rank.get(lane[k]!)!;
    const a = onClock(clock, pairs.inv[k]!);
    const b = onClock(clock, pairs.done[k]!);
    const c = pairs.type[k]!;
    if (!Number.isNaN(to[j]!) && cls[j] === c && a - to[j]! <= res) {
      if (b > to[j]!) to[j] = b;
      count[j]!++;
      continue;
    }
    flush(j);
    from[j] = a;
    to[j] = b;
    cls[j] = c;
    count[j] = 1;
    first[j] = pairs.index[k]!;
  }
  for (let j = 0; j < lanes; j++) flush(j);
  return out;
}

/** The quantiles drawn, as Jepsen's latency-quantiles plot has them. */
export const QUANTILES = [0.5, 0.95, 0.99, 1] as const;
/** Time buckets at most. */
export const QUANTILE_BUCKETS = 120;

export interface Quantiles {
  /** Bucket width (s) and bucket middles (s). */
  width: number;
  x: number[];
  /** One series per (f, quantile): latency in ms, null where the bucket has no op of that f. */
  series: Array<{ f: string; q: number; y: Array<number | null> }>;
}

/** Latency quantiles of every completed client op per time bucket (by invocation), per f. */
export function latencyQuantiles(pairs: OpPairs, fOf: (k: number) => string, clock: Clock, t0: number, t1: number): Quantiles {
  const width = niceWidth(Math.max(t1 - t0, 0.01), QUANTILE_BUCKETS);
  const start = Math.floor(t0 / width) * width;
  const nb = Math.max(1, Math.ceil((t1 - start) / width + 1e-9));
  const byF = new Map<string, number[][]>();
  for (let k = 0; k < pairs.n; k++) {
    const f = fOf(k);
    let buckets = byF.get(f);
    if (!buckets) byF.set(f, (buckets = Array.from({ length: nb }, () => [])));
    const b = Math.min(nb - 1, Math.max(0, Math.floor((onClock(clock, pairs.inv[k]!) - start) / width)));
    buckets[b]!.push((pairs.done[k]! - pairs.inv[k]!) / 1e6);
  }
  const series: Quantiles["series"] = [];
  // An f of a handful of ops (a consumer's assign) would only add lines; kept when it is all there is.
  const counts = new Map([...byF].map(([f, bs]) => [f, bs.reduce((a, b) => a + b.length, 0)]));
  const floor = Math.max(...counts.values()) / 100;
  for (const [f, buckets] of [...byF].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (counts.get(f)! < floor) continue;
    for (const bucket of buckets) bucket.sort((a, b) => a - b);
    for (const q of QUANTILES) {
      series.push({
        f,
        q,
        y: buckets.map((xs) => (xs.length ? round(Math.max(0.01, xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]!), 2) : null)),
      });
    }
  }
  return { width, x: Array.from({ length: nb }, (_, b) => round(start + (b + 0.5) * width, 4)), series };
}
