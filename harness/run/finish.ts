// The end of a run: the history, read back from history.jsonl (what is judged is what was stored),
// is checked once (the derived structures kept for the report), the run's facts merged into the verdict
// (checkers/verdict.ts), then results.json, spec.json with the run's meta, report.html and the
// store's index are written (reports/run-folder.ts names them).
import { noFaultCount } from "../../checkers/faults.ts";
import { checkKeepingDerived, exitCodeOf, judge, opPairs, type Results, type RunFacts, readHistoryFile } from "../../checkers/index.ts";
import { checkConfigOfSpec } from "../../checkers/spec-config.ts";
import { writeIndex, writeRunReport } from "../../reports/index.ts";
import { latencySummary } from "../../reports/latency-summary.ts";
import { type RunFolder, type RunMeta, runFilesOf, writeResultsJson, writeSpecJson } from "../../reports/run-folder.ts";
import type { RunCluster } from "../cluster/kinds/kind.ts";
import { loginOf, NODE_LOG_BYTES, namedHosts, runRootOf } from "../cluster/kinds/ssh/layout.ts";
import { clusterKind } from "../spec/cluster.ts";
import { redactSecrets } from "../spec/security.ts";
import type { SshInventory } from "../spec/ssh-inventory.ts";
import type { TestSpec } from "../spec/test-spec.ts";
import type { HeldFacts, ProbedFilter } from "./phases.ts";
import type { RunOutcome } from "./runner.ts";
import { runVersions } from "./versions.ts";

export interface FinishedRun {
  spec: TestSpec;
  folder: RunFolder;
  meta: RunMeta;
  facts: RunFacts;
  cluster?: RunCluster;
  held: HeldFacts;
  cleanupProblems: string[];
  faultsPlanned: number;
  progress: (m: string) => void;
}

/** A run's results: the judged verdict and, for runs that read transactional records through a
 *  library whose filter the harness fixes, the read_committed filter the reads ran with. */
export type RunResults = Results & { readCommittedFilter?: ProbedFilter };

export async function finishRun(r: FinishedRun): Promise<RunOutcome> {
  const { spec, folder, held, facts } = r;
  // The file, not the recorder's memory: a value JSON cannot hold would otherwise be judged as it
  // never was stored, and `check` on the file later must agree with the run.
  const history = await readHistoryFile(folder.historyPath);
  const checked = checkKeepingDerived(history, checkConfigOfSpec(spec));
  const judged = judge(checked.results, facts);
  const filter = held.readCommittedFilter ? { readCommittedFilter: held.readCommittedFilter } : {};
  const results: RunResults = { ...judged, ...filter };
  const storedResults = await writeResultsJson(folder.dir, results);
  // Everything the report shows lives in the run folder, so `kafka-harness report <dir>` renders
  // the same report later: the run's details go into spec.json's meta.
  Object.assign(r.meta, {
    finishedAt: new Date().toISOString(),
    latency: latencySummary(history, opPairs(checked.derived, history)),
    runId: r.cluster?.runId,
    versions: runVersions(r.cluster?.image, spec.cluster),
    ...(clusterKind(spec.cluster) === "attach" ? { cluster: attachedNote(spec) } : {}),
    ...(spec.cluster.inventory ? { cluster: sshNote(spec.cluster.inventory, r.cluster?.runId) } : {}),
    workload: held.stats,
    finalReads: held.finalReads,
    ...filter,
    interrupted: facts.interrupted,
    // What the run knew besides its history, so `check <run>` merges it as the run did (null: nothing).
    undecidedBecause: facts.unknownReason ?? null,
    ...(r.cleanupProblems.length ? { cleanupProblems: r.cleanupProblems } : {}),
    files: await runFilesOf(folder.dir),
  });
  const storedSpec = await writeSpecJson(folder.dir, redactSecrets(spec), r.meta);
  const reportPath = await writeRunReport(folder.dir, { spec: storedSpec, history, results: storedResults, derived: checked.derived });
  await writeIndex(folder.root).catch((err: Error) => r.progress(`index: ${err.message}`));
  return {
    spec,
    dir: folder.dir,
    historyPath: folder.historyPath,
    reportPath,
    results,
    workload: held.stats,
    finalReads: held.finalReads,
    interrupted: facts.interrupted,
    history,
    faultsPlanned: r.faultsPlanned,
    faults: { planned: r.faultsPlanned, ...(results.faults ?? { ...noFaultCount(), byKind: {} }) },
    exercised: results.exercised ?? { acknowledged: 0, acknowledgedAfterFault: 0, read: 0 },
    exitCode: exitCodeOf(results, facts.interrupted),
  };
}

/** What the report says of an ssh cluster: the mode, which host ran which node, where its logs are. */
export const sshNote = (inv: SshInventory, runId: string | undefined) => ({
  kind: "ssh",
  mode: inv.mode,
  hosts: namedHosts(inv).map((h) => {
    const l = loginOf(inv, h.node, h.name);
    return `${h.name}: ${l.user}@${l.host}:${l.port} (${h.node.role})`;
  }),
  ...(inv.mode === "install" && runId ? { installedIn: `${runRootOf(runId)} (removed at the end)` } : {}),
  nodeLogs: `downloaded into logs/<node>.log (the last ${NODE_LOG_BYTES / 1024 / 1024} MiB of each); every command run on a host in logs/ssh.log`,
});

/** What the report says of an attached cluster: where it was, and what the run did not do there. */
export const attachedNote = (spec: TestSpec) => ({
  kind: "attach",
  bootstrap: spec.cluster.bootstrap ?? [],
  topic: spec.cluster.keepTopic ? `${spec.topic.name} (kept)` : `${spec.topic.name} (deleted at the end)`,
  nodeLogs: "not downloaded: the harness has no access to an attached cluster's nodes",
});
