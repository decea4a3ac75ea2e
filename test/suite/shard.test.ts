// A suite split over machines and joined again (no cluster): for random suites and numbers of
// shards, the shards partition the scenarios (each exactly once, in the file's order), and the
// shards' outcomes, stored and read back as `suite --shard` and `merge` do, give the same table,
// detection rates, JUnit and JSON text as the unsharded outcomes. Shards that cannot make one
// suite are refused, saying which.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AnomalyType } from "../../checkers/findings.ts";
import { SpecError } from "../../harness/spec/errors.ts";
import { aimsOf, formatDetectionRates } from "../../harness/suite/detection-rates.ts";
import type { ScenarioOutcome, ScenarioRun } from "../../harness/suite/judge.ts";
import { suiteToJUnit } from "../../harness/suite/junit.ts";
import { suiteJson, suiteText } from "../../harness/suite/output.ts";
import { chosenScenarios, parseShard, shardScenarios, splitScenarios } from "../../harness/suite/shard.ts";
import { mergeShards, type ShardInput, shardResultOf } from "../../harness/suite/shard-result.ts";
import { parseSuite, type Suite } from "../../harness/suite/suite-file.ts";

const SOME_ANOMALIES: AnomalyType[] = ["lost-write", "unseen", "duplicate", "committed-lost"];

/** A suite file's object: 1-7 scenarios, some expanded per client, detections, controls and others. */
const suiteArb = fc
  .array(
    fc.record({
      clients: fc.constantFrom(undefined, ["kafkajs"], ["kafkajs", "platformatic"]),
      runs: fc.integer({ min: 1, max: 3 }),
      maxRuns: fc.integer({ min: 1, max: 4 }),
      timeLimitSeconds: fc.integer({ min: 5, max: 60 }),
      kind: fc.constantFrom("detection", "control", "other"),
    }),
    { minLength: 1, maxLength: 7 },
  )
  .map(
    (xs): Suite =>
      parseSuite(
        {
          name: "random",
          scenarios: xs.map((x, i) => ({
            name: `s${i}`,
            ...(x.clients ? { clients: x.clients } : {}),
            runs: x.runs,
            maxRuns: x.maxRuns,
            spec: { workload: { timeLimitSeconds: x.timeLimitSeconds } },
            expect:
              x.kind === "detection"
                ? { finds: ["lost-write", "unseen"] }
                : x.kind === "control"
                  ? { verdict: "valid", never: ["lost-write", "duplicate"] }
                  : {},
          })),
        },
        "random",
      ),
  );

const runArb = (name: string, k: number) =>
  fc
    .record({
      seed: fc.nat(),
      valid: fc.constantFrom<ScenarioRun["valid"]>(true, false, "unknown"),
      ops: fc.nat(5000),
      acknowledged: fc.nat(3000),
      read: fc.nat(3000),
      lost: fc.option(fc.nat(50), { nil: undefined }),
      anomalies: fc.subarray(SOME_ANOMALIES),
      counts: fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 4, maxLength: 4 }),
      forbidden: fc.subarray(SOME_ANOMALIES),
      applied: fc.nat(5),
      effective: fc.nat(5),
      refused: fc.nat(2),
    })
    .map(
      (r): ScenarioRun => ({
        seed: r.seed,
        dir: `store/${name}/2026120${k}T0800`,
        valid: r.valid,
        ops: r.ops,
        sendsOk: r.acknowledged,
        exercised: { acknowledged: r.acknowledged, acknowledgedAfterFault: r.acknowledged, read: r.read },
        ...(r.lost === undefined
          ? {}
          : { loss: { acknowledged: r.acknowledged, lost: r.lost, readBeforeLost: 0, undecided: 0, permitted: r.lost % 2 === 0 } }),
        anomalies: Object.fromEntries(r.anomalies.map((t, i) => [t, r.counts[i]!])),
        forbidden: r.forbidden,
        faultsPlanned: r.applied + r.refused,
        faults: { applied: r.applied, effective: r.effective, refused: r.refused, uncertain: 0, byKind: {} },
      }),
    );

/** An outcome for each scenario of the suite, as runSuite gives them: the file's order. */
const outcomesArb = (suite: Suite) =>
  fc.tuple(
    ...suite.scenarios.map((s) =>
      fc
        .record({
          runs: fc.integer({ min: 1, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, k) => runArb(s.name, k)))),
          met: fc.boolean(),
          tenths: fc.nat(100_000),
        })
        .map(
          (o): ScenarioOutcome => ({
            name: s.name,
            config: `${s.client ?? "kafkajs"} acks=all`,
            faults: "kill @ leader",
            runs: o.runs,
            found: o.runs.filter((r) => s.expect.finds.some((t) => r.anomalies[t as AnomalyType])).length,
            met: o.met,
            problems: o.met ? [] : [`seed ${o.runs[0]!.seed}: a <problem> & more`],
            seconds: o.tenths / 10,
          }),
        ),
    ),
  );

/** What `suite --shard i/n` stores for each shard, read back as `merge` reads it (JSON in between). */
function shardInputs(suite: Suite, outcomes: ScenarioOutcome[], of: number, digest = "d1"): ShardInput[] {
  const chosen = chosenScenarios(suite);
  return Array.from({ length: of }, (_, k) => {
    const mine = shardScenarios(suite, chosen, { index: k + 1, of }).map((i) => suite.scenarios[i]!.name);
    const result = shardResultOf(
      {
        suite: suite.name,
        suiteDigest: digest,
        only: null,
        shard: { index: k + 1, of },
        plan: aimsOf(suite, chosen),
        scenarios: mine,
        outcomes: outcomes.filter((o) => mine.includes(o.name)),
      },
      "store",
    );
    return { source: `shard${k + 1}.json`, storeDir: "store", result: JSON.parse(JSON.stringify(result)) };
  });
}

describe("--shard i/n", () => {
  it("takes whole numbers with 1 ≤ i ≤ n, and names the flag otherwise", () => {
    expect(parseShard("2/4")).toEqual({ index: 2, of: 4 });
    expect(parseShard("1/1")).toEqual({ index: 1, of: 1 });
    for (const bad of ["0/2", "3/2", "1/0", "2", "a/b", "1.5/2", "-1/2", "", "1/2/3"]) {
      expect(() => parseShard(bad), bad).toThrow(SpecError);
      expect(() => parseShard(bad), bad).toThrow(/--shard must be i\/n/);
    }
  });

  it("shards partition the chosen scenarios: each in exactly one, in the file's order, the same split every time", () => {
    fc.assert(
      fc.property(suiteArb, fc.integer({ min: 1, max: 9 }), (suite, of) => {
        const chosen = chosenScenarios(suite);
        const shards = Array.from({ length: of }, (_, k) => shardScenarios(suite, chosen, { index: k + 1, of }));
        expect(shards.flat().sort((a, b) => a - b)).toEqual(chosen);
        for (const s of shards) expect(s).toEqual([...s].sort((a, b) => a - b));
        expect(shardScenarios(suite, chosen, { index: 1, of })).toEqual(shards[0]);
      }),
      { numRuns: 60 },
    );
  });

  it("balances planned time: longest first, each to the lightest shard", () => {
    const costs = [10, 60, 30, 30, 20, 50].map((seconds, index) => ({ index, seconds }));
    // 60 → shard 1, 50 → 2, 30 → 3, 30 → 3 (the lightest at 30), 20 → 2 (at 50), 10 → 1 (60, tied with 3: the lower number)
    expect(splitScenarios(costs, 3)).toEqual([
      [0, 1],
      [4, 5],
      [2, 3],
    ]);
    expect(splitScenarios(costs, 1)).toEqual([[0, 1, 2, 3, 4, 5]]);
    expect(splitScenarios(costs.slice(0, 2), 4)).toEqual([[1], [0], [], []]);
  });
});

describe("merge", () => {
  it("the merged shards print what the unsharded suite prints: table, detection rates, JUnit, JSON", () => {
    fc.assert(
      fc.property(
        suiteArb.chain((suite) => fc.tuple(fc.constant(suite), outcomesArb(suite), fc.integer({ min: 1, max: 6 }), fc.nat())),
        ([suite, outcomes, of, rotate]) => {
          const aims = aimsOf(suite, chosenScenarios(suite));
          const inputs = shardInputs(suite, outcomes, of);
          // Shards come in any order (artifacts are downloaded as they come).
          const given = [...inputs.slice(rotate % of), ...inputs.slice(0, rotate % of)];
          const merged = mergeShards(given);
          expect(merged.suite).toBe(suite.name);
          expect(suiteText(merged.suite, merged.outcomes, merged.aims)).toBe(suiteText(suite.name, outcomes, aims));
          expect(formatDetectionRates(merged.aims, merged.outcomes)).toBe(formatDetectionRates(aims, outcomes));
          expect(suiteToJUnit(merged.suite, merged.outcomes)).toBe(suiteToJUnit(suite.name, outcomes));
          expect(JSON.stringify(suiteJson(merged.suite, merged.outcomes))).toBe(JSON.stringify(suiteJson(suite.name, outcomes)));
        },
      ),
      { numRuns: 60 },
    );
  });

  const suite = parseSuite(
    {
      name: "four",
      scenarios: ["a", "b", "c", "d"].map((name) => ({ name, spec: { workload: { timeLimitSeconds: 10 } } })),
    },
    "four",
  );
  const outcomes = fc.sample(outcomesArb(suite), { numRuns: 1, seed: 7 })[0]!;
  const refusal = (inputs: ShardInput[]) => {
    try {
      mergeShards(inputs);
    } catch (e) {
      expect(e).toBeInstanceOf(SpecError);
      return (e as SpecError).message;
    }
    throw new Error("merged");
  };

  it("refuses a missing shard, naming it, and a shard given twice, naming both files", () => {
    const inputs = shardInputs(suite, outcomes, 4);
    expect(refusal([inputs[0]!, inputs[1]!, inputs[3]!])).toMatch(/shard 3\/4 missing/);
    expect(refusal([...inputs, inputs[1]!])).toMatch(/shard 2\/4 given 2 times: shard2\.json, shard2\.json/);
  });

  it("refuses shards of different suites, suite-file contents, splits or scenarios chosen", () => {
    const [a, b] = shardInputs(suite, outcomes, 2);
    const other = { ...b!, source: "other.json", result: { ...b!.result, suite: "other" } };
    expect(refusal([a!, other])).toMatch(/shards of different suites:[\s\S]*suite four: shard1\.json[\s\S]*suite other: other\.json/);
    const [, edited] = shardInputs(suite, outcomes, 2, "d2");
    expect(refusal([a!, edited!])).toMatch(/different suite-file contents/);
    const [, ofThree] = shardInputs(suite, outcomes, 3);
    expect(refusal([a!, ofThree!])).toMatch(/different splits: split into 2: shard1\.json/);
    const only = { ...b!, result: { ...b!.result, only: ["a", "b"] } };
    expect(refusal([a!, only])).toMatch(/different scenarios chosen/);
  });

  it("refuses a result cut short: outcomes that are not its scenarios", () => {
    const [a, b] = shardInputs(suite, outcomes, 2);
    const cut = { ...b!, result: { ...b!.result, outcomes: b!.result.outcomes.slice(1) } };
    expect(refusal([a!, cut])).toMatch(/are not its scenarios[\s\S]*is in no shard/);
  });

  it("puts run folders under the store each shard was read from", () => {
    const [a, b] = shardInputs(suite, outcomes, 2);
    const merged = mergeShards([a!, { ...b!, storeDir: "downloaded/store-2" }]);
    const inB = new Set(b!.result.scenarios);
    for (const o of merged.outcomes)
      for (const r of o.runs) expect(r.dir.startsWith(inB.has(o.name) ? "downloaded/store-2/" : "store/"), r.dir).toBe(true);
  });
});

describe("the detection-rate table", () => {
  it("a row per detection (found in k/n) and control (forbidden found in k/n), with the faults per run; nothing for others", () => {
    const s = parseSuite(
      {
        name: "t",
        scenarios: [
          { name: "det", expect: { finds: ["lost-write"] }, maxRuns: 3 },
          { name: "ctl", expect: { never: ["lost-write", "duplicate"] } },
          { name: "plain" },
        ],
      },
      "t",
    );
    const run = (anomalies: Partial<Record<AnomalyType, number>>, effective: number, applied: number) =>
      ({ anomalies, faults: { applied, effective, refused: 0, uncertain: 0, byKind: {} } }) as ScenarioRun;
    const o = (name: string, found: number, runs: ScenarioRun[]) => ({ name, found, runs }) as ScenarioOutcome;
    const table = formatDetectionRates(aimsOf(s, [0, 1, 2]), [
      o("det", 1, [run({}, 1, 2), run({ "lost-write": 4 }, 2, 2)]),
      o("ctl", 0, [run({ duplicate: 1 }, 3, 3)]),
      o("plain", 0, [run({}, 0, 0)]),
    ]);
    expect(table.split("\n")).toEqual([
      "scenario  kind       looks for             found in  forbidden found in  effective/applied faults",
      "det       detection  lost-write            1/2       -                   1/2,2/2",
      "ctl       control    lost-write,duplicate  -         1/1                 3/3",
    ]);
    expect(formatDetectionRates(aimsOf(s, [2]), [o("plain", 0, [run({}, 0, 0)])])).toBe("");
  });
});
