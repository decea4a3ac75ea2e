// The phases of a run as data, and the one loop that runs them (docs/design.md, "Phases of a
// run"): (1) the workload with faults for the time limit; (2) heal; (3) wait until every replica is
// in sync; (4) final reads of every key from offset 0. The loop owns what every phase shares: the
// progress line, the phase's deadline, the marker ops that record the phase in the history itself
// (checkers/phases.ts), and the run's cancel: a cancelled run skips every phase but heal.
import { HARNESS_PROCESS, type Phase } from "../../checkers/phases.ts";
import type { KafkaClient, ReadCommittedFilter } from "../clients/client.ts";
import type { ClientContext } from "../clients/context.ts";
import { type FinalReadResult, mergeFinalReads, readFinal } from "../clients/final-reads.ts";
import type { RunCluster } from "../cluster/kinds/kind.ts";
import { waitTopicInSync } from "../cluster/readiness.ts";
import type { Recorder } from "../history/recorder.ts";
import type { TestSpec } from "../spec/test-spec.ts";
import { messageOf } from "../util/errors.ts";
import { deadlineSignal, secondsSince } from "../util/wait.ts";
import { finalReadKeysOf, statsLine, topicsOf, type Workload, type WorkloadEnv, type WorkloadStats } from "../workload/workload.ts";
import type { FaultDriver } from "./fault-driver.ts";
import type { RunLifetime } from "./scope.ts";
import { sideBySide } from "./side-by-side.ts";

/** What the phases hold in common while the run goes on. */
export interface RunContext {
  readonly spec: TestSpec;
  readonly workload: Workload;
  readonly client: KafkaClient;
  readonly cluster: RunCluster;
  readonly faults: FaultDriver;
  readonly clients: ClientContext;
  readonly recorder: Recorder;
  readonly env: WorkloadEnv;
  readonly life: RunLifetime;
  readonly progress: (m: string) => void;
  /** What the run learns as it goes, kept for the results and the report. */
  readonly held: HeldFacts;
}

/** What the run learns as it goes, kept for the results and the report. */
export interface HeldFacts {
  stats: WorkloadStats;
  finalReads?: FinalReadResult;
  /** Why heal-all, tried twice, did not undo every fault: a fault may still be in force. */
  healProblem?: string;
  /** The library's read_committed filter as probed where the run read transactional records. */
  readCommittedFilter?: ProbedFilter;
}

/** The probed filter (client.ts ReadCommittedFilter) per reader: the workload's consumers (probed
 *  as the workload starts; kafkajs's transactional consumers also refuse to open without the fix)
 *  and the final reads. */
export type ProbedFilter = { client: ReadCommittedFilter["client"] } & Partial<
  Record<"workload" | "finalReads", ReadCommittedFilter["filter"]>
>;

/** Notes a probe's answer for one reader. */
function noteFilter(held: HeldFacts, reader: "workload" | "finalReads", probed: ReadCommittedFilter | undefined): void {
  if (probed) held.readCommittedFilter = { ...(held.readCommittedFilter ?? { client: probed.client }), [reader]: probed.filter };
}

/** How a phase ended, for its completion marker. */
export type PhaseEnd = { value: unknown; seconds: number } | { error: unknown; seconds: number };

export interface RunPhase {
  /** The progress line's text. */
  describe(ctx: RunContext): string;
  /** Runs even when the run was cancelled: the cluster is whole again whatever happened. */
  always?: boolean;
  /** The phase's deadline: its signal aborts then (and on the run's cancel). */
  timeLimitMs?(ctx: RunContext): number;
  /** Its marker ops: the invocation's value, and the completion from how it ended. */
  marker?: { f: Phase; start(ctx: RunContext): unknown; end(ctx: RunContext, e: PhaseEnd): { type: "ok" | "info"; value: unknown } };
  /** A progress line every 5 s while it runs. */
  tick?(ctx: RunContext, seconds: number): string;
  run(ctx: RunContext, signal: AbortSignal): Promise<unknown>;
}

const workloadPhase: RunPhase = {
  describe: ({ spec }) =>
    `workload${spec.faults.kinds.length ? ` with faults (${spec.faults.kinds.join(", ")})` : ""} for ${spec.workload.timeLimitSeconds} s`,
  timeLimitMs: ({ spec }) => spec.workload.timeLimitSeconds * 1000,
  marker: {
    f: "workload",
    start: ({ spec }) => ({ timeLimitSeconds: spec.workload.timeLimitSeconds }),
    // ok: the workload ran its time limit; info: it was cut short (see the verdict's reason).
    end: ({ life }, e) => ({ type: life.signal.aborted ? "info" : "ok", value: { seconds: e.seconds } }),
  },
  tick: ({ held, recorder, faults }, s) =>
    `  ${s} s: ${statsLine(held.stats)}; ${recorder.ops.length} ops; faults in force: ${faults.inForce().join(", ") || "none"}`,
  async run(ctx, signal) {
    if (ctx.workload.transactional) noteFilter(ctx.held, "workload", ctx.client.probeReadCommittedFilter?.());
    const onProgress = (s: WorkloadStats) => void (ctx.held.stats = s);
    [ctx.held.stats] = await sideBySide<[WorkloadStats, void]>(
      [
        ["the workload", ctx.workload.run(ctx.clients, signal, onProgress)],
        ["the fault driver", ctx.faults.run(signal)],
      ],
      ctx.life.cancel,
    );
  },
};

/** Heal happens here, once; the fault driver's scope heals only a run that never got here. A
 *  heal-all that still leaves something undone after its retry makes the verdict unknown, even if
 *  the final reads then complete: a node still cut off may serve as a stale leader, and the end
 *  offsets the reads are measured against come from that same cluster, so "complete" would prove
 *  nothing. Decidable findings still stand (checkers/verdict.ts). */
export const healPhase: RunPhase = {
  describe: () => "healing every fault",
  always: true,
  async run({ faults, held, life, progress }) {
    const healed = await faults.healAll();
    if (healed.type === "ok") return;
    held.healProblem = `heal-all did not undo every fault, even when tried twice (${healed.value.reason ?? healed.type}): a fault may still be in force, so the final reads cannot be trusted to be complete`;
    progress(`  ${held.healProblem}`);
    life.undecidable(held.healProblem);
  },
};

const recoveryPhase: RunPhase = {
  describe: ({ spec }) => `waiting for recovery (all replicas in sync, up to ${spec.recoveryTimeoutSeconds} s)`,
  async run({ spec, cluster, progress, workload, env, life }) {
    try {
      for (const topic of topicsOf(spec))
        await waitTopicInSync(cluster.bootstrap(), topic, spec.recoveryTimeoutSeconds * 1000, cluster.security);
    } catch (err) {
      progress(`  not recovered: ${messageOf(err)}; reading anyway`);
    }
    if (!life.signal.aborted) await workload.beforeFinalReads(env);
  },
};

export const finalReadsPhase: RunPhase = {
  describe: () => "final reads of every key from offset 0",
  marker: {
    f: "final-reads",
    start: ({ spec, workload }) => ({ keys: finalReadKeysOf(spec, workload.plan).flatMap((t) => t.keys) }),
    // The history says by itself whether loss is decidable (checkers/phases.ts): not after a heal
    // that left a fault in force, whatever the reads reached.
    end: ({ held }, e) =>
      "error" in e
        ? { type: "info", value: { reason: messageOf(e.error) } }
        : held.healProblem
          ? { type: "info", value: { ...(e.value as FinalReadResult), reason: held.healProblem } }
          : { type: (e.value as FinalReadResult).complete ? "ok" : "info", value: e.value },
  },
  async run({ spec, clients, workload, client, held, life }) {
    // Each of the run's topics (a copy run's output too), merged into one result.
    const reads: FinalReadResult[] = [];
    for (const { topic, keys } of finalReadKeysOf(spec, workload.plan)) {
      reads.push(
        await readFinal(clients, topic, keys, {
          timeoutMs: spec.finalReadTimeoutSeconds * 1000,
          client,
          transactional: workload.transactional,
        }),
      );
    }
    const r = mergeFinalReads(reads);
    held.finalReads = r;
    noteFilter(held, "finalReads", r.readCommittedFilter);
    if (!r.complete) life.undecidable(r.reason ?? "final reads did not reach the end offsets");
    return r;
  },
};

export const RUN_PHASES: readonly RunPhase[] = [workloadPhase, healPhase, recoveryPhase, finalReadsPhase];

/** Runs the phases in order; a phase that throws ends the loop (the run's scopes clean up). */
export async function runPhases(phases: readonly RunPhase[], ctx: RunContext): Promise<void> {
  const mark = (type: "invoke" | "ok" | "info", f: Phase, value: unknown) =>
    ctx.recorder.record({ process: HARNESS_PROCESS, type, f, value });
  for (const [i, phase] of phases.entries()) {
    if (ctx.life.signal.aborted && !phase.always) continue;
    const started = performance.now();
    ctx.progress(`phase ${i + 1}/${phases.length}: ${phase.describe(ctx)}`);
    const { signal, clear } = phase.timeLimitMs
      ? deadlineSignal(ctx.life.signal, phase.timeLimitMs(ctx))
      : { signal: ctx.life.signal, clear: () => {} };
    if (phase.marker) mark("invoke", phase.marker.f, phase.marker.start(ctx));
    const ticker = phase.tick && setInterval(() => ctx.progress(phase.tick!(ctx, secondsSince(started))), 5000);
    let end: PhaseEnd | undefined;
    try {
      end = { value: await phase.run(ctx, signal), seconds: secondsSince(started) };
    } catch (error) {
      end = { error, seconds: secondsSince(started) };
      throw error;
    } finally {
      clearInterval(ticker);
      clear();
      if (phase.marker && end) {
        const { type, value } = phase.marker.end(ctx, end);
        mark(type, phase.marker.f, value);
      }
    }
  }
}
