// Needs a real cluster: the copy workload's known answers on the shared cluster (a fresh topic per
// run), short runs. Transactional copiers (kafkajs) under leader kills, one of them dropped mid-copy
// on the seeded schedule: every input record is in the output exactly once (no copy-loss, no
// copy-duplicate), with faults that took effect. The same copiers without transactions (produce,
// then commit the offsets), a copier dropped after producing and before committing: the next owner
// of its partitions copies those records again, and the duplicates are found and permitted
// (at-least-once).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copiedFrom } from "../../checkers/copy.ts";
import type { Op } from "../../checkers/index.ts";
import type { TestRun } from "../../harness/api/run-test.ts";
import { sharedFixture } from "./shared-cluster.ts";

const harness = sharedFixture({ storeRoot: "test-output/store", progress: (m) => console.error(m) });
beforeAll(harness.setup, 180_000);
afterAll(harness.teardown, 120_000);

/** What a copy run did: records in the output's final reads, copies by outcome, copiers dropped. */
function figures(run: TestRun) {
  const finalFrom = run.history.findIndex((op) => op.f === "final-reads" && op.type === "invoke");
  const outputRecords = new Set<string>();
  for (const op of run.history.slice(finalFrom)) {
    if (op.f !== "poll" || op.type !== "ok") continue;
    for (const m of op.value as Array<[string, Record<string, Array<[number, number]>>?]>) {
      for (const [key, records] of Object.entries(m[1] ?? {}))
        if (key.includes(".out-")) for (const [offset] of records) outputRecords.add(`${key}@${offset}`);
    }
  }
  const done = (f: string) => run.history.filter((op: Op) => op.f === f && op.type !== "invoke");
  const crashed = run.history.filter((op) => op.f === "crash").length;
  return {
    output: outputRecords.size,
    txns: { ok: done("txn").filter((o) => o.type === "ok").length, info: done("txn").filter((o) => o.type === "info").length },
    commits: done("commit").length,
    crashed,
    effective: run.results.faults?.effective ?? 0,
    applied: run.results.faults?.applied ?? 0,
    duplicates: run.results.anomalies["copy-duplicate"]?.count ?? 0,
  };
}

// The input's producers idempotent with bursts of one: kafkajs's idempotent producer loses records it
// pipelines to one partition (docs/findings.md), a loss of the input that is no copier's.
const base = {
  topic: { partitions: 3 },
  producer: { acks: "all" as const, idempotent: true },
  finalReadTimeoutSeconds: 60,
};

describe("the copy workload (a real cluster)", () => {
  it("transactional copiers under leader kills and a copier dropped mid-copy: every input record in the output exactly once", async () => {
    const run = await harness.run({
      ...base,
      name: "copy-eos-kills",
      seed: 41,
      workload: {
        kind: "copy",
        timeLimitSeconds: 30,
        rate: 20,
        producers: 2,
        maxBurst: 1,
        copy: { copiers: 2, transactional: true, crashes: 1 },
      },
      faults: { kinds: ["kill"], targets: ["leader"], intervalSeconds: 9, minDurationSeconds: 3, maxDurationSeconds: 5 },
    });
    const f = figures(run);
    console.error(`copy-eos-kills seed ${run.spec.seed}: ${JSON.stringify(f)}; verdict ${run.results.valid}`);
    expect(run.finalReads?.complete).toBe(true);
    expect(run.results.config.copy).toBe("transactional");
    expect(f.output).toBeGreaterThan(50);
    expect(f.crashed).toBeGreaterThanOrEqual(1);
    expect(run.workload.copies?.crashes).toBe(f.crashed);
    expect(f.effective).toBeGreaterThanOrEqual(1);
    expect(run.results.anomalyTypes).not.toContain("copy-loss");
    expect(run.results.anomalyTypes).not.toContain("copy-duplicate");
    expect(run.results.anomalyTypes).not.toContain("G1a");
    expect(run.results.valid).toBe(true);
  });

  it("through @platformatic/kafka (each copier its partitions, offsets read stable): exactly once under leader kills and a copier dropped mid-copy", async () => {
    const run = await harness.run({
      ...base,
      name: "copy-eos-kills-platformatic",
      client: "platformatic",
      seed: 41,
      workload: {
        kind: "copy",
        timeLimitSeconds: 30,
        rate: 20,
        producers: 2,
        maxBurst: 1,
        copy: { copiers: 2, transactional: true, crashes: 1 },
      },
      faults: { kinds: ["kill"], targets: ["leader"], intervalSeconds: 9, minDurationSeconds: 3, maxDurationSeconds: 5 },
    });
    const f = figures(run);
    console.error(`copy-eos-kills-platformatic seed ${run.spec.seed}: ${JSON.stringify(f)}; verdict ${run.results.valid}`);
    expect(run.finalReads?.complete).toBe(true);
    expect(f.output).toBeGreaterThan(50);
    expect(f.crashed).toBeGreaterThanOrEqual(1);
    expect(f.effective).toBeGreaterThanOrEqual(1);
    expect(run.results.anomalyTypes).not.toContain("copy-loss");
    expect(run.results.anomalyTypes).not.toContain("copy-duplicate");
    expect(run.results.valid).toBe(true);
  });

  it("kafkajs finding: copiers whose batches go back to kafkajs before their copy ends duplicate under rebalances, no fault needed", async () => {
    // Copiers crashing and replaced make rebalances. kafkajs commits a transaction's offsets with
    // TxnOffsetCommit v0/v1 (no generation or member id, so no KIP-447 fencing of a copier the
    // group has moved on from) and fetches offsets without require_stable: the partition's next
    // owner (or the same copier after its rejoin) resumes below a copy that then commits.
    const run = await harness.run({
      ...base,
      name: "copy-eos-kafkajs-unheld",
      seed: 51,
      topic: { partitions: 6 },
      workload: {
        kind: "copy",
        timeLimitSeconds: 25,
        rate: 40,
        producers: 2,
        maxBurst: 1,
        copy: { copiers: 3, transactional: true, crashes: 6, holdDeliveries: false },
      },
      faults: { kinds: [] },
    });
    const f = figures(run);
    console.error(`copy-eos-kafkajs-unheld seed ${run.spec.seed}: ${JSON.stringify(f)}; verdict ${run.results.valid}`);
    expect(run.history.filter((op) => op.process === "nemesis")).toEqual([]);
    expect(run.finalReads?.complete).toBe(true);
    expect(run.results.anomalies["copy-duplicate"]).toMatchObject({ forbidden: true });
    // Two committed copies of one input record, each by a transaction that committed.
    const d = run.results.anomalies["copy-duplicate"]!.examples[0]! as { copiers: number[]; outputOffsets: number[] };
    expect(d.outputOffsets.length).toBeGreaterThanOrEqual(2);
    const committed = d.copiers.filter((i) => run.history[i]?.type === "ok");
    expect(committed.length).toBeGreaterThanOrEqual(2);
    console.error(`  e.g. ${JSON.stringify(d)}`);
    expect(run.results.valid).toBe(false);
  });

  it("at-least-once copiers, one dropped after producing and before committing: the records it copied are copied again, permitted", async () => {
    const run = await harness.run({
      ...base,
      name: "copy-alo-crash",
      seed: 32,
      workload: {
        kind: "copy",
        timeLimitSeconds: 20,
        rate: 20,
        producers: 2,
        maxBurst: 1,
        copy: { copiers: 2, transactional: false, crashes: 2 },
      },
      faults: { kinds: [] },
    });
    const f = figures(run);
    console.error(`copy-alo-crash seed ${run.spec.seed}: ${JSON.stringify(f)}; verdict ${run.results.valid}`);
    expect(run.finalReads?.complete).toBe(true);
    expect(run.results.config.copy).toBe("at-least-once");
    expect(f.output).toBeGreaterThan(50);
    expect(f.commits).toBeGreaterThan(0);
    expect(f.crashed).toBeGreaterThanOrEqual(1);
    expect(run.results.anomalies["copy-duplicate"]).toMatchObject({ forbidden: false });
    expect(run.results.anomalies["copy-duplicate"]!.reason).toMatch(/^at-least-once copier/);
    // Each duplicate is two attempts of one input value, at two output offsets.
    const d = run.results.anomalies["copy-duplicate"]!.examples[0]! as { value: number; outputValues: number[] };
    expect(new Set(d.outputValues.map((v) => copiedFrom(v)?.value))).toEqual(new Set([d.value]));
    expect(run.results.anomalyTypes).not.toContain("copy-loss");
    expect(run.results.anomalyTypes).not.toContain("duplicate");
    expect(run.results.valid).toBe(true);
  });
});
