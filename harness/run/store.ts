// The run store (DESIGN.md §8): store/<test>/<timestamp>/ holds spec.json, history.jsonl (written
// as the run goes), results.json, report.html and logs/<node>.log; store/latest points at the
// newest run.
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";

export interface RunDir {
  root: string;
  dir: string;
  historyPath: string;
  logsDir: string;
}

export function timestampName(now = new Date()): string {
  return now.toISOString().replace(/[-:]/g, "").replace(/\.(\d+)Z$/, "$1");
}

export async function createRunDir(root: string, testName: string, now = new Date()): Promise<RunDir> {
  const dir = join(root, testName, timestampName(now));
  const logsDir = join(dir, "logs");
  await mkdir(logsDir, { recursive: true });
  const latest = join(root, "latest");
  await rm(latest, { force: true });
  await symlink(relative(root, dir), latest).catch(() => undefined);
  return { root, dir, historyPath: join(dir, "history.jsonl"), logsDir };
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, JSON.stringify(value, null, 2) + "\n");
}
