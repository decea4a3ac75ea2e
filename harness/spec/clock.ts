// Clock faults as a spec names them (plain data, no zod): their kinds, the bounds of their
// parameters, and whether a run's faults may move a clock, which decides if its cluster starts its
// JVMs under libfaketime (cluster.fakeClock): a clock is faked only where a fault may move it.
import type { FaultKind } from "./fault-kinds.ts";

export const CLOCK_FAULTS = ["clock-bump", "clock-strobe"] as const satisfies readonly FaultKind[];
export type ClockFault = (typeof CLOCK_FAULTS)[number];

/** The largest jump: 30 days, past any retention.ms a run would set. */
export const MAX_CLOCK_DELTA_MS = 30 * 24 * 3600 * 1000;
/** The shortest strobe half-period: libfaketime re-reads its control file at most once a second
 *  (FAKETIME_CACHE_DURATION=1, harness/images/kafka/entrypoint.sh), so a faster strobe is not seen. */
export const MIN_STROBE_PERIOD_MS = 1000;
export const MAX_STROBE_PERIOD_MS = 600_000;

export const isClockFault = (f: string): f is ClockFault => (CLOCK_FAULTS as readonly string[]).includes(f);

/** Whether faults.kinds or an explicit schedule can move a clock. */
export const mayMoveClocks = (faults: { kinds: readonly string[]; schedule?: ReadonlyArray<{ fault: string }> }): boolean =>
  faults.kinds.some(isClockFault) || (faults.schedule ?? []).some((e) => isClockFault(e.fault));

interface ClockParams {
  fault: string;
  deltaMs?: unknown;
  periodMs?: unknown;
}

/** Why a clock fault's parameters are wrong (empty: they are right), each naming its field. */
export function clockParamProblems(f: ClockParams): { path: string[]; message: string }[] {
  if (!isClockFault(f.fault)) return [];
  const out: { path: string[]; message: string }[] = [];
  const d = f.deltaMs;
  if (typeof d !== "number" || !Number.isInteger(d) || d === 0 || Math.abs(d) > MAX_CLOCK_DELTA_MS)
    out.push({
      path: ["deltaMs"],
      message: `must be a whole number of ms, not 0, between -${MAX_CLOCK_DELTA_MS} and ${MAX_CLOCK_DELTA_MS} (30 days), e.g. 3600000 for an hour forward or -1000 for a second back`,
    });
  if (f.fault === "clock-strobe") {
    const p = f.periodMs;
    if (typeof p !== "number" || !Number.isInteger(p) || p < MIN_STROBE_PERIOD_MS || p > MAX_STROBE_PERIOD_MS)
      out.push({
        path: ["periodMs"],
        message: `must be a whole number of ms between ${MIN_STROBE_PERIOD_MS} (libfaketime re-reads its control file once a second) and ${MAX_STROBE_PERIOD_MS}`,
      });
  } else if (f.periodMs !== undefined) out.push({ path: ["periodMs"], message: "is for clock-strobe only" });
  return out;
}
