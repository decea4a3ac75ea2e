// A run's verdict from its results and what happened to it (pure): without complete final reads a
// lone `unseen` is not decidable (checkers/phases.ts), and the exit code follows the verdict.
import type { Results } from "../../checkers/index.ts";

export { undecided } from "../../checkers/phases.ts";

export const exitCodeOf = (r: Results): 0 | 1 | 2 => (r.valid === true ? 0 : r.valid === false ? 1 : 2);
