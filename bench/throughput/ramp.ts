// The throughput bench's ramp, as pure functions: the offered loads it steps through, when to stop
// stepping (the acknowledged rate stopped rising, or latency exploded) and which step was the
// ceiling. The bench (bench/throughput.ts) measures; this module only decides.

/** One offered load: producers each sending bursts of `burst` records back to back (each burst
 *  awaited before the next), so at most producers x burst records are in flight. */
export interface Level {
  producers: number;
  burst: number;
}

/** The loads tried, lowest first: 1, 4 and 16 producers with bursts of 4 (the workload's default
 *  largest burst), then the spec's most producers (32) with longer bursts, up to its largest (64);
 *  the records in flight grow 4x, then 2x. Every level is a load a run's spec can ask for. */
export const RAMP_LEVELS: readonly Level[] = [
  { producers: 1, burst: 4 },
  { producers: 4, burst: 4 },
  { producers: 16, burst: 4 },
  { producers: 32, burst: 8 },
  { producers: 32, burst: 16 },
  { producers: 32, burst: 32 },
  { producers: 32, burst: 64 },
];

/** What one step measured. */
export interface Step {
  level: Level;
  /** Records acknowledged per second over the step (acks=all). */
  acked: number;
  /** 99th percentile of a burst's time from its first send to its last answer, ms. */
  p99Ms: number;
  /** Records not acknowledged (errors, timeouts) during the step. */
  failed: number;
}

export interface RampRule {
  /** A step raises the best rate only if it beats it by this share (0.05: by more than 5%). */
  minGain: number;
  /** Stop after this many steps in a row that did not raise it. */
  patience: number;
  /** Stop once a step's p99 passes this (ms): the load queues in the client, not the cluster. */
  maxP99Ms: number;
}

/** Two doublings without 5% more: on a shared 2-core machine one flat step can be noise. 5 s p99
 *  is an eighth of the workload's default op timeout (40 s): far past where a run's ops stay `ok`
 *  in time to be useful, well before they end `info`. */
export const DEFAULT_RULE: RampRule = { minGain: 0.05, patience: 2, maxP99Ms: 5000 };

export type RampVerdict = { go: true } | { go: false; why: "flat" | "p99" | "top" };

/** Whether to try the next level after `steps` (the levels measured so far, in ramp order). */
export function rampVerdict(steps: readonly Step[], levels: number, rule: RampRule = DEFAULT_RULE): RampVerdict {
  const last = steps.at(-1);
  if (!last) return { go: true };
  if (last.p99Ms > rule.maxP99Ms) return { go: false, why: "p99" };
  let best = steps[0]!.acked;
  let since = 0;
  for (const s of steps.slice(1)) {
    if (s.acked > best * (1 + rule.minGain)) {
      best = s.acked;
      since = 0;
    } else since++;
  }
  if (since >= rule.patience) return { go: false, why: "flat" };
  if (steps.length >= levels) return { go: false, why: "top" };
  return { go: true };
}

/** The step with the highest acknowledged rate (the first of equals): the ceiling and the load it came from. */
export function ceilingOf(steps: readonly Step[]): Step | undefined {
  return steps.reduce<Step | undefined>((best, s) => (best === undefined || s.acked > best.acked ? s : best), undefined);
}

/** recorded / raw: 1 is no overhead; undefined without a raw rate to divide by. */
export function overheadRatio(recorded: number, raw: number): number | undefined {
  return raw > 0 ? recorded / raw : undefined;
}

/** The median of recorded / raw over the levels both measured: the overhead at the same load, the
 *  two steps of a level run back to back, so it moves less with the machine's load than the ratio
 *  of the two ceilings (each the best of a few noisy steps). Undefined without a common level. */
export function sameLoadRatio(raw: readonly Step[], recorded: readonly Step[]): number | undefined {
  const same = (a: Step, b: Step) => a.level.producers === b.level.producers && a.level.burst === b.level.burst;
  const ratios = recorded.flatMap((r) => {
    const w = raw.find((s) => same(s, r));
    return w && w.acked > 0 ? [r.acked / w.acked] : [];
  });
  if (ratios.length === 0) return undefined;
  const sorted = ratios.sort((a, b) => a - b);
  const m = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

/** Nearest-rank percentile (p in 0..100) of the values; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
