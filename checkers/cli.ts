// The `check` command: check a stored history (JSON Lines or Jepsen EDN) against a configuration:
// the run's own settings when its spec.json is beside the history, flags over them, and the
// strongest settings (said aloud) when there is neither. Exit codes (exit-codes.ts): 0 valid, 1
// invalid, 2 unknown, 254 bad input (a bad flag, target or history: message on stderr, and with
// --json the error as the one JSON object on stdout).
import type { Command } from "commander";
import type { Results } from "./check.ts";
import { type ErrorReport, EXIT, errorJson } from "./exit-codes.ts";
import type { CheckConfig } from "./guarantees.ts";
import { camel, checkValue, configLabels, flagValue, optionHeads, VERDICT_SETTINGS, type VerdictFlags } from "./settings.ts";
import { checkConfigOfSpec, type SpecSettings } from "./spec-config.ts";
import { didYouMean } from "./suggest.ts";
import { exitCodeOf, judge, type RunFacts, verdictName } from "./verdict.ts";

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

/** A flag as the user typed it: its option name ("no-unclean", "acks") and text (undefined: a switch). */
export interface TypedFlag {
  name: string;
  value?: string;
}

/** Records each option of `command` as commander parses it, in the order typed (defaults are not
 *  typed). Call after every option is declared. */
export function typedFlags(command: Command): TypedFlag[] {
  const seen: TypedFlag[] = [];
  for (const o of command.options) {
    const name = o.name();
    command.on(`option:${name}`, (value?: string) => void seen.push({ name, ...(value === undefined ? {} : { value }) }));
  }
  return seen;
}

/** A conflict a command adds: given the last text of each typed flag (a switch's is ""), what is
 *  wrong, if anything. */
export type ConflictRule = (typed: ReadonlyMap<string, string>) => string | undefined;

/** Both typed, with these texts (undefined: any), conflict. */
export const conflictOf =
  (a: string, aText: string | undefined, b: string, bText: string | undefined, why = ""): ConflictRule =>
  (typed) => {
    const said = (name: string, text: string | undefined) => typed.has(name) && (text === undefined || typed.get(name) === text);
    const words = (name: string, text: string | undefined) => `--${name}${text ? ` ${text}` : ""}`;
    if (said(a, aText) && said(b, bText))
      return `${words(a, aText ?? typed.get(a))} and ${words(b, bText ?? typed.get(b))} conflict${why ? `: ${why}` : ""}`;
    return undefined;
  };

/** Flags that contradict each other: --x with --no-x, a value flag given twice with different
 *  values, and what the command's own rules say. */
export function flagConflicts(typed: readonly TypedFlag[], rules: readonly ConflictRule[] = []): string[] {
  const last = new Map<string, string>();
  const problems: string[] = [];
  for (const f of typed) {
    const before = last.get(f.name);
    if (f.value !== undefined && before !== undefined && before !== f.value)
      problems.push(`--${f.name} given twice (${JSON.stringify(before)}, then ${JSON.stringify(f.value)}): give it once`);
    last.set(f.name, f.value ?? "");
  }
  for (const name of last.keys()) if (last.has(`no-${name}`)) problems.push(`--${name} and --no-${name} conflict: give one`);
  for (const rule of rules) {
    const p = rule(last);
    if (p) problems.push(p);
  }
  return [...new Set(problems)];
}

/** check's own conflicts: --txn is --workload txn. */
export const CHECK_CONFLICTS: readonly ConflictRule[] = [
  conflictOf("txn", undefined, "workload", "queue", "--txn means --workload txn"),
  conflictOf("no-txn", undefined, "workload", "txn", "--no-txn means --workload queue"),
];

/** `exit` receives the command's exit code (commands never set process.exitCode). */
export function registerCheckCommand(program: Command, exit: (code: number) => void, resolveTarget: ResolveTarget = fileOnly): void {
  const command = program
    .command("check")
    .description(
      "check a stored history (.jsonl/.json or Jepsen .edn) under the run's settings (its spec.json) or the flags given; with neither, the strongest settings are assumed",
    )
    .argument("<target>", "a history file, a run folder, or latest (the newest run in the store)")
    .option("--store <dir>", "store root, for latest", "store")
    .option("--json", "print the results as one JSON object (errors too)");
  for (const setting of VERDICT_SETTINGS)
    for (const o of optionHeads(setting)) command.option(o.head, `${o.help}${setting.path ? CHECK_DEFAULT : " (default: off)"}`);
  command
    .option("--txn", `the producers were transactional (same as --workload txn)${CHECK_DEFAULT}`)
    .option("--no-txn", `the producers were not transactional (same as --workload queue)${CHECK_DEFAULT}`);
  const typed = typedFlags(command);
  command.action(async (target: string, flags: CheckFlags) => {
    const conflicts = flagConflicts(typed, CHECK_CONFLICTS);
    if (conflicts.length) exit(fail(processIo, flags.json, { message: conflicts.join("; "), where: "command line", kind: "bad-input" }));
    else exit(await checkCommand(target, flags, processIo, resolveTarget));
  });
}

/** Where a check setting comes from when its flag is not given. */
const CHECK_DEFAULT = " (default: the run's spec.json, else the strongest setting)";

/** Says what went wrong (stderr; with --json also the error object on stdout) and returns its exit code. */
function fail(io: Io, json: boolean | undefined, error: ErrorReport, code: number = EXIT.badInput): number {
  io.stderr(`check: ${error.message}\n`);
  if (json) io.stdout(`${errorJson(error, code)}\n`);
  return code;
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
      const choices = "expected" in parsed ? (parsed.choices ?? []) : [];
      return `--${s.flag} must be ${expected} (got ${JSON.stringify(given)}${didYouMean(given, choices)})`;
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
  if (typeof flagConfig === "string") return fail(io, flags.json, { message: flagConfig, where: "command line", kind: "bad-input" });
  let target: CheckTarget;
  try {
    target = await resolveTarget(arg, flags.store);
  } catch (e) {
    return fail(io, flags.json, { message: (e as Error).message, where: arg, kind: "bad-input" });
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
    const message =
      e instanceof HistoryError ? e.message : err.code === "ENOENT" ? `no such file: ${file}` : `cannot read ${file}: ${err.message}`;
    if (e instanceof HistoryError) {
      // The history's message names the file and line already.
      io.stderr(`${message}\n`);
      if (flags.json) io.stdout(`${errorJson({ message, where: file, kind: "bad-input" }, EXIT.badInput)}\n`);
      return EXIT.badInput;
    }
    return fail(io, flags.json, { message, where: file, kind: "bad-input" });
  }
  // `verdict` is always one of three words; `valid` stays as it was (true, false or "unknown").
  const json = () => JSON.stringify({ ...results, verdict: verdictName(results.valid), settingsFrom: from });
  io.stdout(flags.json ? `${json()}\n` : `${summarize(results)}\n`);
  if (results.valid === "unknown") io.stderr(`check: ${results.unknownReason}\n`);
  return exitCodeOf(results, target.facts?.interrupted);
}
