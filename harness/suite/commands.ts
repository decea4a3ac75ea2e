// The replay and shrink commands: their flags, parsed with errors that name the flag (exit 254), and
// their actions, which load the runner (testcontainers, kafkajs) only when they run, so registering
// them costs the command line nothing.
import type { Command } from "commander";
import { EXIT } from "../../checkers/exit-codes.ts";
import { ANOMALY_TYPES, type AnomalyType } from "../../checkers/findings.ts";
import { meant } from "../../checkers/suggest.ts";
import { verdictInList, verdictName } from "../../checkers/verdict.ts";
import { SpecError } from "../spec/errors.ts";

export const positiveInt = (what: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new SpecError(what, [`must be a whole number of at least 1 (got ${JSON.stringify(v)})`]);
  return n;
};

export const anomalyList = (v: string) => {
  const types = v.split(",").filter(Boolean);
  const bad = types.filter((t) => !(ANOMALY_TYPES as readonly string[]).includes(t));
  if (bad.length)
    throw new SpecError("--anomalies", [
      ...bad.map((t) => `unknown anomaly type ${t}${meant(t, ANOMALY_TYPES)}`),
      `known: ${ANOMALY_TYPES.join(", ")}`,
    ]);
  return types as AnomalyType[];
};

/** The options replay and shrink share: which anomalies to look for, the store, JSON output. */
export function storedRunOptions(command: Command, anomaliesHelp: string): Command {
  return command
    .option("--anomalies <types>", anomaliesHelp, anomalyList)
    .option("--store <dir>", "store root", "store")
    .option("--json", "print one JSON object on stdout, errors included (default: off)");
}

/** `kafka-harness replay <run-dir> [--times N]`: exit 0 if reproduced at least once, 1 if not. */
export function registerReplayCommand(program: Command, exit: (code: number) => void): void {
  const command = program
    .command("replay <run-dir>")
    .description("rerun a stored run with its spec and seed, and say whether its anomaly types appear again")
    .option("--times <n>", "replays to run", positiveInt("--times"), 1);
  storedRunOptions(command, "comma-separated anomaly types to look for (default: those the run found)").action(
    async (runDir: string, o: { times: number; anomalies?: AnomalyType[]; store: string; json?: boolean }) => {
      const progress = (m: string) => console.error(m);
      const { replayRun, formatReplay } = await import("./replay.ts");
      const r = await replayRun(runDir, { times: o.times, anomalies: o.anomalies, storeRoot: o.store, progress });
      const summary = formatReplay(r);
      if (o.json)
        console.log(
          JSON.stringify({
            runDir,
            seed: r.spec.seed,
            targets: r.targets,
            reproduced: r.reproduced,
            perType: r.perType,
            attempts: r.attempts.map((a) => ({ verdict: verdictName(a.valid), ...a })),
            summary,
          }),
        );
      else {
        for (const a of r.attempts) console.log(`${a.dir}: ${verdictInList(a.valid)}; ${a.anomalyTypes.join(", ") || "no anomalies"}`);
        console.log(summary);
      }
      // With nothing to look for, a replay that ran is a success; otherwise it must reproduce.
      exit(r.targets.length === 0 || r.reproduced > 0 ? EXIT.valid : EXIT.invalid);
    },
  );
}

/** `kafka-harness shrink <run-dir> [--max-runs N]`: exit 0 if a smaller spec kept the anomaly, 1 if none did. */
export function registerShrinkCommand(program: Command, exit: (code: number) => void): void {
  const command = program
    .command("shrink <run-dir>")
    .description("try smaller specs (same seed) that still show the run's anomaly; writes shrunk-spec.json into the run dir")
    .option("--max-runs <n>", "runs to spend at most", positiveInt("--max-runs"), 8);
  storedRunOptions(command, "comma-separated anomaly types to keep (default: those the run found)").action(
    async (runDir: string, o: { maxRuns: number; anomalies?: AnomalyType[]; store: string; json?: boolean }) => {
      const progress = (m: string) => console.error(m);
      const { shrinkRun } = await import("./shrink.ts");
      const r = await shrinkRun(runDir, { maxRuns: o.maxRuns, anomalies: o.anomalies, storeRoot: o.store, progress });
      if (o.json)
        console.log(
          JSON.stringify({ runDir, targets: r.targets, steps: r.steps, attempts: r.attempts, smallest: r.smallest, path: r.path }),
        );
      else {
        for (const a of r.attempts)
          console.log(`${a.kept ? "kept   " : "dropped"} ${a.step}: ${a.anomalyTypes.join(", ") || "no anomalies"} (${a.dir})`);
        console.log(
          r.steps.length
            ? `shrunk by: ${r.steps.join("; ")}`
            : `no smaller spec kept ${r.targets.join(" or ")} in ${r.attempts.length} run(s)`,
        );
        console.log(JSON.stringify(r.smallest, null, 2));
        console.log(`written: ${r.path}\nrun it: npx kafka-harness run --spec ${r.path}`);
      }
      exit(r.steps.length > 0 ? EXIT.valid : EXIT.invalid);
    },
  );
}
