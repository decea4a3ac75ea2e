// The faults a run's header and the index name: those the history shows applied (kinds and explicit
// schedules alike), with the planned ones only when there are no results to say what happened.
import type { FaultCounts } from "../checkers/faults.ts";

export interface PlannedFaults {
  kinds?: unknown;
  schedule?: unknown;
}

/** The fault names a spec plans: its kinds, or its explicit schedule's faults. */
export function plannedFaults(faults: PlannedFaults | undefined): string[] | undefined {
  if (!faults) return undefined;
  const schedule = Array.isArray(faults.schedule) ? faults.schedule.map((f) => String((f as { fault?: unknown })?.fault)) : [];
  if (schedule.length) return [...new Set(schedule)];
  return Array.isArray(faults.kinds) ? faults.kinds.map(String) : undefined;
}

/** "kill ×3 (2 effective)", "partition ×2 (2 effective)", …: applied faults per kind and how many
 *  reached the data path (results stored before that was counted say only ×n); "no faults" or "none
 *  applied (planned: …)" otherwise; the planned names when the run has no results. Empty when nothing
 *  is known. */
export function faultChips(planned: PlannedFaults | undefined, counts: FaultCounts | undefined): string[] {
  const plan = plannedFaults(planned);
  if (!counts) return plan === undefined ? [] : plan.length ? plan.map((f) => `${f} (planned)`) : ["no faults"];
  const applied = Object.entries(counts.byKind)
    .filter(([, c]) => c.applied > 0)
    .map(([kind, c]) => `${kind} ×${c.applied}${typeof c.effective === "number" ? ` (${c.effective} effective)` : ""}`);
  if (applied.length) return applied;
  const tried = counts.refused + counts.uncertain > 0;
  if (!plan?.length && !tried) return ["no faults"];
  return [`none applied${plan?.length ? ` (planned: ${plan.join(", ")})` : ""}`];
}
