// A run's latencies in a few numbers (pure): per f (send, poll, txn), the nearest-rank quantiles of
// its ok ops, as the report's latency-quantiles plot draws them over time. The runner keeps them in
// spec.json's meta, so the index compares two runs without reading their histories.
import type { Op, OpPairs } from "../checkers/index.ts";
import { QUANTILES } from "./lanes.ts";

export interface Latency {
  /** Ok ops measured. */
  count: number;
  /** Milliseconds, at QUANTILES (0.5, 0.95, 0.99, 1). */
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export type LatencySummary = Partial<Record<"send" | "poll" | "txn", Latency>>;

const CLIENT_FS = ["send", "poll", "txn"] as const;
const round = (ms: number) => Math.round(ms * 100) / 100;

/** `history`: the ops `pairs` index into (opPairs of the checked history). */
export function latencySummary(history: readonly Op[], pairs: OpPairs): LatencySummary {
  const byF = new Map<string, number[]>();
  for (let k = 0; k < pairs.n; k++) {
    if (pairs.type[k] !== 0 || pairs.invIndex[k]! < 0) continue; // ok ops with an invocation
    // pairs.index is the op's history index, its position in a history as the runner records it.
    const idx = pairs.index[k]!;
    const f = history[idx]?.index === idx ? history[idx].f : undefined;
    if (!f || !(CLIENT_FS as readonly string[]).includes(f)) continue;
    let xs = byF.get(f);
    if (!xs) byF.set(f, (xs = []));
    xs.push((pairs.done[k]! - pairs.inv[k]!) / 1e6);
  }
  const out: LatencySummary = {};
  for (const f of CLIENT_FS) {
    const xs = byF.get(f)?.sort((a, b) => a - b);
    if (!xs?.length) continue;
    const [p50, p95, p99, max] = QUANTILES.map((q) => round(xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]!));
    out[f] = { count: xs.length, p50: p50!, p95: p95!, p99: p99!, max: max! };
  }
  return out;
}
