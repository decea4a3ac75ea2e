// The throughput bench's printed lines, as pure functions: one line per step while it ramps, and
// the summary table, one row per client (its raw and recorded ceilings, the ratio beside them, or
// why the client was not measured).
import type { RampVerdict, Step } from "./ramp.ts";
import { ceilingOf, overheadRatio, sameLoadRatio } from "./ramp.ts";

export type Mode = "raw" | "recorded";

/** A client's result: both ceilings, or why there are none (not installed, or its ramp failed). */
export type ClientRow =
  | {
      client: string;
      raw: Step;
      recorded: Step;
      rawStopped: RampVerdict;
      recordedStopped: RampVerdict;
      /** recorded / raw at the same load, the median over the levels (ramp.ts sameLoadRatio). */
      sameLoad?: number;
    }
  | { client: string; absent: string };

/** A client's row from its ramp: each mode's ceiling and why its ramp stopped, and the same-load ratio. */
export function clientRow(client: string, steps: Record<Mode, readonly Step[]>, stopped: Record<Mode, RampVerdict>): ClientRow {
  const raw = ceilingOf(steps.raw);
  const recorded = ceilingOf(steps.recorded);
  if (!raw || !recorded) return { client, absent: "failed: a ramp measured nothing" };
  return {
    client,
    raw,
    recorded,
    rawStopped: stopped.raw,
    recordedStopped: stopped.recorded,
    sameLoad: sameLoadRatio(steps.raw, steps.recorded),
  };
}

const load = (s: Step) => `${s.level.producers}x${s.level.burst}`;
const rate = (n: number) => `${Math.round(n)}/s`;

export function formatStep(client: string, mode: Mode, s: Step): string {
  return `  ${client} ${mode.padEnd(8)} ${load(s).padStart(5)} in flight: ${rate(s.acked).padStart(7)} acked, p99 ${Math.round(s.p99Ms)} ms${s.failed ? `, ${s.failed} not acked` : ""}`;
}

const why = (v: RampVerdict) => (v.go ? "" : v.why === "flat" ? "stopped rising" : v.why === "p99" ? "p99 exploded" : "highest load tried");

function ceiling(s: Step, v: RampVerdict): string {
  return `${rate(s.acked)} at ${load(s)}, p99 ${Math.round(s.p99Ms)} ms (${why(v)})`;
}

/** The summary: a header, then one line per client. */
export function formatTable(rows: readonly ClientRow[]): string[] {
  const width = Math.max(6, ...rows.map((r) => r.client.length));
  const lines = [
    `${"client".padEnd(width)}  recorded/raw  same load  recorded ceiling / raw ceiling (acknowledged writes/s, load producers x burst)`,
  ];
  for (const r of rows) {
    if ("absent" in r) {
      lines.push(`${r.client.padEnd(width)}  ${r.absent}`);
      continue;
    }
    const fixed = (x: number | undefined) => (x === undefined ? "-" : x.toFixed(2));
    lines.push(
      `${r.client.padEnd(width)}  ${fixed(overheadRatio(r.recorded.acked, r.raw.acked)).padStart(12)}  ${fixed(r.sameLoad).padStart(9)}  ${ceiling(r.recorded, r.recordedStopped)} / ${ceiling(r.raw, r.rawStopped)}`,
    );
  }
  return lines;
}
