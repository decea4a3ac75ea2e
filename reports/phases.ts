// The run's phases as the timeline labels them (docs/design.md, Phases of a run): the workload,
// heal, resync (waiting until every replica is in sync) and the final reads, from the history's
// own marks: the harness's `workload` and `final-reads` markers and the nemesis's `heal-all`. A
// history without markers shows only the final reads it can be seen to have (timeline.ts).

import { HEAL_ALL } from "../checkers/fault-names.ts";
import type { History } from "../checkers/index.ts";
import { HARNESS_PROCESS } from "../checkers/phases.ts";
import { type Clock, onClock } from "./clock.ts";
import { round } from "./ops.ts";

export type PhaseName = "workload" | "heal" | "resync" | "final reads";

export interface PhaseSpan {
  name: PhaseName;
  /** Seconds on the page's clock. */
  from: number;
  to: number;
  /** The phase's end was not recorded (cut short by the end of the history). */
  open?: boolean;
}

export function runPhases(history: History, clock: Clock, endNs: number): PhaseSpan[] {
  let workload: { from?: number; to?: number } = {};
  let heal: { from?: number; to?: number } = {};
  let reads: { from?: number; to?: number } = {};
  for (const op of history) {
    if (op.process === HARNESS_PROCESS && op.f === "workload") {
      if (op.type === "invoke") workload = { from: op.time };
      else workload.to = op.time;
    } else if (op.process === HARNESS_PROCESS && op.f === "final-reads") {
      if (op.type === "invoke") reads = { from: op.time };
      else reads.to = op.time;
    } else if (op.process === "nemesis" && op.f === HEAL_ALL && workload.to !== undefined) {
      // The heal phase's heal-all: the first one after the workload ended.
      if (op.type === "invoke" && heal.from === undefined) heal.from = op.time;
      else if (op.type !== "invoke" && heal.from !== undefined && heal.to === undefined) heal.to = op.time;
    }
  }
  const out: PhaseSpan[] = [];
  const add = (name: PhaseName, from: number | undefined, to: number | undefined) => {
    if (from === undefined) return;
    const span: PhaseSpan = { name, from: round(onClock(clock, from), 4), to: round(onClock(clock, to ?? endNs), 4) };
    if (to === undefined) span.open = true;
    out.push(span);
  };
  add("workload", workload.from, workload.to);
  add("heal", heal.from, heal.to);
  // Resync: from the heal (or the workload's end) to the final reads.
  const resyncFrom = heal.to ?? (heal.from === undefined ? workload.to : undefined);
  if (resyncFrom !== undefined && reads.from !== undefined && reads.from > resyncFrom) add("resync", resyncFrom, reads.from);
  add("final reads", reads.from, reads.to);
  return out;
}
