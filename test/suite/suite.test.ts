import { describe, expect, it, vi } from "vitest";
import { SpecError } from "../../harness/spec/errors.ts";
import { judge, type ScenarioRun } from "../../harness/suite/judge.ts";
import { parseSuite, scenarioSeeds, scenarioSpec } from "../../harness/suite/suite-file.ts";

const suite = parseSuite(
  {
    name: "s",
    seed: 3,
    defaults: { workload: { timeLimitSeconds: 10 }, producer: { acks: "all" } },
    scenarios: [
      {
        name: "a",
        spec: { producer: { acks: 1 } },
        runs: 2,
        expect: { verdict: "valid", finds: ["lost-write", "unseen"], findsOptional: false },
        maxRuns: 4,
      },
      { name: "b", seeds: [11, 12], expect: { never: ["duplicate"] } },
    ],
  },
  "inline",
);

/** Fault counts; `effective` (in all, and per kind) defaults to every applied fault. */
const faults = (applied: number, refused = 0, byKind: Record<string, number> = {}, effective = applied, effectiveByKind = byKind) => ({
  applied,
  effective,
  refused,
  uncertain: 0,
  byKind: Object.fromEntries(
    Object.entries(byKind).map(([k, n]) => [k, { applied: n, effective: effectiveByKind[k] ?? 0, refused: 0, uncertain: 0 }]),
  ),
});
const run = (
  seed: number,
  anomalies: ScenarioRun["anomalies"],
  valid: ScenarioRun["valid"] = true,
  forbidden: ScenarioRun["forbidden"] = [],
  f = faults(3),
  faultsPlanned = 4,
  acknowledged = 5,
  valuesRead = 7,
): ScenarioRun => ({
  seed,
  dir: "d",
  valid,
  ops: 10,
  sendsOk: 5,
  exercised: { acknowledged, acknowledgedAfterFault: acknowledged, read: valuesRead },
  anomalies,
  forbidden,
  faultsPlanned,
  faults: f,
});

describe("suite files", () => {
  it("merge defaults under each scenario's spec", () => {
    const spec = scenarioSpec(suite, 0, 99);
    expect(spec).toMatchObject({ name: "a", seed: 99, producer: { acks: 1 }, workload: { timeLimitSeconds: 10 } });
  });

  it("derive seeds deterministically, maxRuns of them for a detection", () => {
    expect(scenarioSeeds(suite, 0)).toHaveLength(4);
    expect(scenarioSeeds(suite, 0)).toEqual(scenarioSeeds(suite, 0));
    expect(scenarioSeeds(suite, 1)).toEqual([11, 12]);
  });

  it("expand a clients list into one scenario per client, named for it, with the same seeds", () => {
    const axis = parseSuite(
      {
        name: "c",
        seed: 5,
        clients: ["kafkajs"],
        scenarios: [
          { name: "first", runs: 2 },
          { name: "both", clients: ["kafkajs", "platformatic"], runs: 2, spec: { producer: { acks: 1 } } },
        ],
      },
      "inline",
    );
    expect(axis.scenarios.map((s) => s.name)).toEqual(["first.kafkajs", "both.kafkajs", "both.platformatic"]);
    expect(axis.scenarios.map((s) => s.base)).toEqual(["first", "both", "both"]);
    expect(scenarioSpec(axis, 2, 9)).toMatchObject({ name: "both.platformatic", client: "platformatic", producer: { acks: 1 }, seed: 9 });
    expect(scenarioSpec(axis, 1, 9).client).toBe("kafkajs");
    // Paired seeds: both clients of a scenario run the same plans; another scenario gets others.
    expect(scenarioSeeds(axis, 2)).toEqual(scenarioSeeds(axis, 1));
    expect(scenarioSeeds(axis, 0)).not.toEqual(scenarioSeeds(axis, 1));
    // Without a clients list nothing is renamed and seeds stay where they were.
    expect(suite.scenarios.map((s) => s.name)).toEqual(["a", "b"]);
  });

  it("reject a clients list that names an unknown client, repeats one, or fights spec.client", () => {
    expect(() => parseSuite({ name: "x", scenarios: [{ name: "n", clients: ["rdkafka"] }] }, "x.yaml")).toThrow(
      /scenarios\.0\.clients\.0[\s\S]*must be one of kafkajs, platformatic/,
    );
    expect(() => parseSuite({ name: "x", scenarios: [{ name: "n", clients: ["kafkajs", "kafkajs"] }] }, "x.yaml")).toThrow(
      /n\): clients names a client twice/,
    );
    expect(() =>
      parseSuite({ name: "x", clients: ["platformatic"], scenarios: [{ name: "n", spec: { client: "kafkajs" } }] }, "x.yaml"),
    ).toThrow(/spec\.client and a clients list/);
    expect(() => parseSuite({ name: "x", scenarios: [{ name: "n.kafkajs" }, { name: "n", clients: ["kafkajs"] }] }, "x.yaml")).toThrow(
      /n\.kafkajs is used twice/,
    );
  });

  it("reject a bad scenario spec naming the scenario and field, before anything runs", () => {
    expect(() => parseSuite({ name: "x", scenarios: [{ name: "bad", spec: { producer: { acks: 2 } } }] }, "x.yaml")).toThrow(
      /scenarios\.0 \(bad\)\.spec[\s\S]*producer\.acks/,
    );
    expect(() => parseSuite({ name: "x", scenarios: [{ name: "n", expect: { never: ["lost-writes"] } }] }, "x.yaml")).toThrow(
      /scenarios\.0\.expect\.never\.0/,
    );
    expect(() => parseSuite({ name: "x", scenarios: [] }, "x.yaml")).toThrow(/scenarios/);
  });

  it("are validated whole: every problem at once, with the nearest name for a typo", () => {
    const problems = problemsOf({
      name: "x",
      sed: 3,
      scenarios: [
        { name: "a", spec: { producer: { acks: 2 } }, expect: { finds: ["lost-write"], never: ["lost-write", "duplicat"] } },
        { name: "b", expct: {} },
        { name: "c", spec: { faults: { kinds: ["zk"] }, cluster: { metadata: "kraft" } } },
        { name: "d", clients: ["kafkajs", "kafkajs"], expect: { faultsApplied: { kinds: { kil: 1 } } } },
        { name: "c" },
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'sed: unknown field (did you mean "seed"?)',
        'scenarios.0.expect.never.1: must be an anomaly type (got "duplicat"; did you mean "duplicate"?)',
        'scenarios.1.expct: unknown field (did you mean "expect"?)',
        expect.stringMatching(/^scenarios\.3\.expect\.faultsApplied\.kinds\.kil: must be one of kill, .*did you mean "kill"\?/),
        "scenarios.0 (a).expect: finds and never both name lost-write: a run cannot both find it and never find it",
        'scenarios.0 (a).spec.producer.acks: must be 0, 1 or "all" (got 2)',
        expect.stringMatching(/^scenarios\.2 \(c\)\.spec\.faults\.kinds: zk needs ZooKeeper, and this is a KRaft cluster/),
        "scenarios.3 (d): clients names a client twice",
        "scenarios: the name c is used twice",
      ]),
    );
    expect(problems).toHaveLength(9);
  });

  it("refuse a scenario that both finds and nevers an anomaly, and faults its cluster cannot have, though the file parses", () => {
    expect(problemsOf({ name: "x", scenarios: [{ name: "a", expect: { finds: ["unseen", "G0"], never: ["G0", "unseen"] } }] })).toEqual([
      "scenarios.0 (a).expect: finds and never both name unseen, G0: a run cannot both find them and never find them",
    ]);
    expect(
      problemsOf({
        name: "x",
        defaults: { cluster: { metadata: "kraft" } },
        scenarios: [{ name: "z", spec: { faults: { kinds: ["cut-from-zookeeper", "kill"] } } }],
      }),
    ).toEqual([expect.stringMatching(/^scenarios\.0 \(z\)\.spec\.faults\.kinds: cut-from-zookeeper needs ZooKeeper/)]);
    expect(problemsOf({ name: "x", scenarios: [{ name: "q", spec: { faults: { kinds: ["cut-from-quorum"] } } }] })).toEqual([
      expect.stringMatching(/^scenarios\.0 \(q\)\.spec\.faults\.kinds: cut-from-quorum needs a KRaft controller quorum/),
    ]);
  });
});

/** Every problem parseSuite reports for a suite file's object (none: it parsed). */
function problemsOf(raw: unknown): string[] {
  try {
    parseSuite(raw, "x.yaml");
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return [...(e as SpecError).problems];
  }
}

describe("judging a scenario", () => {
  const [a, b] = suite.scenarios;

  it("a detection is met when some run found it, and counts how often", () => {
    expect(judge(a!, [run(1, {}), run(2, { unseen: 3 })])).toEqual({ found: 1, met: true, problems: [] });
  });

  it("a detection that never happened is not met (a weak workload must not pass)", () => {
    const j = judge(a!, [run(1, {}), run(2, { duplicate: 1 })]);
    expect(j.met).toBe(false);
    expect(j.problems[0]).toMatch(/none of 2 run\(s\) found lost-write or unseen/);
  });

  it("a forbidden anomaly or a wrong verdict fails it", () => {
    expect(judge(b!, [run(11, { duplicate: 2 })]).problems[0]).toMatch(/found duplicate, which must never happen/);
    expect(judge(a!, [run(1, { unseen: 1, "lost-write": 1 }, false, ["lost-write"])]).problems[0]).toMatch(
      /verdict invalid, expected valid \(forbidden: lost-write\)/,
    );
  });
});

describe("faults a scenario rests on", () => {
  const [, control] = suite.scenarios;

  it("a negative control whose faults never took effect is not met, whatever it found", () => {
    const j = judge(control!, [run(11, {}, true, [], faults(0, 2), 2)]);
    expect(j.met).toBe(false);
    expect(j.problems[0]).toMatch(
      /seed 11: faults 0 applied \(0 effective\), 2 refused, 0 uncertain of 2 planned; at least 1 must be effective/,
    );
    // Without faults in its schedule there is nothing to require.
    expect(judge(control!, [run(11, {}, true, [], faults(0), 0)]).met).toBe(true);
  });

  it("faultsApplied: a minimum in all and per kind, for every run", () => {
    const s = parseSuite(
      { name: "x", scenarios: [{ name: "k", expect: { never: ["lost-write"], faultsApplied: { min: 3, kinds: { kill: 2 } } } }] },
      "x.yaml",
    ).scenarios[0]!;
    expect(judge(s, [run(1, {}, true, [], faults(3, 0, { kill: 2, pause: 1 }))]).met).toBe(true);
    const j = judge(s, [
      run(1, {}, true, [], faults(2, 1, { kill: 1, pause: 1 })),
      run(2, {}, true, [], faults(4, 0, { kill: 3, partition: 1 })),
    ]);
    expect(j.problems).toEqual([
      "seed 1: faults 2 applied (2 effective), 1 refused, 0 uncertain of 4 planned; at least 3 must be applied for this scenario to test anything",
      "seed 1: 1 kill fault(s) applied, at least 2 required (faults 2 applied (2 effective), 1 refused, 0 uncertain of 4 planned)",
    ]);
    expect(() =>
      parseSuite({ name: "x", scenarios: [{ name: "k", expect: { faultsApplied: { kinds: { isolate: 1 } } } }] }, "x.yaml"),
    ).toThrow(/faultsApplied\.kinds\.isolate|must be one of kill/);
  });

  it("a negative control whose applied faults never reached the data path is not met", () => {
    // Three faults applied (the docker calls returned), none shown effective by the history.
    const j = judge(control!, [run(11, {}, true, [], faults(3, 0, { pause: 3 }, 0), 3)]);
    expect(j.met).toBe(false);
    expect(j.problems).toEqual([
      "seed 11: faults 3 applied (0 effective), 0 refused, 0 uncertain of 3 planned; at least 1 must be effective for this scenario to test anything",
    ]);
  });

  it("faultsEffective: a minimum in all and per kind, for every run", () => {
    const s = parseSuite(
      { name: "x", scenarios: [{ name: "k", expect: { never: ["lost-write"], faultsEffective: { min: 2, kinds: { kill: 1 } } } }] },
      "x.yaml",
    ).scenarios[0]!;
    expect(judge(s, [run(1, {}, true, [], faults(3, 0, { kill: 2, pause: 1 }, 2, { kill: 1, pause: 1 }))]).met).toBe(true);
    expect(judge(s, [run(1, {}, true, [], faults(3, 0, { kill: 2, pause: 1 }, 1, { pause: 1 }))]).problems).toEqual([
      "seed 1: faults 3 applied (1 effective), 0 refused, 0 uncertain of 4 planned; at least 2 must be effective for this scenario to test anything",
      "seed 1: 0 kill fault(s) effective, at least 1 required (faults 3 applied (1 effective), 0 refused, 0 uncertain of 4 planned)",
    ]);
    expect(() =>
      parseSuite({ name: "x", scenarios: [{ name: "k", expect: { faultsEffective: { kinds: { zk: 1 } } } }] }, "x.yaml"),
    ).toThrow(/faultsEffective\.kinds\.zk|must be one of kill/);
  });
});

describe("what a scenario's workload must have exercised", () => {
  const [detection, control] = suite.scenarios;

  it("a negative control that acknowledged or read nothing is not met, faults or not", () => {
    expect(judge(control!, [run(11, {}, true, [], faults(3), 4, 0, 0)]).problems).toEqual([
      "seed 11: 0 writes acknowledged (0 after the first effective fault), at least 1 required for this scenario to test anything",
      "seed 11: 0 values read by the workload (final reads not counted), at least 1 required for this scenario to test anything",
    ]);
    expect(judge(control!, [run(11, {}, true, [], faults(3), 4, 1, 1)]).met).toBe(true);
    // A detection needs no floor by default: its finding is the proof.
    expect(judge(detection!, [run(1, { unseen: 1 }, true, [], faults(3), 4, 0, 0)]).met).toBe(true);
  });

  it("exercised: a floor of acknowledged writes and values read, for every run", () => {
    const s = parseSuite(
      { name: "x", scenarios: [{ name: "e", expect: { never: ["G1a"], exercised: { acknowledged: 20, read: 50 } } }] },
      "x.yaml",
    ).scenarios[0]!;
    expect(judge(s, [run(1, {}, true, [], faults(3), 4, 20, 50)]).met).toBe(true);
    expect(judge(s, [run(1, {}, true, [], faults(3), 4, 4, 50)]).problems).toEqual([
      "seed 1: 4 writes acknowledged (4 after the first effective fault), at least 20 required for this scenario to test anything",
    ]);
    expect(() => parseSuite({ name: "x", scenarios: [{ name: "e", expect: { exercised: { acked: 1 } } }] }, "x.yaml")).toThrow(/exercised/);
  });

  it("a group control needs a partition handed over and a commit acknowledged; crashes when asked for", () => {
    const group = (handoffs: number, ok: number, crashes: number, gaveUp = 0) => ({
      ...run(3, {}),
      exercised: {
        acknowledged: 5,
        acknowledgedAfterFault: 5,
        read: 7,
        group: { members: 3, handoffs, assignments: 6, commits: { ok, fail: 0, unknown: 0, auto: 0 }, crashes, gaveUp, leaves: 0 },
      },
    });
    expect(judge(control!, [group(0, 0, 0)]).problems).toEqual([
      "seed 3: 0 partition handoffs between members, at least 1 required for this scenario to test anything",
      "seed 3: 0 offset commits acknowledged, at least 1 required for this scenario to test anything",
    ]);
    expect(judge(control!, [group(2, 9, 0)]).met).toBe(true);
    const s = parseSuite({ name: "x", scenarios: [{ name: "e", expect: { never: ["group-loss"], exercised: { crashes: 1 } } }] }, "x.yaml")
      .scenarios[0]!;
    expect(judge(s, [group(2, 9, 0)]).problems).toEqual([
      "seed 3: 0 member crashes, at least 1 required for this scenario to test anything",
    ]);
    expect(judge(s, [group(2, 9, 1)]).met).toBe(true);
    // A client finding expects members whose library gave up, in some run; crashes the harness caused do not count.
    const finding = parseSuite({ name: "x", scenarios: [{ name: "f", expect: { gaveUp: 2 } }] }, "x.yaml").scenarios[0]!;
    expect(judge(finding, [group(2, 9, 3, 1)]).problems).toEqual([
      "none of 1 run(s) had 2 or more group members whose library gave up: the finding did not show",
    ]);
    expect(judge(finding, [group(2, 9, 3, 1), group(2, 9, 0, 2)])).toMatchObject({ met: true, found: 1 });
    // A copy run's group (its copiers) is not held to the group workload's default floors.
    expect(judge(control!, [{ ...group(0, 0, 0), workload: "copy" }]).met).toBe(true);
    expect(judge(control!, [{ ...group(0, 0, 0), workload: "group" }]).met).toBe(false);
    // A run without groups is not held to group floors unless the scenario names one.
    expect(judge(control!, [run(3, {})]).met).toBe(true);
  });
});

describe("a client's known findings", () => {
  const suite = (known: unknown) =>
    parseSuite(
      {
        name: "x",
        clients: ["kafkajs", "platformatic"],
        scenarios: [
          {
            name: "g",
            knownFindings: known,
            expect: { verdict: "valid", never: ["nonmonotonic-poll", "group-loss"] },
          },
        ],
      },
      "x.yaml",
    );
  const known = { platformatic: { anomalies: ["nonmonotonic-poll"], see: "suites/platformatic-findings.yaml: p" } };

  it("excuse only that client, only those anomalies, and are reported", () => {
    const [kafkajs, platformatic] = suite(known).scenarios;
    const repeats = run(1, { "nonmonotonic-poll": 1 }, false, ["nonmonotonic-poll"], faults(0), 0);
    expect(judge(platformatic!, [repeats])).toMatchObject({ met: true, problems: [], known: ["nonmonotonic-poll"] });
    expect(judge(kafkajs!, [repeats]).met).toBe(false);
    // Anything else it finds is still held against it.
    const lost = run(1, { "nonmonotonic-poll": 1, "group-loss": 2 }, false, ["nonmonotonic-poll", "group-loss"], faults(0), 0);
    expect(judge(platformatic!, [lost]).problems).toEqual([
      "seed 1: verdict invalid, expected valid (forbidden: nonmonotonic-poll, group-loss)",
      "seed 1: found group-loss, which must never happen here",
    ]);
    expect(judge(platformatic!, [run(1, {}, true, [], faults(0), 0)])).toEqual({ found: 0, met: true, problems: [] });
  });

  it("must name a client the scenario runs with", () => {
    expect(() => suite({ confluent: known.platformatic })).toThrow(/knownFindings\.confluent: not one of this scenario's clients/);
    expect(() => suite({ platformatic: { anomalies: [] } })).toThrow(/knownFindings/);
  });
});

describe("runs whose final reads did not finish", () => {
  it("are unknown when unseen is the only forbidden finding, and stay invalid otherwise", async () => {
    const { undecided } = await import("../../checkers/phases.ts");
    const { check } = await import("../../checkers/index.ts");
    // One acknowledged send, never read: unseen, forbidden by the strict default.
    const history = [
      { index: 0, time: 0, process: 0, type: "invoke" as const, f: "send", value: [["send", "t-0", 1]] },
      { index: 1, time: 1, process: 0, type: "ok" as const, f: "send", value: [["send", "t-0", [0, 1]]] },
      { index: 2, time: 2, process: 1, type: "invoke" as const, f: "poll", value: [["poll"]] },
      { index: 3, time: 3, process: 1, type: "ok" as const, f: "poll", value: [["poll", {}]] },
    ];
    const r = check(history as never, { acks: "all", minInsyncReplicas: 2 });
    expect(r.valid).toBe(false);
    expect(r.forbidden).toEqual(["unseen"]);
    expect(undecided(r, "final reads incomplete")).toMatchObject({ valid: "unknown", unknownReason: "final reads incomplete" });
    expect(undecided(r, undefined)).toBe(r);
    const forged = { ...r, forbidden: ["unseen", "lost-write"] as typeof r.forbidden };
    expect(undecided(forged, "final reads incomplete").valid).toBe(false);
  });
});

describe("suite command", () => {
  it("--only with a name the suite lacks is bad input (exit 254), not an empty success, with the nearest name", async () => {
    const { main } = await import("../../harness/cli.ts");
    const errors: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((m: string) => void errors.push(m));
    try {
      expect(await main(["node", "kafka-harness", "suite", "--only", "acks1-leader-isolated,nope,acks-all-idempotnt"])).toBe(254);
    } finally {
      spy.mockRestore();
    }
    expect(errors.join("\n")).toMatch(/invalid --only:\n {2}- no scenario named nope in suite known-answers\n/);
    expect(errors.join("\n")).toMatch(
      /no scenario named acks-all-idempotnt in suite known-answers \(did you mean "acks-all-idempotent"\?\)/,
    );
  });
});
