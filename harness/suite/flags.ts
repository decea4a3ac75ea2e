// Flags of the replay and shrink commands, parsed with errors that name the flag (exit 2).
import type { Command } from "commander";
import { ANOMALY_TYPES, type AnomalyType } from "../../checkers/index.ts";
import { SpecError } from "../spec/errors.ts";

export const positiveInt = (what: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new SpecError(what, [`must be a whole number of at least 1 (got ${JSON.stringify(v)})`]);
  return n;
};

export const anomalyList = (v: string) => {
  const types = v.split(",").filter(Boolean);
  const bad = types.filter((t) => !(ANOMALY_TYPES as readonly string[]).includes(t));
  if (bad.length) throw new SpecError("--anomalies", [`unknown anomaly type(s) ${bad.join(", ")}; known: ${ANOMALY_TYPES.join(", ")}`]);
  return types as AnomalyType[];
};

/** The options replay and shrink share: which anomalies to look for, the store, JSON output. */
export function storedRunOptions(command: Command, anomaliesHelp: string): Command {
  return command
    .option("--anomalies <types>", anomaliesHelp, anomalyList)
    .option("--store <dir>", "store root", "store")
    .option("--json", "print one JSON object on stdout");
}
