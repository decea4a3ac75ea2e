// The verdict (docs/design.md, "Verdict"): Elle's single `valid?` — true, false or "unknown" — its
// words, its exit code, and the one rule by which what a run knows besides its history (it was
// interrupted, its final reads fell short, it failed) combines with what the checkers found.
import type { Results, Validity } from "./check.ts";
import { NO_FINAL_READS } from "./phases.ts";

/** The verdict in capitals, as a headline says it. */
export const verdictWord = (v: Validity): "VALID" | "INVALID" | "UNKNOWN" => (v === true ? "VALID" : v === false ? "INVALID" : "UNKNOWN");

/** The verdict as a name (a CSS class, a suite's expected verdict). */
export const verdictName = (v: Validity): "valid" | "invalid" | "unknown" => (v === true ? "valid" : v === false ? "invalid" : "unknown");

/** The verdict in a list of runs: lower case, INVALID in capitals so it stands out. */
export const verdictInList = (v: Validity): string => (v === false ? "INVALID" : verdictName(v));

/** 0 valid, 1 invalid, 2 unknown; an interrupted run that is not invalid is 2 (it did not finish). */
export function exitCodeOf(results: Pick<Results, "valid">, interrupted = false): 0 | 1 | 2 {
  if (results.valid === false) return 1;
  return results.valid === true && !interrupted ? 0 : 2;
}

/** What a run knows besides its history. */
export interface RunFacts {
  interrupted: boolean;
  /** Why the run cannot be decided (interrupted, failed, final reads short), if it cannot. */
  unknownReason?: string;
}

/**
 * The merge rule. Without complete final reads, `unseen` is not decidable (the values may be there,
 * unread): results whose only forbidden finding is unseen become unknown, with the reason. Other
 * forbidden findings (a lost write below what reads reached, a reused offset, ...) stand.
 */
export function undecided(results: Results, unknownReason: string | undefined): Results {
  if (!unknownReason || results.valid === "unknown") return results;
  const decidable = results.forbidden.filter((t) => t !== "unseen");
  if (results.valid === false && decidable.length > 0) return results;
  return { ...results, valid: "unknown", unknownReason };
}

/** The checker's results with the run's facts merged in (the rule above). Pure. */
export function judge(results: Results, facts: RunFacts): Results {
  const judged = undecided(results, facts.unknownReason);
  // The history itself says its final reads did not complete; the run knows why (the key keeps
  // its place, so results.json reads as before).
  if (facts.unknownReason && judged.unknownReason === NO_FINAL_READS) return { ...judged, unknownReason: facts.unknownReason };
  return judged;
}
