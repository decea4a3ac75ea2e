// Needs a real cluster (one, shared by every run here). Replay by seed: a stored acks=1 run with
// loss is rerun from its directory twice, and the harness says how often the loss came back; its
// report rendered again from the folder is the report the run wrote.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatReplay, replayRun, type TestRun, type TestSpecInput } from "../../index.ts";
import { writeReport } from "../../reports/index.ts";
import { sharedFixture } from "./shared-cluster.ts";

const progress = (m: string) => console.error(m);
const harness = sharedFixture({ storeRoot: "test-output/store", progress });
beforeAll(harness.setup, 180_000);
afterAll(harness.teardown, 120_000);

const lossy = {
  name: "replay-acks1",
  producer: { acks: 1 },
  topic: { minInsyncReplicas: 1 },
  workload: { timeLimitSeconds: 20, rate: 80, producers: 6, maxBurst: 4 },
  faults: { kinds: ["isolate", "kill"], targets: ["leader"], intervalSeconds: 6, minDurationSeconds: 4, maxDurationSeconds: 7 },
  recoveryTimeoutSeconds: 40,
  finalReadTimeoutSeconds: 30,
} satisfies TestSpecInput;

const LOSS = ["lost-write", "unseen"] as const;

describe("replay (real cluster)", () => {
  it("reruns a stored run with its seed and says in how many of 2 replays its loss reappeared", async () => {
    // The original: up to two seeds, until one loses an acknowledged write. Seed 7 first: its
    // schedule isolates a leader for ~7 s mid-run, and lost writes in every stored run so far
    // (20261125's kill and late isolation mostly did not, which cost a second original run).
    let original: TestRun | undefined;
    for (const seed of [7, 20261125]) {
      original = await harness.run({ ...lossy, seed });
      if (LOSS.some((t) => original!.results.anomalies[t])) break;
    }
    if (!LOSS.some((t) => original!.results.anomalies[t]))
      console.error(`no loss in the original runs; replaying ${original!.dir} for it anyway`);

    // The run folder holds everything its report shows: rendered again from the folder alone
    // (what `kafka-harness report <dir>` does), it is the same report, byte for byte.
    const asRun = readFileSync(original!.reportPath, "utf8");
    expect(await writeReport(original!.dir)).toBe(original!.reportPath);
    expect(readFileSync(original!.reportPath, "utf8")).toBe(asRun);
    expect(asRun).toContain(original!.spec.seed.toString());
    expect(asRun).toMatch(/kafkajs/); // versions are stored, not looked up when re-rendering

    // acks=1 permits loss, so the run has no forbidden anomaly: name the types to look for (by
    // default replay looks for the forbidden ones, else all the original found, noise included).
    const r = await replayRun(original!.dir, {
      times: 2,
      cluster: harness.cluster,
      storeRoot: "test-output/store",
      progress,
      anomalies: [...LOSS],
    });
    const summary = formatReplay(r);
    console.error(summary);
    expect(r.spec.seed).toBe(original!.spec.seed);
    expect(r.spec.producer.acks).toBe(1);
    expect(r.attempts).toHaveLength(2);
    for (const a of r.attempts) expect(a.dir).not.toBe(original!.dir);
    expect(r.targets).toEqual(["lost-write", "unseen"]);
    expect(summary).toMatch(/^lost-write reproduced in [012] of 2 replay\(s\); unseen reproduced in [012] of 2 replay\(s\)/);
    expect(r.reproduced).toBe(r.attempts.filter((a) => a.found.length > 0).length);
  });
});
