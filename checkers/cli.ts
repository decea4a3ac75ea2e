// The `check` command: check a stored history (JSON Lines or Jepsen EDN) against a configuration.
// Exit codes: 0 valid, 1 invalid, 2 unknown or bad input (message on stderr).
import type { Command } from "commander";
import type { Results } from "./check.ts";
import type { CheckConfig } from "./guarantees.ts";
import { camel, checkValue, flagValue, optionHeads, VERDICT_SETTINGS, type VerdictFlags } from "./settings.ts";
import { exitCodeOf } from "./verdict.ts";

/** The flags of the verdict settings (checkers/settings.ts), --json, and --txn, the older spelling of --workload txn. */
export type CheckFlags = VerdictFlags & { json?: boolean; txn?: boolean };

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/** `exit` receives the command's exit code (commands never set process.exitCode). */
export function registerCheckCommand(program: Command, exit: (code: number) => void): void {
  const command = program
    .command("check")
    .description("check a stored history (.jsonl/.json or Jepsen .edn); unspecified settings are assumed at their strongest")
    .argument("<file>", "history file")
    .option("--json", "print the results as one JSON object");
  for (const setting of VERDICT_SETTINGS) for (const o of optionHeads(setting)) command.option(o.head, o.help);
  command
    .option("--txn", "the producers were transactional (same as --workload txn)")
    .option("--no-txn", "the producers were not transactional (same as --workload queue)")
    .action(async (file: string, flags: CheckFlags) => {
      exit(await checkCommand(file, flags));
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

/** Runs the check and returns the exit code. */
export async function checkCommand(file: string, flags: CheckFlags, io: Io = processIo): Promise<number> {
  const config = configFromFlags(flags);
  if (typeof config === "string") {
    io.stderr(`check: ${config}\n`);
    return 2;
  }
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
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (e instanceof HistoryError) io.stderr(`${e.message}\n`);
    else if (err.code === "ENOENT") io.stderr(`check: no such file: ${file}\n`);
    else io.stderr(`check: cannot read ${file}: ${err.message}\n`);
    return 2;
  }
  io.stdout(flags.json ? `${JSON.stringify(results)}\n` : `${summarize(results)}\n`);
  if (results.valid === "unknown") io.stderr(`check: ${results.unknownReason}\n`);
  return exitCodeOf(results);
}
