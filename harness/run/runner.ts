// One test run end to end, in the phases of DESIGN.md §5: (1) workload with faults for the time
// limit; (2) heal; (3) wait for recovery; (4) final reads. The history is on disk line by line as it
// happens; then results.json and the report. Ctrl-C / SIGTERM stops the clients, heals, saves the
// node logs, removes the cluster, and still checks and reports what was recorded.
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { check, type Results } from "../../checkers/index.ts";
import { checkConfigOfSpec } from "../../checkers/spec-config.ts";
import { processCounter, type ClientContext } from "../clients/context.ts";
import { readFinal, type FinalReadResult } from "../clients/final-reads.ts";
import { createTopic, startCluster, type Cluster } from "../cluster/cluster.ts";
import { waitTopicInSync } from "../cluster/readiness.ts";
import { createRecorder } from "../history/recorder.ts";
import { kafkaVersion } from "../images/build-images.ts";
import { createFaultDriver, type FaultDriver } from "./fault-driver.ts";
import { createRunDir, writeJson, type RunDir } from "./store.ts";
import { onShutdown } from "../util/shutdown.ts";
import { deadlineSignal, secondsSince } from "../util/wait.ts";
import { generatePlan } from "../workload/plan.ts";
import { runWorkload, type WorkloadStats } from "../workload/execute.ts";
import { parseTestSpec, type TestSpec } from "../spec/test-spec.ts";
import { renderReport, writeIndex } from "../../reports/index.ts";
import { createRequire } from "node:module";

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
  workload: WorkloadStats;
  finalReads?: FinalReadResult;
  interrupted: boolean;
  /** 0 valid, 1 invalid, 2 unknown. */
  exitCode: 0 | 1 | 2;
}

/** Without complete final reads, `unseen` is not decidable (the values may be there, unread): a
 *  run whose only forbidden finding is unseen is unknown, not invalid. Other forbidden findings
 *  (a lost write below what reads reached, a reused offset, ...) stand. */
export function undecided(results: Results, unknownReason: string | undefined): Results {
  if (!unknownReason || results.valid === "unknown") return results;
  const decidable = results.forbidden.filter((t) => t !== "unseen");
  if (results.valid === false && decidable.length > 0) return results;
  return { ...results, valid: "unknown", unknownReason };
}

export const exitCodeOf = (r: Results): 0 | 1 | 2 => (r.valid === true ? 0 : r.valid === false ? 1 : 2);

/** The command that reruns a stored run: its spec.json carries the seed. */
export function replayCommand(dir: string): string {
  return `npx kafka-harness run --spec ${join(dir, "spec.json")}`;
}

const require = createRequire(import.meta.url);
const versionOf = (packageJson: string) => (require(packageJson) as { version: string }).version;

function versions(image?: string): Record<string, string> {
  return {
    "kafka-harness": versionOf("../package.json"),
    kafka: `${kafkaVersion()} (ZooKeeper mode)`,
    kafkajs: versionOf("kafkajs/package.json"),
    node: process.version,
    ...(image ? { image } : {}),
  };
}

export async function executeRun(input: unknown, opts: RunOptions = {}): Promise<RunOutcome> {
  let spec = parseTestSpec(input); // a bad spec fails here, before anything starts
  if (opts.cluster) {
    // A fresh topic per run on a shared cluster, so runs never read each other's records.
    spec = { ...spec, topic: { ...spec.topic, name: `${spec.topic.name}${Date.now().toString(36)}${sharedTopicSeq++}` }, cluster: opts.cluster.spec };
  }
  const progress = opts.progress ?? (() => {});
  const plan = generatePlan(spec);
  const store: RunDir = await createRunDir(opts.storeRoot ?? "store", spec.name);
  const startedAt = new Date().toISOString();
  await writeJson(join(store.dir, "spec.json"), { ...spec, meta: { startedAt, command: opts.command ?? null, replay: replayCommand(store.dir) } });
  progress(`run: ${store.dir} (seed ${spec.seed})`);

  const recorder = createRecorder({ path: store.historyPath });
  const abort = new AbortController();
  let interrupted = false;
  let finish: Promise<RunOutcome> | undefined;
  const onSignal = async () => {
    interrupted = true;
    abort.abort(new Error("interrupted"));
    progress("run: interrupted — stopping clients, healing, checking what was recorded");
    await finish?.catch(() => undefined);
  };
  let unregister = onShutdown(onSignal);

  let cluster: Cluster | undefined;
  let faults: FaultDriver | undefined;
  let workload: WorkloadStats = { sends: { ok: 0, info: 0, fail: 0 }, producersReplaced: 0, consumersReplaced: 0 };
  let finalReads: FinalReadResult | undefined;
  let unknownReason: string | undefined;

  finish = (async () => {
    try {
      cluster = opts.cluster ?? (await startCluster(spec.cluster, { progress }));
      const c = cluster;
      // Hooks run newest first: ours must run before the cluster's own removal, so that a
      // signal still heals, saves node logs and then removes the cluster (through finish).
      unregister();
      unregister = onShutdown(onSignal);
      await createTopic(c.bootstrap(), spec.topic.name, {
        partitions: spec.topic.partitions,
        replicationFactor: spec.topic.replicationFactor,
        config: {
          "min.insync.replicas": String(spec.topic.minInsyncReplicas),
          "unclean.leader.election.enable": String(spec.topic.uncleanLeaderElection),
        },
      });
      const ctx: ClientContext = { bootstrap: () => c.bootstrap(), recorder, nextProcess: processCounter() };
      faults = createFaultDriver(spec, c, recorder, progress);

      if (!abort.signal.aborted) {
        const t = performance.now();
        progress(`phase 1/4: workload${spec.faults.kinds.length ? ` with faults (${spec.faults.kinds.join(", ")})` : ""} for ${spec.workload.timeLimitSeconds} s`);
        const { signal, clear } = deadlineSignal(abort.signal, spec.workload.timeLimitSeconds * 1000);
        const ticker = setInterval(() => {
          const s = workload.sends;
          progress(`  ${secondsSince(t)} s: sends ok ${s.ok} info ${s.info} fail ${s.fail}; ${recorder.ops.length} ops; faults in force: ${faults?.inForce().join(", ") || "none"}`);
        }, 5000);
        try {
          [workload] = await Promise.all([runWorkload(spec, plan, ctx, signal, (s) => (workload = s)), faults.run(signal)]);
        } finally {
          clearInterval(ticker);
          clear();
        }
      }

      progress("phase 2/4: healing every fault");
      await faults.healAll();

      if (!abort.signal.aborted) {
        progress(`phase 3/4: waiting for recovery (all replicas in sync, up to ${spec.recoveryTimeoutSeconds} s)`);
        try {
          await waitTopicInSync(c.bootstrap(), spec.topic.name, spec.recoveryTimeoutSeconds * 1000);
        } catch (err) {
          progress(`  not recovered: ${(err as Error).message}; reading anyway`);
        }
      }

      if (!abort.signal.aborted) {
        progress("phase 4/4: final reads of every key from offset 0");
        finalReads = await readFinal(ctx, spec.topic.name, plan.keys, spec.finalReadTimeoutSeconds * 1000);
        if (!finalReads.complete) unknownReason = `final reads did not reach the end offsets within ${spec.finalReadTimeoutSeconds} s (${JSON.stringify(finalReads.reached)} of ${JSON.stringify(finalReads.endOffsets)})`;
      }
    } catch (err) {
      if (!interrupted) {
        unknownReason = `run failed: ${(err as Error).message}`;
        progress(`run: error: ${(err as Error).message}`);
      }
    } finally {
      await faults?.healAll().catch(() => undefined);
      if (cluster) {
        for (const node of [...cluster.zookeepers, ...cluster.brokers]) {
          await node.logs().then((text) => writeFile(join(store.logsDir, `${node.name}.log`), text)).catch(() => undefined);
        }
        if (!opts.cluster) await cluster.stop();
      }
    }
    if (interrupted) unknownReason = "interrupted before the final reads: loss is not decidable";

    let results = check([...recorder.ops], checkConfigOfSpec(spec));
    results = undecided(results, unknownReason);
    await writeJson(join(store.dir, "results.json"), results);
    const reportPath = join(store.dir, "report.html");
    const logs = (await readdir(store.logsDir).catch(() => [] as string[])).map((f) => `logs/${f}`);
    await writeFile(
      reportPath,
      renderReport({
        spec,
        history: recorder.ops,
        results,
        meta: {
          command: opts.command ?? null, replay: replayCommand(store.dir), startedAt, runId: cluster?.runId,
          versions: versions(cluster?.image), files: { history: "history.jsonl", results: "results.json", spec: "spec.json", logs },
          workload, finalReads,
        },
      }),
    );
    await writeIndex(store.root).catch((err: Error) => progress(`index: ${err.message}`));
    unregister();
    progress(`run: ${results.valid === true ? "VALID" : results.valid === false ? "INVALID" : "UNKNOWN"}; report ${reportPath}`);
    return {
      spec, dir: store.dir, historyPath: store.historyPath, reportPath, results, workload, finalReads, interrupted,
      exitCode: interrupted && results.valid !== false ? 2 : exitCodeOf(results),
    };
  })();
  return finish;
}
