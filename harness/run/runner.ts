// One test run end to end, as a short script of scoped steps (docs/design.md, "Phases of a run"):
// prepare (spec validated once, clients, plan, schedule, machine), open the run folder, open the
// cluster, run the phases (phases.ts), finish (check once, write results, spec meta and report).
// The history is on disk line by line as it happens.
//
// The runner owns the run's lifetime: the first failure of any part (clients, fault driver,
// recorder), Ctrl-C / SIGTERM, or an uncaught error anywhere cancels the other parts through one
// signal (scope.ts); leaving the scopes then heals, saves the node logs and removes the cluster,
// in that order, and the run still checks and reports what was recorded, with verdict `unknown`
// and the reason. Only a machine that cannot run a cluster at all (EnvironmentError) is thrown
// instead: nothing was tested.
import { join } from "node:path";
import type { Exercised } from "../../checkers/exercised.ts";
import type { FaultCounts } from "../../checkers/faults.ts";
import { type History, type Results, verdictWord } from "../../checkers/index.ts";
import {
  createRunFolder,
  RUN_FILES,
  type RunMeta,
  removeRunningMarker,
  writeRunningMarker,
  writeSpecJson,
} from "../../reports/run-folder.ts";
import { processCounter } from "../clients/context.ts";
import type { FinalReadResult } from "../clients/final-reads.ts";
import type { Cluster } from "../cluster/cluster.ts";
import type { RunCluster } from "../cluster/kinds/kind.ts";
import { createRecorder } from "../history/recorder.ts";
import { redactSecrets } from "../spec/security.ts";
import type { TestSpec } from "../spec/test-spec.ts";
import { EnvironmentError } from "../util/environment.ts";
import { messageOf } from "../util/errors.ts";
import { noWorkloadStats, type WorkloadStats } from "../workload/workload.ts";
import { createRunTopic, openCluster } from "./cluster-scope.ts";
import { createFaultDriver } from "./fault-driver.ts";
import { finishRun, type RunResults } from "./finish.ts";
import { RUN_PHASES, type RunContext, runPhases } from "./phases.ts";
import { prepareRun } from "./prepare.ts";
import { deferred, runLifetime } from "./scope.ts";
import { workloadEnv } from "./workload-env.ts";

export { exitCodeOf, undecided } from "../../checkers/verdict.ts";

export interface RunOptions {
  storeRoot?: string;
  progress?: (m: string) => void;
  /** The command line that started the run (stored so the run can be replayed). */
  command?: string;
  /** A running cluster to use instead of starting one (suites share one; each run gets a fresh
   *  topic). It is healed after the run and left running: its owner stops it. */
  cluster?: Cluster;
}

export type RunFaults = FaultCounts & { planned: number };

export interface RunOutcome {
  spec: TestSpec;
  dir: string;
  historyPath: string;
  reportPath: string;
  results: RunResults;
  /** The history as stored (read back from history.jsonl): what the results were computed from. */
  history: History;
  workload: WorkloadStats;
  finalReads?: FinalReadResult;
  interrupted: boolean;
  /** Faults in the run's schedule (those that took effect are in results.faults). */
  faultsPlanned: number;
  /** The faults planned, applied, effective, refused and uncertain (in all and per kind): results.faults
   *  with the plan beside it. */
  faults: RunFaults;
  /** Writes acknowledged (and after the first effective fault), values the workload read: results.exercised. */
  exercised: Exercised;
  /** 0 valid, 1 invalid, 2 unknown. */
  exitCode: 0 | 1 | 2;
}

/** The command that reruns a stored run: its spec.json carries the seed. */
export function replayCommand(dir: string): string {
  return `npx kafka-harness run --spec ${join(dir, RUN_FILES.spec)}`;
}

export async function executeRun(input: unknown, opts: RunOptions = {}): Promise<RunOutcome> {
  const progress = opts.progress ?? (() => {});
  // What can fail without a cluster fails first, before a run folder exists (prepare.ts).
  const { spec, client, workload, schedule, image, security } = await prepareRun(input, opts.cluster, progress);
  const folder = await createRunFolder(opts.storeRoot ?? "store", spec.name);
  const meta: RunMeta = { startedAt: new Date().toISOString(), command: opts.command ?? null, replay: replayCommand(folder.dir) };
  await writeSpecJson(folder.dir, redactSecrets(spec), meta); // now: a run that crashes can still be replayed
  // Running until removed: `serve` shows the run live, and as crashed if this process is gone.
  await writeRunningMarker(folder.dir, { pid: process.pid, startedAt: meta.startedAt, timeLimitSeconds: spec.workload.timeLimitSeconds });
  progress(`run: ${folder.dir} (seed ${spec.seed})`);
  const recorder = createRecorder({ path: folder.historyPath });
  const life = runLifetime(progress);
  const held: RunContext["held"] = { stats: noWorkloadStats() };
  const cleanupProblems: string[] = [];
  let cluster: RunCluster | undefined;
  let environment: EnvironmentError | undefined;

  return life.run(async () => {
    try {
      return await runAndFinish();
    } finally {
      await removeRunningMarker(folder.dir);
    }
  });

  async function runAndFinish(): Promise<RunOutcome> {
    try {
      // Left in reverse order: heal, then save node logs and stop the cluster (if started here).
      await using scope = await openCluster(spec, {
        shared: opts.cluster,
        image,
        runDir: folder.dir,
        logsDir: folder.logsDir,
        progress,
        problems: cleanupProblems,
        ...(security ? { security } : {}),
      });
      cluster = scope.cluster;
      life.windDownFirst();
      const env = workloadEnv(() => scope.cluster.bootstrap(), progress, scope.cluster.security);
      await createRunTopic(scope.cluster, spec);
      await workload.prepare(env);
      const faults = createFaultDriver(spec, schedule, scope.cluster, recorder, progress);
      await using _heal = deferred(async () => {
        await faults.healAll().catch((err: unknown) => void cleanupProblems.push(`heal: ${messageOf(err)}`));
      });
      const clients = {
        bootstrap: () => scope.cluster.bootstrap(),
        ...(scope.cluster.security ? { security: scope.cluster.security } : {}),
        recorder,
        nextProcess: processCounter(),
      };
      await runPhases(RUN_PHASES, { spec, workload, client, cluster: scope.cluster, faults, clients, recorder, env, life, progress, held });
    } catch (err) {
      if (err instanceof EnvironmentError) environment = err;
      life.cancel(`run failed: ${messageOf(err)}`);
      progress(`run: error: ${messageOf(err)}`);
    }
    for (const p of cleanupProblems) progress(`run: cleanup: ${p}`);
    const facts = { interrupted: life.interrupted, unknownReason: life.unknownReason };
    const outcome = await finishRun({
      spec,
      folder,
      meta,
      facts,
      cluster,
      held,
      cleanupProblems,
      faultsPlanned: schedule.length,
      progress,
    });
    if (environment) throw environment;
    progress(`run: ${verdictWord(outcome.results.valid)}; report ${outcome.reportPath}`);
    return outcome;
  }
}
