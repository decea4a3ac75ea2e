// The `check` command: check a stored history (JSON Lines or Jepsen EDN) against a configuration:
// the run's own settings when its spec.json is beside the history, flags over them, and the
// strongest settings (said aloud) when there is neither. Exit codes: 0 valid, 1 invalid, 2 unknown
// or bad input (message on stderr).
import type { Command } from "commander";
import type { Results } from "./check.ts";
import type { CheckConfig } from "./guarantees.ts";
import { camel, checkValue, configLabels, flagValue, optionHeads, VERDICT_SETTINGS, type VerdictFlags } from "./settings.ts";
import { checkConfigOfSpec, type SpecSettings } from "./spec-config.ts";
import { exitCodeOf, judge, type RunFacts } from "./verdict.ts";

/** The flags of the verdict settings (checkers/settings.ts), --json, and --txn, the older spelling of --workload txn. */
export type CheckFlags = VerdictFlags & { json?: boolean; txn?: boolean; store?: string };

/** What `check` was pointed at: a history, with its run's spec and facts when it lies in a run folder. */
export interface CheckTarget {
  historyPath: string;
  spec?: SpecSettings;
  specPath?: string;
  /** What the run knew besides its history; the verdict merges them as the run did. */
  facts?: RunFacts;
}

/** Where the settings a history was judged under came from. */
export type SettingsSource = "spec" | "flags" | "spec+flags" | "assumed-strongest";

/** Finds what an argument names (a file, a run folder, `latest`); the harness passes one that knows
 *  run folders (reports/check-target.ts). Throws with a message saying what is wrong. */
export type ResolveTarget = (arg: string, storeRoot?: string) => Promise<CheckTarget>;

const fileOnly: ResolveTarget = async (arg) => ({ historyPath: arg });

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/** `exit` receives the command's exit code (commands never set process.exitCode). */
export function registerCheckCommand(program: Command, exit: (code: number) => void, resolveTarget: ResolveTarget = fileOnly): void {
  const command = program
    .command("check")
    .description(
      "check a stored history (.jsonl/.json or Jepsen .edn) under the run's settings (its spec.json) or the flags given; with neither, the strongest settings are assumed",
    )
    .argument("<target>", "a history file, a run folder, or latest (the newest run in the store)")
    .option("--store <dir>", "store root, for latest", "store")
    .option("--json", "print the results as one JSON object");
  for (const setting of VERDICT_SETTINGS) for (const o of optionHeads(setting)) command.option(o.head, o.help);
  command
    .option("--txn", "the producers were transactional (same as --workload txn)")
    .option("--no-txn", "the producers were not transactional (same as --workload queue)")
    .action(async (target: string, flags: CheckFlags) => {
      exit(await checkCommand(target, flags, processIo, resolveTarget));
    });
}

/** Parses the flags into a configuration, or returns what is wrong with them. */
export function configFromFlags(flags: CheckFlags): CheckConfig | string {
  const config: Record<string, unknown> = {};
  for (const s of VERDICT_SETTINGS) {
    const given = (flags as Record<string, string | boolean | undefined>)[camel(s.flag)];
    if (given === undefined) continue;
    const parsed = flagValue(s, given);
    if ("value" in parsed && parsed.value === undefined) continue; // a switch without a --no- form
    const value = "value" in parsed ? checkValue(s.verdict, parsed.value) : undefined;
    if (value === undefined) {
      // Where the field is the flag's own value, its domain says what it takes; else the flag's parser.
      const expected = "expected" in parsed && s.verdict.of ? parsed.expected : s.verdict.domain.expected;
      return `--${s.flag} must be ${expected} (got ${JSON.stringify(given)})`;
    }
    config[s.verdict.key] = value;
  }
  if (flags.txn !== undefined) config.transactional = flags.txn;
  return config as CheckConfig;
}

/** The settings to judge by: the run's spec, the flags over it; and where they came from. */
export function settingsFor(target: CheckTarget, flags: CheckConfig): { config: CheckConfig; from: SettingsSource } {
  const given = Object.keys(flags).length > 0;
  if (!target.spec) return { config: flags, from: given ? "flags" : "assumed-strongest" };
  return { config: { ...checkConfigOfSpec(target.spec), ...flags }, from: given ? "spec+flags" : "spec" };
}

/** Runs the check and returns the exit code. */
export async function checkCommand(
  arg: string,
  flags: CheckFlags,
  io: Io = processIo,
  resolveTarget: ResolveTarget = fileOnly,
): Promise<number> {
  const flagConfig = configFromFlags(flags);
  if (typeof flagConfig === "string") {
    io.stderr(`check: ${flagConfig}\n`);
    return 2;
  }
  let target: CheckTarget;
  try {
    target = await resolveTarget(arg, flags.store);
  } catch (e) {
    io.stderr(`check: ${(e as Error).message}\n`);
    return 2;
  }
  const file = target.historyPath;
  const { config, from } = settingsFor(target, flagConfig);
  const labels = configLabels(config).join(" ");
  if (from === "assumed-strongest") {
    io.stderr(
      `check: no spec.json beside ${file} and no settings given: assuming the strongest settings (acks=all, no unclean election, idempotent, transactions judged read_committed); pass the run's settings as flags (see check --help)\n`,
    );
  } else
    io.stderr(
      `check: judged under ${from === "flags" ? "the flags given" : from === "spec" ? `${target.specPath}` : `${target.specPath} with the flags over it`}${labels ? `: ${labels}` : ""}\n`,
    );
  // Loaded when the command runs, so registering it (every kafka-harness start) costs nothing.
  const [{ checkHistoryFile }, { summarize }, { HistoryError }] = await Promise.all([
    import("./check-file.ts"),
    import("./explain.ts"),
    import("./history.ts"),
  ]);
  let results: Results;
  try {
    const onTornLastLine = (where: string) =>
      io.stderr(`check: ${where}: the last line was cut off while it was written (the run was killed?); skipped\n`);
    results = await checkHistoryFile(file, config, {}, { onTornLastLine });
    if (target.facts) results = judge(results, target.facts);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (e instanceof HistoryError) io.stderr(`${e.message}\n`);
    else if (err.code === "ENOENT") io.stderr(`check: no such file: ${file}\n`);
    else io.stderr(`check: cannot read ${file}: ${err.message}\n`);
    return 2;
  }
  io.stdout(flags.json ? `${JSON.stringify({ ...results, settingsFrom: from })}\n` : `${summarize(results)}\n`);
  if (results.valid === "unknown") io.stderr(`check: ${results.unknownReason}\n`);
  return exitCodeOf(results, target.facts?.interrupted);
}
