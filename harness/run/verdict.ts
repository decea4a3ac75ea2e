// A run's verdict from its results and what happened to it (pure): without complete final reads a
// lone `unseen` is not decidable, and the exit code follows the verdict.
import type { Results } from "../../checkers/index.ts";

/** Without complete final reads, `unseen` is not decidable (the values may be there, unread): a
 *  run whose only forbidden finding is unseen is unknown, not invalid. Other forbidden findings
 *  (a lost write below what reads reached, a reused offset, ...) stand. */
export function undecided(results: Results, unknownReason: string | undefined): Results {
  if (!unknownReason || results.valid === "unknown") return results;
  const decidable = results.forbidden.filter((t) => t !== "unseen");
  if (results.valid === false && decidable.length > 0) return results;
  return { ...results, valid: "unknown", unknownReason };
}

export const exitCodeOf = (r: Results): 0 | 1 | 2 => (r.valid === true ? 0 : r.valid === false ? 1 : 2);
