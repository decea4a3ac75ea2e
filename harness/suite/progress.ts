// What a suite says while it runs (pure): which run of how many, with an estimate of the time left,
// and each run's result in one line: its verdict, what it lost, the faults that took effect.
import { lossSentence } from "../../checkers/loss-summary.ts";
import { verdictWord } from "../../checkers/verdict.ts";
import type { ScenarioRun } from "./judge.ts";

/** Runs a scenario makes at least (a detection may go on to maxRuns until it finds). */
export interface PlannedRuns {
  min: number;
  max: number;
}

/** "~4 min 10 s left": the mean duration of the runs so far times the runs still planned, over the
 *  lanes that run them side by side. */
export function eta(secondsPerRun: readonly number[], remaining: number, lanes = 1): string {
  if (secondsPerRun.length === 0 || remaining <= 0) return "";
  const mean = secondsPerRun.reduce((a, b) => a + b, 0) / secondsPerRun.length;
  const left = Math.round((mean * remaining) / Math.max(1, lanes));
  const m = Math.floor(left / 60);
  return `, ~${m ? `${m} min ` : ""}${left % 60} s left`;
}

/** "[3/10] acks1-leader-killed run 2 (up to 3)": the suite's run count, then the scenario's. */
export function runHeader(done: number, total: number, scenario: string, k: number, runs: PlannedRuns): string {
  const of = runs.max > runs.min ? ` (up to ${runs.max})` : runs.max > 1 ? ` of ${runs.max}` : "";
  return `[${done + 1}/${total}] ${scenario} run ${k}${of}`;
}

/** "VALID: 272 of 1,340 acknowledged writes lost (20%), permitted by acks=1; faults 3 applied, 2 effective; 61 s". */
export function runResultLine(r: ScenarioRun, seconds: number): string {
  const verdict = verdictWord(r.valid);
  const why = r.valid === false ? ` (forbidden ${r.forbidden.join(", ")})` : "";
  const loss = r.loss ? `: ${lossSentence(r.loss)}` : "";
  const f = r.faults;
  const faults =
    f.applied + f.refused + f.uncertain > 0
      ? `; faults ${f.applied} applied, ${f.effective} effective${f.refused ? `, ${f.refused} refused` : ""}`
      : "; no faults";
  return `${verdict}${why}${loss}${faults}; ${Math.round(seconds)} s`;
}
