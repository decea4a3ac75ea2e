// The run folder (docs/design.md, "Run folder"): store/<test>/<timestamp>/ holds spec.json (the
// spec and, under `meta`, what the run says about itself: written when the run opens, so a crashed
// run can still be replayed, and again when it finishes), history.jsonl (appended line by line as
// the run goes), results.json, report.html, logs/<node>.log, and shrunk-spec.json once shrunk;
// store/latest points at the newest run and store/index.html lists them all. The one module that
// knows these names and formats: the runner writes through it, the reports read through it.

import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, relative } from "node:path";

export const RUN_FILES = {
  spec: "spec.json",
  history: "history.jsonl",
  results: "results.json",
  report: "report.html",
  logs: "logs",
  shrunkSpec: "shrunk-spec.json",
  /** Present while the run runs (RunningMarker): removed when it finishes, so one left behind by a
   *  process that is gone marks a crashed run. */
  running: "running.json",
  /** Written by a suite beside each run it judged: the scenario's expectation and whether it was met. */
  expectation: "expectation.json",
} as const;

/** The history names a run folder may hold: the harness's own first, then older runs' and Jepsen's. */
export const HISTORY_NAMES = [RUN_FILES.history, "history.json", "history.edn"] as const;

export const STORE_FILES = { latest: "latest", index: "index.html" } as const;

export interface RunFolder {
  /** The store root (store/). */
  root: string;
  dir: string;
  historyPath: string;
  logsDir: string;
}

/** What the run says about itself in spec.json's `meta`. */
export interface RunMeta {
  startedAt: string;
  /** When the run was checked and its results written (its duration is finishedAt - startedAt). */
  finishedAt?: string;
  /** Latency quantiles of the ok ops per f (reports/latency-summary.ts), for the index. */
  latency?: unknown;
  /** The command line that started the run, and the one that replays it. */
  command: string | null;
  replay: string;
  runId?: string;
  versions?: Record<string, string>;
  workload?: unknown;
  finalReads?: unknown;
  /** The read_committed filter as probed, in runs that read transactional records with kafkajs. */
  readCommittedFilter?: unknown;
  interrupted?: boolean;
  /** Why the run could not decide, from what it knew besides its history (null: nothing). */
  undecidedBecause?: string | null;
  cleanupProblems?: string[];
  /** A cluster the harness did not start in Docker: attached (its bootstrap, the topic, no node
   *  logs) or ssh (the mode, the hosts, where the node logs are). */
  cluster?: unknown;
  files?: RunFiles;
}

/** The files beside the report, relative to the run folder. */
export interface RunFiles {
  history: string;
  results: string;
  spec?: string;
  logs: string[];
}

/** A run folder's name: its start time, 20251125T131900123 (UTC, milliseconds last). */
export function timestampName(now = new Date()): string {
  return now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.(\d+)Z$/, "$1");
}

/** The time a run folder's name says (timestampName), or undefined for another name. */
export function timestampOfName(name: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{0,3})/.exec(name);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, ms] = m;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number((ms ?? "").padEnd(3, "0")));
}

/** Creates store/<test>/<timestamp>/ with its logs/ and points store/latest at it. */
export async function createRunFolder(root: string, testName: string, now = new Date()): Promise<RunFolder> {
  const dir = join(root, testName, timestampName(now));
  const logsDir = join(dir, RUN_FILES.logs);
  await mkdir(logsDir, { recursive: true });
  const latest = join(root, STORE_FILES.latest);
  await rm(latest, { force: true });
  await symlink(relative(root, dir), latest).catch(() => undefined);
  return { root, dir, historyPath: join(dir, RUN_FILES.history), logsDir };
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, JSON.stringify(value, null, 2) + "\n");
}

/** A JSON file that could not be read: missing, not JSON (`detail` says why), or not an object. */
export class RunFileError extends Error {
  override name = "RunFileError";
  constructor(
    readonly path: string,
    readonly problem: "missing" | "not JSON" | "not an object",
    readonly detail = "",
  ) {
    super(
      problem === "not JSON"
        ? `${path}: not valid JSON (${detail})`
        : problem === "missing"
          ? `${path}: no such file`
          : `${path}: expected a JSON object`,
    );
  }
}

/** A JSON file, parsed; RunFileError when it is missing or not JSON. */
export async function readJsonFile(path: string): Promise<unknown> {
  const text = await readFile(path, "utf8").catch(() => {
    throw new RunFileError(path, "missing");
  });
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new RunFileError(path, "not JSON", (e as Error).message);
  }
}

/** A JSON file holding an object (spec.json, a spec file); RunFileError otherwise. */
export async function readJsonObject(path: string): Promise<Record<string, unknown>> {
  const value = await readJsonFile(path);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new RunFileError(path, "not an object");
  return value as Record<string, unknown>;
}

/** spec.json as stored (the spec and its `meta`), or undefined when the folder has none. */
export const readStoredSpec = async (dir: string): Promise<Record<string, unknown> | undefined> =>
  existsSync(join(dir, RUN_FILES.spec)) ? readJsonObject(join(dir, RUN_FILES.spec)) : undefined;

/** A stored spec without the run's `meta`: the spec that replays the run. */
export function specWithoutMeta(stored: Record<string, unknown>): Record<string, unknown> {
  const { meta: _meta, ...spec } = stored;
  return spec;
}

/** results.json as stored (whatever JSON it holds), or undefined when the folder has none. */
export const readStoredResults = async (dir: string): Promise<unknown> =>
  existsSync(join(dir, RUN_FILES.results)) ? readJsonFile(join(dir, RUN_FILES.results)) : undefined;

/** A suite's judgement of one scenario (harness/suite/judge.ts), stored as expectation.json beside
 *  each run it judged: the expectation is met or not by the runs together, so every one names them all. */
export interface StoredExpectation {
  suite: string;
  scenario: string;
  met: boolean;
  /** Why it was not met (empty when met). */
  problems: string[];
  /** The run folders judged together (names in the scenario's test folder), oldest first. */
  runs: string[];
  /** When the suite judged them (ISO). */
  judgedAt: string;
}

export const writeExpectationJson = (dir: string, e: StoredExpectation): Promise<void> => writeJson(join(dir, RUN_FILES.expectation), e);

/** expectation.json as stored, or undefined when no suite judged the run (or the file is not one). */
export async function readStoredExpectation(dir: string): Promise<StoredExpectation | undefined> {
  const path = join(dir, RUN_FILES.expectation);
  if (!existsSync(path)) return undefined;
  const e = (await readJsonFile(path).catch(() => undefined)) as Partial<StoredExpectation> | undefined;
  return typeof e?.suite === "string" && typeof e.scenario === "string" && typeof e.met === "boolean"
    ? { suite: e.suite, scenario: e.scenario, met: e.met, problems: e.problems ?? [], runs: e.runs ?? [], judgedAt: e.judgedAt ?? "" }
    : undefined;
}

/** Writes spec.json (the spec with the run's meta) and returns it as stored: what a report of the
 *  folder reads back. */
export async function writeSpecJson(dir: string, spec: object, meta: RunMeta): Promise<Record<string, unknown>> {
  const stored = { ...spec, meta };
  await writeJson(join(dir, RUN_FILES.spec), stored);
  return JSON.parse(JSON.stringify(stored)) as Record<string, unknown>;
}

/** Writes results.json and returns the results as stored. */
export async function writeResultsJson<T>(dir: string, results: T): Promise<T> {
  await writeJson(join(dir, RUN_FILES.results), results);
  return JSON.parse(JSON.stringify(results)) as T;
}

/** Writes shrunk-spec.json: the smallest spec that still showed the run's anomaly. */
export async function writeShrunkSpec(dir: string, spec: object, meta: { steps: string[]; targets: string[] }): Promise<string> {
  const path = join(dir, RUN_FILES.shrunkSpec);
  await writeJson(path, { ...spec, meta: { shrunkFrom: join(dir, RUN_FILES.spec), ...meta } });
  return path;
}

/** What a running run says about itself in running.json: enough to tell running from crashed. */
export interface RunningMarker {
  pid: number;
  startedAt: string;
  timeLimitSeconds?: number;
}

export async function writeRunningMarker(dir: string, marker: RunningMarker): Promise<void> {
  await writeJson(join(dir, RUN_FILES.running), marker);
}

export async function removeRunningMarker(dir: string): Promise<void> {
  await rm(join(dir, RUN_FILES.running), { force: true });
}

/** running.json as stored, or undefined when the folder has none (or it does not parse). */
export async function readRunningMarker(dir: string): Promise<RunningMarker | undefined> {
  const m = await readJsonFile(join(dir, RUN_FILES.running)).catch(() => undefined);
  return typeof m === "object" && m !== null && typeof (m as RunningMarker).pid === "number" ? (m as RunningMarker) : undefined;
}

/** The first history file the folder holds (HISTORY_NAMES), if any. */
export const historyNameIn = (dir: string): string | undefined => HISTORY_NAMES.find((n) => existsSync(join(dir, n)));

/** The files beside the report: the history, the results, the spec if there is one, the node logs. */
export async function runFilesOf(dir: string, historyName: string = RUN_FILES.history): Promise<RunFiles> {
  const logsDir = join(dir, RUN_FILES.logs);
  const logs = existsSync(logsDir)
    ? (await readdir(logsDir))
        .filter((f) => f.endsWith(".log"))
        .sort()
        .map((f) => `${RUN_FILES.logs}/${f}`)
    : [];
  return {
    history: historyName,
    results: RUN_FILES.results,
    ...(existsSync(join(dir, RUN_FILES.spec)) ? { spec: RUN_FILES.spec } : {}),
    logs,
  };
}

let harness: string | undefined;
/** The harness's own version and Node's: what any run folder's report names, the run's or not. */
export function harnessVersions(): { "kafka-harness": string; node: string } {
  if (harness === undefined) {
    try {
      harness = (createRequire(import.meta.url)("kafka-harness/package.json") as { version?: string }).version ?? "?";
    } catch {
      harness = "?";
    }
  }
  return { "kafka-harness": harness, node: process.version };
}
