// The run's phases as the harness records them in the history itself (docs/design.md, "Phases of
// a run"): marker ops of process "harness", `workload` when the workload starts and ends,
// `final-reads` when the final reads start and end (ok: every key read to its end offset; info:
// not all). A history that has markers says by itself whether its final reads completed, so a
// crashed or interrupted run's file is judged `unknown` for loss wherever it is checked; histories
// without markers (Jepsen's, older runs) are judged as before.
import { TroubleNotes } from "./effective-faults.ts";
import { type GroupTrace, noGroupTrace, noteGroup } from "./group-trace.ts";
import type { Op } from "./history.ts";

export const HARNESS_PROCESS = "harness";
export type Phase = "workload" | "final-reads";

/** What a history says about the run besides its client ops: phase markers and the nemesis ops. */
export interface PhaseMarks {
  /** The history carries phase markers (it was written by a harness that records them). */
  marked: boolean;
  /** An `ok` completion of the final reads was recorded. */
  finalReadsComplete: boolean;
  /** History index of the final reads' invocation marker: every client op after it is a final read. */
  finalReadsFrom?: number;
  /** ns: the workload marker's invocation and completion (the phase faults must overlap to count). */
  workloadFrom?: number;
  workloadTo?: number;
  /** The nemesis ops, in order (few: kept whole, even when the history is streamed). */
  nemesis: Op[];
  /** Client ops that failed or went unknown (few), for telling effective faults (effective-faults.ts). */
  troubles: TroubleNotes;
  /** The consumer groups' members, rebalances and commits (group-trace.ts). */
  groups: GroupTrace;
}

export const noPhaseMarks = (): PhaseMarks => ({
  marked: false,
  finalReadsComplete: false,
  nemesis: [],
  troubles: new TroubleNotes(),
  groups: noGroupTrace(),
});

/** Notes a history op in `marks` (for client ops, only their trouble). */
export function notePhase(marks: PhaseMarks, op: Op): void {
  if (op.process === "nemesis") marks.nemesis.push(op);
  if (op.process !== HARNESS_PROCESS) {
    if (op.process !== "nemesis") {
      marks.troubles.note(op);
      // Only group ops carry a group (the file check's fast path skips ok polls and sends: none do).
      if (op.group !== undefined) noteGroup(marks.groups, op);
    }
    return;
  }
  marks.marked = true;
  if (op.f === "workload") {
    if (op.type === "invoke") marks.workloadFrom = op.time;
    else marks.workloadTo = op.time;
  }
  if (op.f === "final-reads" && op.type === "invoke") marks.finalReadsFrom = op.index;
  if (op.f === "final-reads" && op.type === "ok") marks.finalReadsComplete = true;
}

export const NO_FINAL_READS =
  "the history records no completed final reads (the run was interrupted, crashed or could not read every key to its end): loss of acknowledged writes is not decidable";

/** Why loss cannot be decided from a marked history, or undefined when it can. */
export function phaseUnknownReason(marks: PhaseMarks): string | undefined {
  return marks.marked && !marks.finalReadsComplete ? NO_FINAL_READS : undefined;
}

// The merge rule of an unknown reason with the results lives with the verdict.
export { undecided } from "./verdict.ts";
