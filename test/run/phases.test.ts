// The run's phase loop without a cluster: each phase's marker ops around it, a cancelled run
// skipping every phase but those marked `always`, and a failing phase ending the loop with its
// completion marker recorded.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { FinalReadResult } from "../../harness/clients/final-reads.ts";
import { createRecorder } from "../../harness/history/recorder.ts";
import type { FaultResult } from "../../harness/nemesis/index.ts";
import { healAllRetried } from "../../harness/run/fault-driver.ts";
import { finishRun } from "../../harness/run/finish.ts";
import {
  finalReadsPhase,
  type HeldFacts,
  healPhase,
  RUN_PHASES,
  type RunContext,
  type RunPhase,
  runPhases,
} from "../../harness/run/phases.ts";
import { runLifetime } from "../../harness/run/scope.ts";
import { parseTestSpec } from "../../harness/spec/test-spec.ts";
import { noWorkloadStats } from "../../harness/workload/workload.ts";
import { createRunFolder } from "../../reports/run-folder.ts";

function context() {
  const recorder = createRecorder();
  const lines: string[] = [];
  const life = runLifetime(() => {});
  const ctx = { recorder, life, progress: (m: string) => lines.push(m) } as unknown as RunContext;
  return { ctx, recorder, lines, life };
}

const marked = (ran: string[], name: string, fail = false): RunPhase => ({
  describe: () => name,
  marker: { f: "workload", start: () => ({ name }), end: (_, e) => ({ type: "error" in e ? "info" : "ok", value: { name } }) },
  run: async () => {
    ran.push(name);
    if (fail) throw new Error(`${name} failed`);
  },
});

describe("runPhases", () => {
  it("records each phase's markers and says which phase of how many runs", async () => {
    const { ctx, recorder, lines } = context();
    const ran: string[] = [];
    await runPhases([marked(ran, "a"), marked(ran, "b")], ctx);
    expect(ran).toEqual(["a", "b"]);
    expect(lines).toEqual(["phase 1/2: a", "phase 2/2: b"]);
    expect(recorder.ops.map((o) => `${o.process} ${o.type} ${o.f}`)).toEqual([
      "harness invoke workload",
      "harness ok workload",
      "harness invoke workload",
      "harness ok workload",
    ]);
  });

  it("a cancelled run runs only the phases marked always", async () => {
    const { ctx, life } = context();
    const ran: string[] = [];
    life.cancel("stop");
    await runPhases([marked(ran, "a"), { ...marked(ran, "heal"), always: true }, marked(ran, "c")], ctx);
    expect(ran).toEqual(["heal"]);
    expect(life.unknownReason).toBe("stop");
  });

  it("a failing phase records its completion and ends the loop", async () => {
    const { ctx, recorder } = context();
    const ran: string[] = [];
    await expect(runPhases([marked(ran, "a", true), marked(ran, "b")], ctx)).rejects.toThrow("a failed");
    expect(ran).toEqual(["a"]);
    expect(recorder.ops.map((o) => o.type)).toEqual(["invoke", "info"]);
  });
});

describe("heal before the final reads", () => {
  const healAll = (type: "ok" | "info", reason?: string): FaultResult => ({
    type,
    f: "heal-all",
    value: { targets: [], ...(reason ? { reason } : {}) },
  });
  /** A nemesis whose heal-alls answer `answers` in turn. */
  const nemesis = (answers: FaultResult[]) => {
    let calls = 0;
    return { healAll: async () => answers[Math.min(calls++, answers.length - 1)]!, calls: () => calls };
  };

  it("heal-all is tried a second time when the first left something undone; the second result counts", async () => {
    for (const [answers, type, calls] of [
      [[healAll("ok")], "ok", 1],
      [[healAll("info", "kafka2: start failed"), healAll("ok")], "ok", 2],
      [[healAll("info", "kafka2: start failed"), healAll("info", "kafka2: start failed again")], "info", 2],
    ] as const) {
      const n = nemesis([...answers]);
      const lines: string[] = [];
      const r = await healAllRetried(n, (m) => lines.push(m));
      expect(r.type).toBe(type);
      expect(n.calls()).toBe(calls);
      expect(lines.length).toBe(calls - 1);
    }
  });

  const finalReads: FinalReadResult = { complete: true, endOffsets: { "t-0": 3 }, reached: { "t-0": 3 }, seconds: 1 };

  it("a heal still not ok: the verdict is unknown naming it, and complete final reads are marked incomplete", async () => {
    const { ctx, life } = context();
    const held: HeldFacts = { stats: noWorkloadStats() };
    const c = {
      ...ctx,
      held,
      faults: { healAll: async () => healAll("info", "removing rules: iptables failed") },
    } as unknown as RunContext;
    await runPhases([healPhase], c);
    expect(life.unknownReason).toMatch(
      /^heal-all did not undo every fault.*removing rules: iptables failed.*final reads cannot be trusted/,
    );
    expect(held.healProblem).toBe(life.unknownReason);
    expect(finalReadsPhase.marker!.end(c, { value: finalReads, seconds: 1 })).toEqual({
      type: "info",
      value: { ...finalReads, reason: held.healProblem },
    });
  });

  it("a heal that is ok leaves the verdict alone and complete final reads ok", async () => {
    const { ctx, life } = context();
    const held: HeldFacts = { stats: noWorkloadStats() };
    const c = { ...ctx, held, faults: { healAll: async () => healAll("ok") } } as unknown as RunContext;
    await runPhases([healPhase], c);
    expect(life.unknownReason).toBeUndefined();
    expect(finalReadsPhase.marker!.end(c, { value: finalReads, seconds: 1 })).toEqual({ type: "ok", value: finalReads });
  });
});

describe("the read_committed filter of a run that reads transactional records", () => {
  const probeOf = (filter: "kafka-rule" | "kafkajs-2.2.4") => () => ({ client: "kafkajs" as const, filter });
  const workloadCtx = (transactional: boolean, probe?: () => { client: "kafkajs"; filter: "kafka-rule" | "kafkajs-2.2.4" }) => {
    const { ctx } = context();
    const held: HeldFacts = { stats: noWorkloadStats() };
    const c = {
      ...ctx,
      held,
      spec: { workload: { timeLimitSeconds: 0.01 }, faults: { kinds: [] } },
      workload: { transactional, run: async () => noWorkloadStats() },
      client: { name: "kafkajs", ...(probe ? { probeReadCommittedFilter: probe } : {}) },
      faults: { run: async () => {}, inForce: () => [] },
    } as unknown as RunContext;
    return { c, held };
  };

  it("is probed as the workload starts and kept for the results and meta", async () => {
    const { c, held } = workloadCtx(true, probeOf("kafka-rule"));
    await runPhases([RUN_PHASES[0]!], c);
    expect(held.readCommittedFilter).toEqual({ client: "kafkajs", workload: "kafka-rule" });
  });

  it("is not probed in a run without transactional records, nor for a library without a probe", async () => {
    for (const { c, held } of [workloadCtx(false, probeOf("kafka-rule")), workloadCtx(true)]) {
      await runPhases([RUN_PHASES[0]!], c);
      expect(held).not.toHaveProperty("readCommittedFilter");
    }
  });
});

describe("finishRun", () => {
  it("writes the probed read_committed filter into results.json and spec.json's meta", async () => {
    const root = await mkdtemp(join(tmpdir(), "kh-finish-"));
    try {
      const folder = await createRunFolder(root, "t");
      await writeFile(folder.historyPath, "");
      const spec = parseTestSpec({ name: "t", workload: { kind: "txn" } });
      const readCommittedFilter = { client: "kafkajs" as const, workload: "kafka-rule" as const, finalReads: "kafka-rule" as const };
      const outcome = await finishRun({
        spec,
        folder,
        meta: { startedAt: "2025-01-01T00:00:00.000Z", command: null, replay: "" },
        facts: { interrupted: false },
        held: { stats: noWorkloadStats(), readCommittedFilter },
        cleanupProblems: [],
        faultsPlanned: 0,
        progress: () => {},
      });
      expect(outcome.results.readCommittedFilter).toEqual(readCommittedFilter);
      expect(JSON.parse(await readFile(join(folder.dir, "results.json"), "utf8"))).toMatchObject({ readCommittedFilter });
      expect(JSON.parse(await readFile(join(folder.dir, "spec.json"), "utf8")).meta).toMatchObject({ readCommittedFilter });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
