// The `check` command: check a stored history (JSON Lines or Jepsen EDN) against a configuration.
// Exit codes: 0 valid, 1 invalid, 2 unknown or bad input (message on stderr).
import type { Command } from "commander";
import type { Results } from "./check.ts";
import type { CheckConfig } from "./guarantees.ts";

export interface CheckFlags {
  json?: boolean;
  acks?: string;
  minIsr?: string;
  unclean?: boolean;
  idempotent?: boolean;
  maxInFlight?: string;
  subscribe?: boolean;
  wwDeps?: boolean;
  isolation?: string;
  txn?: boolean;
}

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

export function registerCheckCommand(program: Command): void {
  program
    .command("check")
    .description("check a stored history (.jsonl/.json or Jepsen .edn); unspecified settings are assumed at their strongest")
    .argument("<file>", "history file")
    .option("--json", "print the results as one JSON object")
    .option("--acks <acks>", "producer acks: 0, 1 or all")
    .option("--min-isr <n>", "topic min.insync.replicas")
    .option("--unclean", "unclean leader election was enabled")
    .option("--no-unclean", "unclean leader election was disabled")
    .option("--idempotent", "the producer was idempotent")
    .option("--no-idempotent", "the producer was not idempotent")
    .option("--max-in-flight <n>", "producer max.in.flight.requests.per.connection")
    .option("--subscribe", "consumers used subscribe (consumer groups), not assign")
    .option("--ww-deps", "infer write-write dependencies from log order (finds G0)")
    .option("--isolation <level>", "the consumers' isolation.level: read_committed or read_uncommitted")
    .option("--txn", "the producers were transactional (workload txn)")
    .option("--no-txn", "the producers were not transactional")
    .action(async (file: string, flags: CheckFlags) => {
      process.exitCode = await checkCommand(file, flags);
    });
}

/** Parses the flags into a configuration, or returns what is wrong with them. */
export function configFromFlags(flags: CheckFlags): CheckConfig | string {
  const config: CheckConfig = {};
  if (flags.acks !== undefined) {
    if (flags.acks === "0") config.acks = 0;
    else if (flags.acks === "1") config.acks = 1;
    else if (flags.acks === "all" || flags.acks === "-1") config.acks = "all";
    else return `--acks must be 0, 1 or all (got "${flags.acks}")`;
  }
  const int = (name: string, s: string | undefined, min: number): number | string | undefined => {
    if (s === undefined) return undefined;
    if (!/^\d+$/.test(s) || Number(s) < min) return `${name} must be an integer >= ${min} (got "${s}")`;
    return Number(s);
  };
  const isr = int("--min-isr", flags.minIsr, 1);
  if (typeof isr === "string") return isr;
  if (isr !== undefined) config.minInsyncReplicas = isr;
  const inFlight = int("--max-in-flight", flags.maxInFlight, 1);
  if (typeof inFlight === "string") return inFlight;
  if (inFlight !== undefined) config.maxInFlight = inFlight;
  if (flags.unclean !== undefined) config.uncleanLeaderElection = flags.unclean;
  if (flags.idempotent !== undefined) config.idempotent = flags.idempotent;
  if (flags.subscribe) config.consumerMode = "subscribe";
  if (flags.wwDeps) config.wwDeps = true;
  if (flags.isolation !== undefined) {
    if (flags.isolation !== "read_committed" && flags.isolation !== "read_uncommitted") {
      return `--isolation must be read_committed or read_uncommitted (got "${flags.isolation}")`;
    }
    config.isolation = flags.isolation;
  }
  if (flags.txn !== undefined) config.transactional = flags.txn;
  return config;
}

/** Runs the check and returns the exit code. */
export async function checkCommand(file: string, flags: CheckFlags, io: Io = processIo): Promise<number> {
  const config = configFromFlags(flags);
  if (typeof config === "string") {
    io.stderr(`check: ${config}\n`);
    return 2;
  }
  // Loaded when the command runs, so registering it (every kafka-harness start) costs nothing.
  const [{ checkHistoryFile }, { summarize }, { HistoryError }] = await Promise.all([import("./check-file.ts"), import("./explain.ts"), import("./history.ts")]);
  let results: Results;
  try {
    const onTornLastLine = (where: string) => io.stderr(`check: ${where}: the last line was cut off while it was written (the run was killed?); skipped\n`);
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
  return results.valid === true ? 0 : results.valid === false ? 1 : 2;
}
