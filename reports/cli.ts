// The `report` command: re-render a run's report from its stored history (results recomputed if
// missing), and/or the store's index. Exit codes: 0 written, 254 bad input (message on stderr).

import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { type Io, processIo } from "../checkers/cli.ts";
import { EXIT } from "../checkers/exit-codes.ts";

export interface ReportFlags {
  index?: boolean;
  store?: string;
}

/** `exit` receives the command's exit code (commands never set process.exitCode). */
export function registerReportCommand(program: Command, exit: (code: number) => void): void {
  program
    .command("report")
    .description(
      "re-render a run's report.html from its stored history (results recomputed if missing); --index rewrites the store's index.html",
    )
    .argument("[run-dir]", "a run directory: store/<test>/<timestamp>")
    .option("--index", "also (or only) regenerate the index of all runs")
    .option("--store <dir>", "the store directory for --index (default: the run's store, else ./store)")
    .action(async (runDir: string | undefined, flags: ReportFlags) => {
      exit(await reportCommand(runDir, flags));
    });
}

/** Runs the command and returns the exit code. */
export async function reportCommand(runDir: string | undefined, flags: ReportFlags, io: Io = processIo): Promise<number> {
  if (runDir === undefined && !flags.index) {
    io.stderr("report: give a run directory (store/<test>/<timestamp>) or --index\n");
    return EXIT.badInput;
  }
  // Loaded when the command runs, so registering it (every kafka-harness start) costs nothing.
  const [{ ReportError, writeIndex, writeReport }, { HistoryError }] = await Promise.all([
    import("./store.ts"),
    import("../checkers/index.ts"),
  ]);
  try {
    if (runDir !== undefined) {
      const t = performance.now();
      const path = await writeReport(runDir);
      io.stdout(`${path}\n`);
      io.stderr(`report: rendered in ${Math.round(performance.now() - t)} ms\n`);
    }
    if (flags.index) {
      // A run directory lies at <store>/<test>/<timestamp>.
      const store = flags.store ?? (runDir !== undefined ? dirname(dirname(resolve(runDir))) : "store");
      io.stdout(`${await writeIndex(store)}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof ReportError || e instanceof HistoryError) {
      io.stderr(`report: ${e.message}\n`);
      return EXIT.badInput;
    }
    const err = e as NodeJS.ErrnoException;
    io.stderr(`report: ${err.code ? `${err.code}: ` : ""}${err.message}\n`);
    return EXIT.badInput;
  }
}
