// One test run end to end, in the phases of DESIGN.md §5: (1) workload with faults for the time
// limit; (2) heal; (3) wait for recovery; (4) final reads. The history is on disk line by line as it
// happens; then results.json and the report, both from the stored history.
//
// The runner owns the run's lifetime: the first failure of any part (clients, fault driver,
// recorder), Ctrl-C / SIGTERM, or an uncaught error anywhere cancels the other parts through one
// signal; the run then heals, saves the node logs, removes its cluster, and still checks and
// reports what was recorded, with verdict `unknown` and the reason. Only a machine that cannot run
// a cluster at all (EnvironmentError) is thrown instead: nothing was tested.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { check, readHistoryFile, type History, type Results } from "../../checkers/index.ts";
import { checkConfigOfSpec } from "../../checkers/spec-config.ts";
import { writeIndex, writeReport } from "../../reports/index.ts";
import { loadClient } from "../clients/registry.ts";
import { processCounter, type ClientContext } from "../clients/context.ts";
import { readFinal, type FinalReadResult } from "../clients/final-reads.ts";
import { createTopic, prepareMachine, startCluster, type Cluster } from "../cluster/cluster.ts";
import { saveNodeLogs } from "../cluster/node-logs.ts";
import { waitTopicInSync } from "../cluster/readiness.ts";
import { createRecorder, type OpType } from "../history/recorder.ts";
import { HARNESS_PROCESS, NO_FINAL_READS, type Phase } from "../../checkers/phases.ts";
import { parseTestSpec, type TestSpec } from "../spec/test-spec.ts";
import { EnvironmentError } from "../util/environment.ts";
import { onShutdown, type ShutdownCause } from "../util/shutdown.ts";
import { deadlineSignal, secondsSince } from "../util/wait.ts";
import { runWorkload, type WorkloadStats } from "../workload/execute.ts";
import { runTxnWorkload } from "../workload/execute-txn.ts";
import { generatePlan } from "../workload/plan.ts";
import { txnGroupsOf, txnIdsOf } from "../workload/txn-plan.ts";
import { prepareTxnState } from "./txn-setup.ts";
import { loadTxnClient } from "../clients/registry.ts";
import { createFaultDriver, faultSchedule, type FaultDriver } from "./fault-driver.ts";
import { sideBySide } from "./side-by-side.ts";
import { createRunDir, writeJson, type RunDir } from "./store.ts";
import { exitCodeOf, undecided } from "./verdict.ts";
import { runVersions } from "./versions.ts";

export { exitCodeOf, undecided } from "./verdict.ts";

export interface RunOptions {
  storeRoot?: string;
  progress?: (m: string) => void;
  /** The command line that started the run (stored so the run can be replayed). */
  command?: string;
  /** A running cluster to use instead of starting one (suites share one; each run gets a fresh
   *  topic). It is healed after the run and left running: its owner stops it. */
  cluster?: Cluster;
}

let sharedTopicSeq = 0;

export interface RunOutcome {
  spec: TestSpec;
  dir: string;
  historyPath: string;
  reportPath: string;
  results: Results;
  /** The history as stored (read back from history.jsonl): what the results were computed from. */
  history: History;
  workload: WorkloadStats;
  finalReads?: FinalReadResult;
  interrupted: boolean;
  /** Faults in the run's schedule (those that took effect are in results.faults). */
  faultsPlanned: number;
  /** 0 valid, 1 invalid, 2 unknown. */
  exitCode: 0 | 1 | 2;
}

/** The command that reruns a stored run: its spec.json carries the seed. */
export function replayCommand(dir: string): string {
  return `npx kafka-harness run --spec ${join(dir, "spec.json")}`;
}

const messageOf = (err: unknown) => (err as Error)?.message ?? String(err);

export async function executeRun(input: unknown, opts: RunOptions = {}): Promise<RunOutcome> {
  let spec = parseTestSpec(input); // a bad spec fails here, before anything starts
  if (opts.cluster) {
    // A fresh topic per run on a shared cluster, so runs never read each other's records.
    spec = { ...spec, topic: { ...spec.topic, name: `${spec.topic.name}${Date.now().toString(36)}${sharedTopicSeq++}` }, cluster: opts.cluster.spec };
  }
  const progress = opts.progress ?? (() => {});
  // The client library before anything starts: a missing one is an EnvironmentError, not a run.
  const client = await loadClient(spec.client);
  const txnClient = spec.workload.kind === "txn" ? await loadTxnClient(spec.client) : undefined;
  const plan = generatePlan(spec);
  const schedule = faultSchedule(spec);
  // The machine before the run: no engine or no image is an EnvironmentError, and no run folder.
  const image = opts.cluster ? undefined : (await prepareMachine(progress, spec.cluster.kafkaVersion)).image;
  const store: RunDir = await createRunDir(opts.storeRoot ?? "store", spec.name);
  const specPath = join(store.dir, "spec.json");
  const startedAt = new Date().toISOString();
  const meta: Record<string, unknown> = { startedAt, command: opts.command ?? null, replay: replayCommand(store.dir) };
  await writeJson(specPath, { ...spec, meta });
  progress(`run: ${store.dir} (seed ${spec.seed})`);

  const recorder = createRecorder({ path: store.historyPath });
  /** The run's phases as marker ops in the history itself, so any stored file tells them. */
  const mark = (type: OpType, f: Phase, value: unknown) => recorder.record({ process: HARNESS_PROCESS, type, f, value });
  // The run's one cancel: the first reason wins and is the verdict's `unknown` reason.
  const abort = new AbortController();
  let unknownReason: string | undefined;
  let interrupted = false;
  const cancel = (reason: string) => {
    unknownReason ??= reason;
    if (!abort.signal.aborted) abort.abort(new Error(reason));
  };
  let finish: Promise<RunOutcome> | undefined;
  const onShutdownOfRun = async (cause: ShutdownCause) => {
    if ("signal" in cause) {
      interrupted = true;
      cancel("interrupted before the final reads: loss is not decidable");
      progress("run: interrupted — stopping clients, healing, checking what was recorded");
    } else {
      cancel(`run failed: uncaught error: ${messageOf(cause.error)}`);
      progress("run: uncaught error — stopping clients, healing, checking what was recorded");
    }
    await finish?.catch(() => undefined);
  };
  let unregister = onShutdown(onShutdownOfRun);

  let cluster: Cluster | undefined;
  let faults: FaultDriver | undefined;
  let workload: WorkloadStats = { sends: { ok: 0, info: 0, fail: 0 }, producersReplaced: 0, consumersReplaced: 0 };
  let finalReads: FinalReadResult | undefined;
  let environment: EnvironmentError | undefined;
  const cleanupProblems: string[] = [];

  finish = (async () => {
    try {
      cluster = opts.cluster ?? (await startCluster(spec.cluster, { progress, image }));
      const c = cluster;
      // Hooks run newest first: ours must run before the cluster's own removal, so that a
      // signal still heals, saves node logs and then removes the cluster (through finish).
      unregister();
      unregister = onShutdown(onShutdownOfRun);
      await createTopic(c.bootstrap(), spec.topic.name, {
        partitions: spec.topic.partitions,
        replicationFactor: spec.topic.replicationFactor,
        config: {
          "min.insync.replicas": String(spec.topic.minInsyncReplicas),
          "unclean.leader.election.enable": String(spec.topic.uncleanLeaderElection),
        },
      });
      if (txnClient) {
        progress("txn: creating __transaction_state and __consumer_offsets, waiting for them in sync");
        await prepareTxnState(c.bootstrap(), txnClient, txnIdsOf(spec), txnGroupsOf(spec), 60_000);
      }
      const ctx: ClientContext = { bootstrap: () => c.bootstrap(), recorder, nextProcess: processCounter() };
      faults = createFaultDriver(spec, schedule, c, recorder, progress);

      if (!abort.signal.aborted) {
        const t = performance.now();
        progress(`phase 1/4: workload${spec.faults.kinds.length ? ` with faults (${spec.faults.kinds.join(", ")})` : ""} for ${spec.workload.timeLimitSeconds} s`);
        const { signal, clear } = deadlineSignal(abort.signal, spec.workload.timeLimitSeconds * 1000);
        mark("invoke", "workload", { timeLimitSeconds: spec.workload.timeLimitSeconds });
        const ticker = setInterval(() => {
          const s = workload.transactions ?? workload.sends;
          progress(`  ${secondsSince(t)} s: ${workload.transactions ? "transactions" : "sends"} ok ${s.ok} info ${s.info} fail ${s.fail}; ${recorder.ops.length} ops; faults in force: ${faults?.inForce().join(", ") || "none"}`);
        }, 5000);
        try {
          [workload] = await sideBySide<[WorkloadStats, void]>(
            [
              ["the workload", txnClient ? runTxnWorkload(spec, plan, ctx, txnClient, signal, (s) => (workload = s)) : runWorkload(spec, plan, ctx, signal, (s) => (workload = s))],
              ["the fault driver", faults.run(signal)],
            ],
            cancel,
          );
        } finally {
          clearInterval(ticker);
          clear();
          // ok: the workload ran its time limit; info: it was cut short (see the verdict's reason).
          mark(abort.signal.aborted ? "info" : "ok", "workload", { seconds: secondsSince(t) });
        }
      }

      progress("phase 2/4: healing every fault");
      await faults.healAll();

      if (!abort.signal.aborted) {
        progress(`phase 3/4: waiting for recovery (all replicas in sync, up to ${spec.recoveryTimeoutSeconds} s)`);
        try {
          await waitTopicInSync(c.bootstrap(), spec.topic.name, spec.recoveryTimeoutSeconds * 1000);
        } catch (err) {
          progress(`  not recovered: ${messageOf(err)}; reading anyway`);
        }
      }

      if (txnClient && !abort.signal.aborted) {
        // read_committed final reads stop at the first open transaction: end them all first.
        progress("txn: ending every transaction left open (a new producer per transactional id)");
        await txnClient.endOpenTransactions(c.bootstrap(), txnIdsOf(spec), 30_000).catch((err: unknown) => progress(`  ${messageOf(err)}; reading anyway`));
      }

      if (!abort.signal.aborted) {
        progress("phase 4/4: final reads of every key from offset 0");
        mark("invoke", "final-reads", { keys: plan.keys });
        try {
          finalReads = await readFinal(ctx, spec.topic.name, plan.keys, spec.finalReadTimeoutSeconds * 1000, client);
        } catch (err) {
          mark("info", "final-reads", { reason: messageOf(err) });
          throw err;
        }
        // The history says by itself whether loss is decidable (checkers/phases.ts).
        mark(finalReads.complete ? "ok" : "info", "final-reads", finalReads);
        if (!finalReads.complete) unknownReason ??= `final reads did not reach the end offsets within ${spec.finalReadTimeoutSeconds} s (${JSON.stringify(finalReads.reached)} of ${JSON.stringify(finalReads.endOffsets)})`;
      }
    } catch (err) {
      if (err instanceof EnvironmentError) environment = err;
      cancel(`run failed: ${messageOf(err)}`);
      progress(`run: error: ${messageOf(err)}`);
    } finally {
      await faults?.healAll().catch((err: unknown) => cleanupProblems.push(`heal: ${messageOf(err)}`));
      if (cluster) {
        await saveNodeLogs(cluster, store.logsDir).catch(() => undefined);
        if (!opts.cluster) await cluster.stop().catch((err: unknown) => cleanupProblems.push(messageOf(err)));
      }
    }
    for (const p of cleanupProblems) progress(`run: cleanup: ${p}`);

    // What is checked and reported is what was stored: the history file, read back.
    const history = await readHistoryFile(store.historyPath);
    const results = undecided(check(history, checkConfigOfSpec(spec)), unknownReason);
    // The history itself says its final reads did not complete; the runner knows why.
    if (unknownReason && results.unknownReason === NO_FINAL_READS) results.unknownReason = unknownReason;
    await writeJson(join(store.dir, "results.json"), results);
    // Everything the report shows lives in the run folder, so `kafka-harness report <dir>` renders
    // the same report later: the run's details go into spec.json's meta.
    const logs = (await readdir(store.logsDir).catch(() => [] as string[])).map((f) => `logs/${f}`);
    Object.assign(meta, {
      runId: cluster?.runId, versions: runVersions(cluster?.image, spec.cluster), workload, finalReads, interrupted,
      ...(cleanupProblems.length ? { cleanupProblems } : {}),
      files: { history: "history.jsonl", results: "results.json", spec: "spec.json", logs },
    });
    await writeJson(specPath, { ...spec, meta });
    const reportPath = await writeReport(store.dir);
    await writeIndex(store.root).catch((err: Error) => progress(`index: ${err.message}`));
    unregister();
    if (environment) throw environment;
    progress(`run: ${results.valid === true ? "VALID" : results.valid === false ? "INVALID" : "UNKNOWN"}; report ${reportPath}`);
    return {
      spec, dir: store.dir, historyPath: store.historyPath, reportPath, results, workload, finalReads, interrupted,
      history, faultsPlanned: schedule.length,
      exitCode: interrupted && results.valid !== false ? 2 : exitCodeOf(results),
    };
  })();
  return finish;
}
