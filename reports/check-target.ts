// What `check <target>` checks: a history file, a run folder, or `latest` (the store's newest run,
// as Jepsen's `analyze -t -1`), with the run's own spec and facts when they are there, so that
// `check` of a stored run gives the verdict the run gave.
import { existsSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { CheckTarget } from "../checkers/cli.ts";
import type { RunFacts } from "../checkers/verdict.ts";
import { HISTORY_NAMES, historyNameIn, RUN_FILES, readStoredResults, readStoredSpec, STORE_FILES } from "./run-folder.ts";

export class CheckTargetError extends Error {}

/** Resolves `check`'s argument; throws CheckTargetError with what is wrong. */
export async function resolveCheckTarget(arg: string, storeRoot = "store"): Promise<CheckTarget> {
  const path = arg === "latest" ? join(storeRoot, STORE_FILES.latest) : arg;
  if (!existsSync(path)) {
    throw new CheckTargetError(
      arg === "latest" ? `no runs in ${storeRoot} (${path} does not exist); pass --store <dir> or a run folder` : `no such file: ${arg}`,
    );
  }
  if (statSync(path).isDirectory()) {
    const name = historyNameIn(path);
    if (!name) throw new CheckTargetError(`${arg} is a folder without a history (${HISTORY_NAMES.join(", ")})`);
    return runTarget(join(path, name), resolve(path));
  }
  // A history inside a run folder carries the run's spec; a history elsewhere stands alone.
  return (HISTORY_NAMES as readonly string[]).includes(basename(path)) && existsSync(join(dirname(path), RUN_FILES.spec))
    ? runTarget(path, dirname(path))
    : { historyPath: path };
}

async function runTarget(historyPath: string, dir: string): Promise<CheckTarget> {
  const stored = await readStoredSpec(dir);
  if (!stored) return { historyPath };
  const { meta, ...spec } = stored;
  return { historyPath, spec, specPath: join(dir, RUN_FILES.spec), facts: await factsOf(dir, meta) };
}

/** What the run knew besides its history (interrupted, why it could not decide), from spec.json's meta;
 *  runs stored before the meta kept the reason fall back on results.json's. */
async function factsOf(dir: string, meta: unknown): Promise<RunFacts> {
  const m = (meta ?? {}) as { interrupted?: unknown; undecidedBecause?: unknown };
  const interrupted = m.interrupted === true;
  if (typeof m.undecidedBecause === "string") return { interrupted, unknownReason: m.undecidedBecause };
  if ("undecidedBecause" in m) return { interrupted };
  const results = (await readStoredResults(dir).catch(() => undefined)) as { valid?: unknown; unknownReason?: unknown } | undefined;
  return results?.valid === "unknown" && typeof results.unknownReason === "string"
    ? { interrupted, unknownReason: results.unknownReason }
    : { interrupted };
}
