// Needs a real cluster: the acks=all control and the acks=1 leader isolation through the second
// client, @platformatic/kafka (harness/clients/platformatic-*.ts), on one shared cluster (a fresh
// topic per run). The control must keep every acknowledged write with its faults applied; the
// isolation run must be valid (acks=1 permits loss) and report any loss as permitted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { harnessFixture, type TestSpecInput } from "../../index.ts";
import "../../harness/api/matchers.ts";

const harness = harnessFixture({ storeRoot: "test-output/store", progress: (m) => console.error(m) });
beforeAll(harness.setup, 180_000);
afterAll(harness.teardown, 120_000);

const short = {
  client: "platformatic",
  workload: { timeLimitSeconds: 20, rate: 60, producers: 4, maxBurst: 4 },
  faults: { targets: ["leader"], intervalSeconds: 6, minDurationSeconds: 4, maxDurationSeconds: 7 },
  recoveryTimeoutSeconds: 40,
  finalReadTimeoutSeconds: 30,
} satisfies TestSpecInput;

describe("platformatic client (one shared cluster)", () => {
  it("acks=all, min.insync.replicas=2 under kill, pause and isolation of the leader: no acknowledged write lost", async () => {
    const run = await harness.run({
      ...short,
      name: "platformatic-acks-all",
      seed: 7,
      producer: { acks: "all" },
      topic: { minInsyncReplicas: 2 },
      faults: { ...short.faults, kinds: ["kill", "pause", "isolate"] },
    });
    expect(run.spec.client).toBe("platformatic");
    expect(run.results.stats.sends.ok).toBeGreaterThan(30);
    expect(run.results.faults?.applied, JSON.stringify(run.results.faults)).toBeGreaterThanOrEqual(1);
    expect(run.finalReads?.complete).toBe(true);
    expect(run.results.stats.valuesRead).toBeGreaterThan(50);
    expect(run).toKeepAcknowledgedWrites();
    expect(run).toBeValid();
  });

  it("acks=1 with the leader isolated: valid, and any loss is reported as permitted", async () => {
    const run = await harness.run({
      ...short,
      name: "platformatic-acks1",
      seed: 12,
      producer: { acks: 1 },
      topic: { minInsyncReplicas: 1 },
      faults: { ...short.faults, kinds: ["isolate"] },
    });
    expect(run.results.stats.sends.ok).toBeGreaterThan(50);
    expect(run.results.faults?.byKind.partition?.applied, JSON.stringify(run.results.faults)).toBeGreaterThanOrEqual(1);
    expect(run).toBeValid();
    const lost = (["lost-write", "unseen"] as const).filter((t) => run.results.anomalies[t]);
    if (lost.length > 0) {
      expect(run).not.toKeepAcknowledgedWrites();
      for (const t of lost) expect(run.results.anomalies[t]!.forbidden).toBe(false);
    } else {
      console.error(`platformatic acks=1 run lost nothing this time (seed ${run.spec.seed}); see ${run.reportPath}`);
    }
  });
});
