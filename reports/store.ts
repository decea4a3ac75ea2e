// The file edge of the reports: reads a run directory of the store (DESIGN §8) — spec.json,
// history.jsonl, results.json (recomputed when missing), logs/ — and writes report.html; scans a
// store for index.html. Tolerant of what older or newer runners leave: every file but the history
// is optional, and spec.json may carry extra fields (meta, command, startedAt, runId).
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, join, relative, sep } from "node:path";
import { check, type History, HistoryError, readHistoryFile, type Results } from "../checkers/index.ts";
import { checkConfigOfSpec } from "../checkers/spec-config.ts";
import { mergedMeta, type ReportMeta } from "./details.ts";
import { renderIndex, type IndexEntry } from "./index-page.ts";
import { renderReport } from "./render.ts";
import type { SpecLike } from "./verdict.ts";

/** Bad input: a missing run directory or history, a file that does not parse. */
export class ReportError extends Error {
  override name = "ReportError";
}

const HISTORY_NAMES = ["history.jsonl", "history.json", "history.edn"];

export interface StoredRun {
  dir: string;
  spec?: SpecLike;
  history: History;
  /** As stored, or recomputed from the history and the spec when results.json is missing. */
  results: Results;
  recomputed: boolean;
  meta: ReportMeta;
}

async function readJson(path: string): Promise<unknown> {
  const text = await readFile(path, "utf8");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ReportError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

const looksLikeResults = (r: unknown): r is Results =>
  typeof r === "object" && r !== null && "valid" in r && "anomalies" in r && "guarantees" in r && "stats" in r;

export async function readRun(dir: string): Promise<StoredRun> {
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new ReportError(`${dir}: no such run directory`);
  const historyName = HISTORY_NAMES.find((n) => existsSync(join(dir, n)));
  if (!historyName) throw new ReportError(`${dir}: no history (expected ${HISTORY_NAMES.join(", ")})`);
  const specPath = join(dir, "spec.json");
  const spec = existsSync(specPath) ? ((await readJson(specPath)) as SpecLike) : undefined;
  if (spec !== undefined && (typeof spec !== "object" || spec === null || Array.isArray(spec))) throw new ReportError(`${specPath}: expected a JSON object`);
  const history = await readHistoryFile(join(dir, historyName)).catch((e: Error) => {
    // The reader names the file by its base name and the line: say where the file is.
    throw new ReportError(e instanceof HistoryError ? `${join(dir, e.where)}: ${e.problem}` : `${join(dir, historyName)}: ${e.message}`);
  });
  const resultsPath = join(dir, "results.json");
  let results: Results | undefined;
  if (existsSync(resultsPath)) {
    const r = await readJson(resultsPath);
    if (looksLikeResults(r)) results = r;
  }
  const recomputed = results === undefined;
  results ??= check(history, checkConfigOfSpec(spec));
  const logsDir = join(dir, "logs");
  const logs = existsSync(logsDir) ? (await readdir(logsDir)).filter((f) => f.endsWith(".log")).sort().map((f) => `logs/${f}`) : [];
  const meta: ReportMeta = mergedMeta(spec, {
    files: {
      history: historyName,
      results: "results.json",
      ...(spec ? { spec: "spec.json" } : {}),
      logs,
    },
  });
  meta.versions = { ...(await versions()), ...(meta.versions ?? {}) };
  return { dir, spec, history, results, recomputed, meta };
}

let harnessVersion: string | undefined;
async function versions(): Promise<Record<string, string>> {
  if (harnessVersion === undefined) {
    try {
      const pkg = JSON.parse(await readFile(createRequire(import.meta.url).resolve("kafka-harness/package.json"), "utf8")) as { version?: string };
      harnessVersion = pkg.version ?? "?";
    } catch {
      harnessVersion = "?";
    }
  }
  return { "kafka-harness": harnessVersion, node: process.version };
}

/** Renders <dir>/report.html from the stored run (writing results.json first if missing) and returns its path. */
export async function writeReport(dir: string): Promise<string> {
  const run = await readRun(dir);
  // A run that stopped before checking: keep the results beside the history (the index reads them).
  if (run.recomputed) await writeFile(join(dir, "results.json"), JSON.stringify(run.results, null, 2) + "\n");
  const path = join(dir, "report.html");
  await writeFile(path, renderReport({ spec: run.spec, history: run.history, results: run.results, meta: run.meta }));
  return path;
}

/** Renders <storeDir>/index.html listing every run and returns its path. */
export async function writeIndex(storeDir: string): Promise<string> {
  const st = await stat(storeDir).catch(() => undefined);
  if (!st?.isDirectory()) throw new ReportError(`${storeDir}: no such store directory`);
  const runs = await scanStore(storeDir);
  const path = join(storeDir, "index.html");
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
      if (!existsSync(join(dir, "spec.json")) && !HISTORY_NAMES.some((n) => existsSync(join(dir, n)))) continue;
      out.push(await indexEntryOf(storeDir, dir, t.name));
    }
  }
  return out;
}

export async function indexEntryOf(storeDir: string, dir: string, test: string): Promise<IndexEntry> {
  const spec = await readJson(join(dir, "spec.json")).catch(() => undefined) as SpecLike | undefined;
  const results = await readJson(join(dir, "results.json")).catch(() => undefined);
  const meta = mergedMeta(spec, undefined);
  const r = looksLikeResults(results) ? results : undefined;
  const when = Date.parse(meta.startedAt ?? "") || timestampOfName(basename(dir)) || (await stat(dir)).mtimeMs;
  return {
    test: spec?.name ?? test,
    path: relative(storeDir, dir).split(sep).join("/"),
    when,
    ...(spec ? { spec } : {}),
    config: r?.config ?? checkConfigOfSpec(spec),
    ...(r ? { valid: r.valid, ops: r.stats?.ops } : {}),
    ...(r?.unknownReason ? { unknownReason: r.unknownReason } : {}),
    anomalies: r ? r.anomalyTypes.map((type) => ({ type, count: r.anomalies[type]?.count ?? 0, forbidden: r.anomalies[type]?.forbidden ?? false })) : [],
    hasReport: existsSync(join(dir, "report.html")),
  };
}

/** The store's directory names: 20251125T131900123 (store.ts timestampName). */
export function timestampOfName(name: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{0,3})/.exec(name);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, ms] = m;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number((ms ?? "").padEnd(3, "0")));
}
