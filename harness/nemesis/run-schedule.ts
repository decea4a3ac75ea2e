// Executes a schedule against a nemesis in real time: each fault at its `at` (ms from `origin`, the
// workload start), its undo `duration` ms later. One nemesis op at a time: a fault that takes long
// (a bounce, a 30 s stop) delays what follows, which then runs as soon as it can; the history has
// the real times. Ends with heal-all, also when interrupted (signal) or when something throws, so
// the cluster is whole when this returns; unless `heal: false`, for a caller that heals in a step
// of its own (a run heals in its heal phase, once).
import { hasUndo } from "../../checkers/fault-names.ts";
import type { ScheduledFault } from "./schedule.ts";
import { faultOf } from "./schedule.ts";
import type { FaultResult, Nemesis } from "./types.ts";

export interface RunScheduleOptions {
  /** Aborting stops the schedule (an op under way completes) and heals everything. */
  signal?: AbortSignal;
  /** performance.now() of the workload start; default: when runSchedule is called. */
  origin?: number;
  progress?: (message: string) => void;
  /** false: leave heal-all to the caller (default true). */
  heal?: boolean;
}

export interface ScheduleOutcome {
  steps: { entry: ScheduledFault; fault?: FaultResult; undo?: FaultResult }[];
  interrupted: boolean;
}

interface Event {
  time: number;
  undo: boolean;
  i: number;
}

/** Faults and undos in time order; at equal times undos go first (a fault never meets its predecessor). */
export function timeline(schedule: readonly ScheduledFault[]): Event[] {
  const events: Event[] = [];
  schedule.forEach((e, i) => {
    events.push({ time: e.at, undo: false, i });
    if (hasUndo(e.fault)) events.push({ time: e.at + e.duration, undo: true, i });
  });
  return events.sort((a, b) => a.time - b.time || Number(b.undo) - Number(a.undo) || a.i - b.i);
}

function sleepUntil(deadline: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const ms = deadline - performance.now();
    if (ms <= 0 || signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

export function runSchedule(
  schedule: readonly ScheduledFault[],
  nemesis: Nemesis,
  o: RunScheduleOptions & { heal: false },
): Promise<ScheduleOutcome>;
export function runSchedule(
  schedule: readonly ScheduledFault[],
  nemesis: Nemesis,
  o?: RunScheduleOptions & { heal?: true },
): Promise<ScheduleOutcome & { healAll: FaultResult }>;
export async function runSchedule(
  schedule: readonly ScheduledFault[],
  nemesis: Nemesis,
  o: RunScheduleOptions = {},
): Promise<ScheduleOutcome & { healAll?: FaultResult }> {
  const origin = o.origin ?? performance.now();
  const steps: ScheduleOutcome["steps"] = schedule.map((entry) => ({ entry }));
  let healAll: FaultResult | undefined;
  try {
    for (const ev of timeline(schedule)) {
      await sleepUntil(origin + ev.time, o.signal);
      if (o.signal?.aborted) break;
      const step = steps[ev.i]!;
      if (!ev.undo) {
        const at = Math.round(performance.now() - origin);
        step.fault = await nemesis.invoke(faultOf(step.entry));
        o.progress?.(`nemesis: ${describe(step.entry)} at ${at} ms: ${outcome(step.fault)}`);
      } else if (step.fault?.undo && step.fault.type !== "fail") {
        step.undo = await nemesis.invoke(step.fault.undo);
      }
    }
  } finally {
    if (o.heal !== false) {
      o.progress?.(`nemesis: heal-all${o.signal?.aborted ? " (interrupted)" : ""}`);
      healAll = await nemesis.healAll();
    }
  }
  return { steps, interrupted: o.signal?.aborted ?? false, ...(healAll ? { healAll } : {}) };
}

/** "kafka2 (leader of t-2), ok", "refused: kafka1 is under kill": what a fault hit, and how it ended. */
export function outcome(r: FaultResult): string {
  const v = r.value;
  const hit = v.targets.length ? `${v.targets.join(", ")}${v.leaderOf ? ` (leader of ${v.leaderOf})` : ""}` : "";
  if (r.type === "fail") return `refused${v.reason ? `: ${v.reason}` : ""}`;
  return `${hit}${hit ? ", " : ""}${r.type === "ok" ? "ok" : `uncertain${v.reason ? `: ${v.reason}` : ""}`}`;
}

export function describe(e: ScheduledFault): string {
  const t = "targets" in e && e.targets ? ` ${e.targets.kind === "leader" ? `leader of ${e.targets.of}` : e.targets.kind}` : "";
  const clock = "deltaMs" in e ? ` ${e.deltaMs > 0 ? "+" : ""}${e.deltaMs} ms${"periodMs" in e ? ` every ${e.periodMs} ms` : ""}` : "";
  return `${e.fault}${e.fault === "partition" ? ` ${e.topology}` : ""}${clock}${t} for ${e.duration} ms`;
}
