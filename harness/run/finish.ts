// The end of a run, from what it holds in memory: the history it recorded is checked once (the
// derived structures kept for the report), the run's facts merged into the verdict
// (checkers/verdict.ts), then results.json, spec.json with the run's meta, report.html and the
// store's index are written (reports/run-folder.ts names them).
import { checkKeepingDerived, exitCodeOf, judge, type History, type RunFacts } from "../../checkers/index.ts";
import { checkConfigOfSpec } from "../../checkers/spec-config.ts";
import { writeIndex, writeRunReport } from "../../reports/index.ts";
import { type RunFolder, type RunMeta, runFilesOf, writeResultsJson, writeSpecJson } from "../../reports/run-folder.ts";
import type { FinalReadResult } from "../clients/final-reads.ts";
import type { Cluster } from "../cluster/cluster.ts";
import type { Recorder } from "../history/recorder.ts";
import type { TestSpec } from "../spec/test-spec.ts";
import type { WorkloadStats } from "../workload/workload.ts";
import type { RunOutcome } from "./runner.ts";
import { runVersions } from "./versions.ts";

export interface FinishedRun {
  spec: TestSpec;
  folder: RunFolder;
  meta: RunMeta;
  recorder: Recorder;
  facts: RunFacts;
  cluster?: Cluster;
  held: { stats: WorkloadStats; finalReads?: FinalReadResult };
  cleanupProblems: string[];
  faultsPlanned: number;
  progress: (m: string) => void;
}

export async function finishRun(r: FinishedRun): Promise<RunOutcome> {
  const { spec, folder, held, facts } = r;
  // What the recorder holds is what history.jsonl holds: every op is on disk before it is in memory.
  const history = r.recorder.ops as History;
  const checked = checkKeepingDerived(history, checkConfigOfSpec(spec));
  const results = judge(checked.results, facts);
  const storedResults = await writeResultsJson(folder.dir, results);
  // Everything the report shows lives in the run folder, so `kafka-harness report <dir>` renders
  // the same report later: the run's details go into spec.json's meta.
  Object.assign(r.meta, {
    runId: r.cluster?.runId, versions: runVersions(r.cluster?.image, spec.cluster), workload: held.stats, finalReads: held.finalReads, interrupted: facts.interrupted,
    ...(r.cleanupProblems.length ? { cleanupProblems: r.cleanupProblems } : {}),
    files: await runFilesOf(folder.dir),
  });
  const storedSpec = await writeSpecJson(folder.dir, spec, r.meta);
  const reportPath = await writeRunReport(folder.dir, { spec: storedSpec, history, results: storedResults, derived: checked.derived });
  await writeIndex(folder.root).catch((err: Error) => r.progress(`index: ${err.message}`));
  return {
    spec, dir: folder.dir, historyPath: folder.historyPath, reportPath, results, workload: held.stats, finalReads: held.finalReads, interrupted: facts.interrupted,
    history, faultsPlanned: r.faultsPlanned, exitCode: exitCodeOf(results, facts.interrupted),
  };
}
