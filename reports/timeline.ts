// The data behind the charts, computed once at render time and embedded in the page: the latency
// scatter (downsampled), latency quantiles, a lane per process, throughput, fault intervals and
// measurements, the run's phases, where lost and unseen values were acknowledged, and the unseen
// count. Every time is in seconds on the page's one clock (clock.ts: from the workload's start).
import type { Derived, History, OpPairs, Results } from "../checkers/index.ts";
import { pairOf } from "../checkers/index.ts";
import { HARNESS_PROCESS } from "../checkers/phases.ts";
import { type Clock, onClock, pageClock } from "./clock.ts";
import { downsampleScatter, type Throughput, throughput } from "./downsample.ts";
import { type FaultBand, faultTimeline, type Measure } from "./faults.ts";
import { type Lanes, latencyQuantiles, processLanes, type Quantiles } from "./lanes.ts";
import { type LossMarks, lossMarks } from "./loss-marks.ts";
import { round } from "./ops.ts";
import { type PhaseSpan, runPhases } from "./phases.ts";

/** Points in the latency scatter at most (plus those findings name). */
export const POINT_BUDGET = 15_000;
/** Keys drawn in the unseen chart at most (the largest counts); the total is always drawn. */
export const UNSEEN_KEYS = 12;

export interface ChartData {
  /** First and last op time, seconds on the page's clock. */
  t0: number;
  t1: number;
  scatter: {
    /** Invocation time (s on the page's clock), latency (ms), outcome (0 ok, 1 info, 2 fail), history index, f (0 send, 1 poll, 2 txn, 3 other). */
    x: number[];
    y: number[];
    c: number[];
    i: number[];
    f: number[];
    total: number;
    sampled: boolean;
  };
  rate: Throughput;
  quantiles: Quantiles;
  lanes: Lanes;
  faults: FaultBand[];
  measures: Measure[];
  unseen: { x: number[]; keys: string[]; counts: number[][]; total: number[] };
  /** The final reads (the run's last phase: docs/design.md, Phases of a run), when the history shows them. */
  finalReads: { from: number; to: number } | null;
  /** The run's phases from the history's markers (phases.ts). */
  phases: PhaseSpan[];
  loss: LossMarks;
}

const F_CODE: Record<string, number> = { send: 0, poll: 1, txn: 2 };
const F_NAMES = ["send", "poll", "txn", "other"];

export function chartData(
  history: History,
  pairs: OpPairs,
  results: Results,
  keepIndexes: Iterable<number>,
  derived: Derived,
  clock: Clock = pageClock(history),
): ChartData {
  const n = pairs.n;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    xs[k] = onClock(clock, pairs.inv[k]!);
    ys[k] = Math.max(0.01, (pairs.done[k]! - pairs.inv[k]!) / 1e6);
  }
  const keep: number[] = [];
  for (const i of keepIndexes) {
    const k = pairOf(pairs, i);
    if (k >= 0) keep.push(k);
  }
  const { positions, sampled } = downsampleScatter(xs, ys, pairs.type, n, POINT_BUDGET, keep);
  const scatter: ChartData["scatter"] = { x: [], y: [], c: [], i: [], f: [], total: n, sampled };
  const fCode = (k: number) => {
    const idx = pairs.index[k]!;
    const op = history[idx]?.index === idx ? history[idx] : undefined;
    return op ? (F_CODE[op.f] ?? 3) : 3;
  };
  for (const k of positions) {
    scatter.x.push(round(xs[k]!, 4));
    scatter.y.push(round(ys[k]!, 2));
    scatter.c.push(pairs.type[k]!);
    scatter.i.push(pairs.index[k]!);
    scatter.f.push(fCode(k));
  }
  const doneS = new Float64Array(n);
  for (let k = 0; k < n; k++) doneS[k] = onClock(clock, pairs.done[k]!);
  const span = timeSpan(history);
  const t0 = onClock(clock, span.start);
  const t1 = onClock(clock, span.end);
  const { bands, measures } = faultTimeline(history, span.end, clock.originNs);
  const reads = finalReads(history);
  const shift = clock.originNs / 1e9;
  return {
    t0: round(t0, 4),
    t1: round(t1, 4),
    scatter,
    rate: throughput(doneS, pairs.type, n, t0, t1),
    quantiles: latencyQuantiles(pairs, (k) => F_NAMES[fCode(k)]!, clock, t0, t1),
    lanes: processLanes(history, pairs, clock, t0, t1),
    faults: bands.map((b) => ({ ...b, from: round(b.from, 4), to: round(b.to, 4) })),
    measures,
    unseen: unseenData(results, clock),
    finalReads: reads && { from: round(reads.from - shift, 4), to: round(reads.to - shift, 4) },
    phases: runPhases(history, clock, span.end),
    loss: lossMarks(derived, history, pairs, clock),
  };
}

/** First and last op time in the history (faults included), ns on the history's clock. */
export function timeSpan(history: History): { start: number; end: number } {
  let start = Infinity;
  let end = -Infinity;
  for (const op of history) {
    const t = typeof op.time === "number" ? op.time : 0;
    if (t < start) start = t;
    if (t > end) end = t;
  }
  return start === Infinity ? { start: 0, end: 0 } : { start, end };
}

/**
 * The final reads as the history shows them: between the harness's final-reads markers; in a history
 * without markers, the last client process to start, if it only assigns and polls and begins after
 * every other client process has finished (a fresh consumer reading every key from offset 0,
 * docs/design.md, Phases of a run). Seconds on the history's clock; null when no such phase is seen.
 */
export function finalReads(history: History): { from: number; to: number } | null {
  // A history with phase markers says when its final reads ran (checkers/phases.ts).
  const marks = history.filter((op) => op.process === HARNESS_PROCESS && op.f === "final-reads");
  if (marks.length > 0) {
    const from = marks.find((op) => op.type === "invoke");
    const to = marks.find((op) => op.type !== "invoke");
    return from && to ? { from: round(from.time / 1e9, 4), to: round(to.time / 1e9, 4) } : null;
  }
  const first = new Map<unknown, number>();
  const last = new Map<unknown, number>();
  const onlyReads = new Map<unknown, boolean>();
  for (const op of history) {
    if (op.process === "nemesis" || op.process === HARNESS_PROCESS) continue;
    if (!first.has(op.process)) first.set(op.process, op.time);
    last.set(op.process, op.time);
    if (op.f !== "poll" && op.f !== "assign" && op.f !== "subscribe") onlyReads.set(op.process, false);
    else if (!onlyReads.has(op.process)) onlyReads.set(op.process, true);
  }
  let reader: unknown;
  let start = -Infinity;
  for (const [p, t] of first) if (t > start) [reader, start] = [p, t];
  if (reader === undefined || !onlyReads.get(reader) || first.size < 2) return null;
  for (const [p, t] of last) if (p !== reader && t > start) return null;
  return { from: round(start / 1e9, 4), to: round(last.get(reader)! / 1e9, 4) };
}

function unseenData(results: Results, clock: Clock): ChartData["unseen"] {
  const s = results.unseenSeries;
  const points = s?.points ?? [];
  const x = points.map((p) => round(onClock(clock, p.time), 4));
  const total = points.map((p) => p.total);
  const peak = (s?.keys ?? []).map((_, k) => points.reduce((m, p) => Math.max(m, p.counts[k] ?? 0), 0));
  const chosen = peak
    .map((m, k) => [m, k] as const)
    .filter(([m]) => m > 0)
    .sort((a, b) => b[0] - a[0])
    .slice(0, UNSEEN_KEYS)
    .map(([, k]) => k)
    .sort((a, b) => a - b);
  return {
    x,
    keys: chosen.map((k) => String(s.keys[k])),
    counts: chosen.map((k) => points.map((p) => p.counts[k] ?? 0)),
    total,
  };
}
