// Shrink candidates (pure), the greedy shrink loop with a fake run, replay tallies, and reading a
// stored run's spec without its meta.
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadStoredAnomalies } from "../../harness/run/stored-run.ts";
import { tallyReplays } from "../../harness/suite/replay.ts";
import { shrinkLoop } from "../../harness/suite/shrink.ts";
import { type AnomalyType, formatReplay, loadStoredSpec, parseTestSpec, shrinkCandidates, shrinkRun, type TestSpec } from "../../index.ts";

const big = parseTestSpec({
  name: "big",
  seed: 99,
  producer: { acks: 1 },
  topic: { minInsyncReplicas: 1 },
  workload: { timeLimitSeconds: 30, producers: 6, maxBurst: 4, rate: 80 },
  faults: { kinds: ["isolate", "kill"], targets: ["leader", "controller"] },
});

describe("shrinkCandidates", () => {
  it("proposes each cut once, biggest first, every one a valid spec with the same seed", () => {
    const c = shrinkCandidates(big);
    expect(c.map((x) => x.step)).toEqual([
      "timeLimitSeconds 30 → 15",
      "drop fault kind isolate",
      "drop fault kind kill",
      "drop fault target leader",
      "drop fault target controller",
      "producers 6 → 3",
      "maxBurst 4 → 2",
      "partitions 3 → 2",
      "rate 80 → 40",
    ]);
    for (const x of c) {
      expect(x.spec.seed).toBe(99);
      expect(parseTestSpec(x.spec)).toEqual(x.spec);
    }
    expect(c[1]!.spec.faults.kinds).toEqual(["kill"]);
    expect(big.faults.kinds).toEqual(["isolate", "kill"]); // the input is not touched
  });

  it("an explicit fault schedule is shrunk fault by fault; a shorter time limit must still hold it", () => {
    const s = parseTestSpec({
      seed: 3,
      workload: { timeLimitSeconds: 20 },
      faults: {
        kinds: ["kill", "partition"],
        schedule: [
          { at: 2000, duration: 4000, fault: "kill", targets: { kind: "leader", of: "t-0" } },
          { at: 12_000, duration: 5000, fault: "kill", targets: { kind: "controller" } },
        ],
      },
    });
    const steps = shrinkCandidates(s).map((x) => x.step);
    expect(steps.slice(0, 2)).toEqual(["drop scheduled fault 0 (kill at 2000 ms)", "drop scheduled fault 1 (kill at 12000 ms)"]);
    expect(
      steps.some((x) => x.startsWith("timeLimitSeconds") || x.startsWith("drop fault kind") || x.startsWith("drop fault target")),
    ).toBe(false);
  });

  it("a minimal spec has no candidates; the time limit stops at 5 s", () => {
    const small = parseTestSpec({
      seed: 1,
      topic: { partitions: 1 },
      workload: { timeLimitSeconds: 5, producers: 1, maxBurst: 1, rate: 10 },
      faults: { kinds: ["kill"], targets: ["leader"] },
    });
    expect(shrinkCandidates(small)).toEqual([]);
    expect(shrinkCandidates({ ...small, workload: { ...small.workload, timeLimitSeconds: 8 } }).map((x) => x.step)).toEqual([
      "timeLimitSeconds 8 → 5",
    ]);
  });
});

describe("shrinkLoop", () => {
  // A fake cluster: loss shows as long as the isolate fault and at least 2 producers remain.
  const fake = async (s: TestSpec) => ({
    dir: `d${s.workload.timeLimitSeconds}-${s.workload.producers}`,
    anomalyTypes: (s.faults.kinds.includes("isolate") && s.workload.producers >= 2 ? ["lost-write"] : []) as AnomalyType[],
  });

  it("keeps every cut that still shows the anomaly and stops when none does", async () => {
    const r = await shrinkLoop(big, ["lost-write"], 100, fake);
    expect(r.smallest.faults.kinds).toEqual(["isolate"]);
    expect(r.smallest.workload).toMatchObject({ timeLimitSeconds: 5, producers: 3, maxBurst: 1, rate: 10 });
    expect(r.steps).toContain("drop fault kind kill");
    expect(r.steps).not.toContain("drop fault kind isolate");
    expect(r.attempts.filter((a) => a.kept).map((a) => a.step)).toEqual(r.steps);
  });

  it("never spends more than maxRuns runs", async () => {
    const r = await shrinkLoop(big, ["lost-write"], 3, fake);
    expect(r.attempts).toHaveLength(3);
  });

  it("shrinkRun writes shrunk-spec.json into the run dir", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kh-shrink-"));
    await writeFile(join(dir, "spec.json"), JSON.stringify({ ...big, meta: { startedAt: "x", command: null, replay: "y" } }));
    await writeFile(join(dir, "results.json"), JSON.stringify({ anomalyTypes: ["lost-write", "unseen"] }));
    const r = await shrinkRun(dir, { maxRuns: 4, tryRun: fake });
    const written = JSON.parse(await readFile(join(dir, "shrunk-spec.json"), "utf8"));
    expect(written.meta.steps).toEqual(r.steps);
    delete written.meta;
    expect(written).toEqual(r.smallest);
    expect(r.targets).toEqual(["lost-write", "unseen"]);
  });
});

describe("replay", () => {
  it("loadStoredSpec drops meta and keeps the seed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kh-replay-"));
    await writeFile(join(dir, "spec.json"), JSON.stringify({ ...big, meta: { startedAt: "x" } }));
    expect(await loadStoredSpec(dir)).toEqual(big);
    await expect(loadStoredSpec(join(dir, "nope"))).rejects.toThrow(/no spec.json here/);
  });

  it("looks for the forbidden types by default, else every type found", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kh-replay-"));
    await writeFile(
      join(dir, "results.json"),
      JSON.stringify({ anomalyTypes: ["int-send-skip", "lost-write", "unseen"], forbidden: ["lost-write", "unseen"] }),
    );
    expect(await loadStoredAnomalies(dir)).toEqual(["lost-write", "unseen"]);
    await writeFile(join(dir, "results.json"), JSON.stringify({ anomalyTypes: ["int-send-skip", "unseen"], forbidden: [] }));
    expect(await loadStoredAnomalies(dir)).toEqual(["int-send-skip", "unseen"]);
  });

  it("counts in how many replays each target type came back", () => {
    const t = tallyReplays(
      ["lost-write", "unseen"],
      [
        { dir: "a", valid: true, anomalyTypes: ["lost-write", "unseen"] },
        { dir: "b", valid: true, anomalyTypes: ["unseen"] },
        { dir: "c", valid: true, anomalyTypes: [] },
      ],
    );
    expect(t.reproduced).toBe(2);
    expect(t.perType).toEqual({ "lost-write": 1, unseen: 2 });
    expect(formatReplay({ targets: ["lost-write", "unseen"], ...t })).toBe(
      "lost-write reproduced in 1 of 3 replay(s); unseen reproduced in 2 of 3 replay(s)",
    );
    const none = tallyReplays(["lost-write"], [{ dir: "a", valid: true, anomalyTypes: [] }]);
    expect(formatReplay({ targets: ["lost-write"], ...none })).toBe("lost-write reproduced in 0 of 1 replay(s) — not reproduced");
  });
});
