// The file edge of the reports: reads a run folder (reports/run-folder.ts names its files) —
// spec.json, the history, results.json (recomputed when missing), logs/ — and writes report.html;
// scans a store for index.html. Tolerant of what older or newer runners leave: every file but the
// history is optional, and spec.json may carry extra fields (meta, command, startedAt, runId).
import { existsSync } from "node:fs";
import { readdir, stat, writeFile } from "node:fs/promises";
import { basename, join, relative, sep } from "node:path";
import { check, type Derived, type History, HistoryError, type Op, type Results, readHistoryFile } from "../checkers/index.ts";
import { lossOf } from "../checkers/loss-summary.ts";
import { checkConfigOfSpec } from "../checkers/spec-config.ts";
import { mergedMeta, type ReportMeta } from "./details.ts";
import { type IndexEntry, renderIndex } from "./index-page.ts";
import type { LatencySummary } from "./latency-summary.ts";
import { renderReport } from "./render.ts";
import {
  HISTORY_NAMES,
  harnessVersions,
  historyNameIn,
  RUN_FILES,
  RunFileError,
  type RunFiles,
  readStoredExpectation,
  readStoredResults,
  readStoredSpec,
  runFilesOf,
  STORE_FILES,
  timestampOfName,
  writeResultsJson,
} from "./run-folder.ts";
import type { SpecLike } from "./verdict.ts";

/** Bad input: a missing run directory or history, a file that does not parse. */
export class ReportError extends Error {
  override name = "ReportError";
}

export interface StoredRun {
  dir: string;
  spec?: SpecLike;
  history: History;
  /** As stored, or recomputed from the history and the spec when results.json is missing. */
  results: Results;
  recomputed: boolean;
  meta: ReportMeta;
}

/** A run folder's JSON file, its problems as ReportErrors. */
async function readJson<T>(read: Promise<T>): Promise<T> {
  return read.catch((e: unknown) => {
    throw e instanceof RunFileError ? new ReportError(e.message) : e;
  });
}

const looksLikeResults = (r: unknown): r is Results =>
  typeof r === "object" && r !== null && "valid" in r && "anomalies" in r && "guarantees" in r && "stats" in r;

export async function readRun(dir: string): Promise<StoredRun> {
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new ReportError(`${dir}: no such run directory`);
  const historyName = historyNameIn(dir);
  if (!historyName) throw new ReportError(`${dir}: no history (expected ${HISTORY_NAMES.join(", ")})`);
  const spec = (await readJson(readStoredSpec(dir))) as SpecLike | undefined;
  const history = await readHistoryFile(join(dir, historyName)).catch((e: Error) => {
    // The reader names the file by its base name and the line: say where the file is.
    throw new ReportError(e instanceof HistoryError ? `${join(dir, e.where)}: ${e.problem}` : `${join(dir, historyName)}: ${e.message}`);
  });
  const stored = await readJson(readStoredResults(dir));
  let results: Results | undefined = looksLikeResults(stored) ? stored : undefined;
  const recomputed = results === undefined;
  results ??= check(history, checkConfigOfSpec(spec));
  return { dir, spec, history, results, recomputed, meta: reportMeta(spec, await runFilesOf(dir, historyName)) };
}

/** The report's run details: spec.json's meta, the files beside it, the versions (the harness's
 *  own and Node's for runs that stored none). */
function reportMeta(spec: SpecLike | undefined, files: RunFiles): ReportMeta {
  const meta = mergedMeta(spec, { files });
  meta.versions = { ...harnessVersions(), ...(meta.versions ?? {}) };
  return meta;
}

/** Renders <dir>/report.html from the stored run (writing results.json first if missing) and returns its path. */
export async function writeReport(dir: string): Promise<string> {
  const run = await readRun(dir);
  // A run that stopped before checking: keep the results beside the history (the index reads them).
  if (run.recomputed) await writeResultsJson(dir, run.results);
  return writeRunReport(dir, run);
}

/**
 * Renders <dir>/report.html from a run held in memory — spec.json and results.json as stored, the
 * history and, when the caller checked it, the derived structures the results were judged by —
 * the report `writeReport(dir)` renders from the folder later, without reading it back.
 */
export async function writeRunReport(
  dir: string,
  run: { spec?: SpecLike; history: History | readonly Op[]; results: Results; derived?: Derived },
): Promise<string> {
  const path = join(dir, RUN_FILES.report);
  const meta = reportMeta(run.spec, await runFilesOf(dir, historyNameIn(dir)));
  await writeFile(
    path,
    renderReport({ spec: run.spec, history: run.history, results: run.results, meta, ...(run.derived ? { derived: run.derived } : {}) }),
  );
  return path;
}

/** Renders <storeDir>/index.html listing every run and returns its path. */
export async function writeIndex(storeDir: string): Promise<string> {
  const st = await stat(storeDir).catch(() => undefined);
  if (!st?.isDirectory()) throw new ReportError(`${storeDir}: no such store directory`);
  const runs = await scanStore(storeDir);
  const path = join(storeDir, STORE_FILES.index);
  await writeFile(path, renderIndex(runs));
  return path;
}

/** store/<test>/<timestamp>/ directories holding a spec or a history (symlinks such as latest skipped). */
export async function scanStore(storeDir: string): Promise<IndexEntry[]> {
  const out: IndexEntry[] = [];
  for (const t of await readdir(storeDir, { withFileTypes: true })) {
    if (!t.isDirectory()) continue;
    const testDir = join(storeDir, t.name);
    for (const r of await readdir(testDir, { withFileTypes: true })) {
      if (!r.isDirectory()) continue;
      const dir = join(testDir, r.name);
      if (!existsSync(join(dir, RUN_FILES.spec)) && !historyNameIn(dir)) continue;
      out.push(await indexEntryOf(storeDir, dir, t.name));
    }
  }
  return out;
}

export async function indexEntryOf(storeDir: string, dir: string, test: string): Promise<IndexEntry> {
  const spec = (await readStoredSpec(dir).catch(() => undefined)) as SpecLike | undefined;
  const results = await readStoredResults(dir).catch(() => undefined);
  const meta = mergedMeta(spec, undefined);
  const r = looksLikeResults(results) ? results : undefined;
  const expectation = await readStoredExpectation(dir);
  const when = Date.parse(meta.startedAt ?? "") || timestampOfName(basename(dir)) || (await stat(dir)).mtimeMs;
  return {
    test: spec?.name ?? test,
    path: relative(storeDir, dir).split(sep).join("/"),
    when,
    ...(spec ? { spec } : {}),
    config: r?.config ?? checkConfigOfSpec(spec),
    ...(r ? { valid: r.valid, ops: r.stats?.ops } : {}),
    ...(r?.unknownReason ? { unknownReason: r.unknownReason } : {}),
    ...(r?.faults ? { faults: r.faults } : {}),
    ...(r?.stats ? { loss: lossOf(r) } : {}),
    anomalies: r
      ? r.anomalyTypes.map((type) => ({ type, count: r.anomalies[type]?.count ?? 0, forbidden: r.anomalies[type]?.forbidden ?? false }))
      : [],
    hasReport: existsSync(join(dir, RUN_FILES.report)),
    ...runFacts(spec, meta),
    ...(expectation ? { expectation } : {}),
  };
}

/** Kafka version, client, duration and latencies as spec.json records them; each absent when an older run did not. */
export function runFacts(
  spec: SpecLike | undefined,
  meta: ReportMeta,
): Pick<IndexEntry, "kafkaVersion" | "client" | "durationSeconds" | "latency"> {
  const cluster = spec?.cluster as { kafkaVersion?: unknown; metadata?: unknown } | undefined;
  const planned =
    typeof cluster?.kafkaVersion === "string"
      ? `${cluster.kafkaVersion}${cluster.metadata === "kraft" ? " (KRaft)" : cluster.metadata === "zookeeper" ? " (ZooKeeper mode)" : ""}`
      : undefined;
  const kafkaVersion = typeof meta.versions?.kafka === "string" ? meta.versions.kafka : planned;
  const seconds = (Date.parse(String(meta.finishedAt)) - Date.parse(meta.startedAt ?? "")) / 1000;
  return {
    ...(kafkaVersion ? { kafkaVersion } : {}),
    ...(typeof spec?.client === "string" ? { client: spec.client } : {}),
    ...(Number.isFinite(seconds) && seconds >= 0 ? { durationSeconds: seconds } : {}),
    ...(typeof meta.latency === "object" && meta.latency !== null ? { latency: meta.latency as LatencySummary } : {}),
  };
}

export { timestampOfName } from "./run-folder.ts";
