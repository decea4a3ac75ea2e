// Needs a real cluster: what @platformatic/kafka 1.35 gets wrong (suites/platformatic-findings.yaml).
// Its idempotent producer reads a batch's sequence number when it builds the request and advances
// it only when the answer comes, so records pipelined to one partition share a sequence: the broker
// appends the first and answers the rest as its duplicates, with its offset. With no fault at all,
// acknowledged writes are lost. (The acks=1 loss and the acks=all control through this client run
// in the known-answer suite: suites/known-answers.yaml, test/integration/known-answers.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Op } from "../../checkers/index.ts";
import "../../harness/api/matchers.ts";
import { sharedFixture } from "./shared-cluster.ts";

const harness = sharedFixture({ storeRoot: "test-output/store", progress: (m) => console.error(m) });
beforeAll(harness.setup, 180_000);
afterAll(harness.teardown, 120_000);

/** Sends acknowledged with one offset for several of their records: [op index, key, offset, values]. */
function sharedOffsets(history: Op[]): Array<[number, string, number, unknown[]]> {
  const found: Array<[number, string, number, unknown[]]> = [];
  for (const op of history) {
    if (op.f !== "send" || op.type !== "ok" || !Array.isArray(op.value)) continue;
    const byOffset = new Map<string, unknown[]>();
    for (const m of op.value as Array<[string, string, [number | null, unknown]]>) {
      const [offset, v] = m[2];
      if (offset === null) continue;
      const k = `${m[1]}@${offset}`;
      byOffset.set(k, [...(byOffset.get(k) ?? []), v]);
    }
    for (const [k, values] of byOffset) {
      if (values.length > 1) found.push([op.index!, k.split("@")[0]!, Number(k.split("@")[1]), values]);
    }
  }
  return found;
}

describe("platformatic client findings (a real cluster)", () => {
  it("idempotent producer, records pipelined to one partition, no faults: several acknowledged at one offset, lost", async () => {
    const run = await harness.run({
      name: "platformatic-idempotent-pipelined",
      seed: 16,
      client: "platformatic",
      producer: { acks: "all", idempotent: true, maxInFlight: 5 },
      topic: { minInsyncReplicas: 2 },
      workload: { timeLimitSeconds: 10, rate: 80, producers: 4, maxBurst: 4 },
      faults: { kinds: [] },
      finalReadTimeoutSeconds: 30,
    });
    // No fault ran: whatever is lost is the client's doing.
    expect(run.history.filter((op) => op.process === "nemesis")).toEqual([]);
    expect(run.finalReads?.complete).toBe(true);
    expect(run.results.stats.sends.ok).toBeGreaterThan(10);
    expect(run.results.stats.valuesRead).toBeGreaterThan(10);
    // The client's own answers: one op acknowledging two or more records at the same offset.
    const shared = sharedOffsets(run.history);
    expect(shared.length, "no send was acknowledged with one offset for two records").toBeGreaterThan(0);
    console.error(
      `seed ${run.spec.seed}: ${shared.length} send(s) acknowledged several records at one offset, e.g. op ${shared[0]![0]}: ${shared[0]![1]} offset ${shared[0]![2]} for values ${shared[0]![3].join(", ")}`,
    );
    expect(run.results.anomalies["lost-write"]?.forbidden).toBe(true);
    expect(run.results.anomalies["inconsistent-offsets"]?.forbidden).toBe(true);
    expect(run).not.toKeepAcknowledgedWrites();
    expect(run).not.toBeValid();
  });
});
