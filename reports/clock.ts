// One clock for the whole page: seconds since the workload started (the history's `workload`
// marker, checkers/phases.ts), the clock the spec's fault schedule and the run's progress lines
// count in. The history's own clock starts with the run (before the cluster is up), so its times
// are shifted once, here; the offset is shown once, in the run details.
import type { History } from "../checkers/index.ts";
import { HARNESS_PROCESS } from "../checkers/phases.ts";

export interface Clock {
  /** The history time (ns) the page counts from. */
  originNs: number;
  /** Where the origin comes from: the workload marker, or (a history without markers) the first op. */
  source: "workload" | "first-op";
}

export function pageClock(history: History): Clock {
  let first = Infinity;
  for (const op of history) {
    if (op.process === HARNESS_PROCESS && op.f === "workload" && op.type === "invoke") return { originNs: op.time, source: "workload" };
    if (typeof op.time === "number" && op.time < first) first = op.time;
  }
  return { originNs: first === Infinity ? 0 : first, source: "first-op" };
}

/** A history time (ns) in seconds on the page's clock. */
export const onClock = (clock: Clock, ns: number): number => (ns - clock.originNs) / 1e9;

/** The run details' line about the clock. */
export function clockNote(clock: Clock): string {
  const at = `${(clock.originNs / 1e9).toFixed(2)} s`;
  return clock.source === "workload"
    ? `times on this page count from the workload's start, which came ${at} after the run's clock started (cluster start and setup)`
    : `times on this page count from the history's first op (at ${at} on its clock): the history has no workload marker`;
}
