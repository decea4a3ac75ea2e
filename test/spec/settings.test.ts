// The settings table (checkers/settings.ts) and what is made from it: the run and check flags, the
// suite table's label, the reconstructed command. Each setting is described once, so the copies
// cannot drift: a setting that decides the verdict shows in the label and in the command, a
// reconstructed command parses back to the spec it came from, and `run` and `check` read a flag alike.
import type { Command } from "commander";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { configFromFlags } from "../../checkers/cli.ts";
import { type CheckConfig, guaranteesFor } from "../../checkers/guarantees.ts";
import {
  CHURN_EVENTS,
  COMMIT_STRATEGIES,
  SETTINGS,
  type Setting,
  specValue,
  ISOLATION_LEVELS as TABLE_ISOLATION,
  WORKLOAD_KINDS as TABLE_KINDS,
  VERDICT_SETTINGS,
} from "../../checkers/settings.ts";
import { checkConfigOfSpec } from "../../checkers/spec-config.ts";
import { buildProgram, DEFAULT_SUITE } from "../../harness/cli.ts";
import { specFromFlags } from "../../harness/run/run-flags.ts";
import { CLIENT_NAMES } from "../../harness/spec/client.ts";
import { deliveryBudget } from "../../harness/spec/delivery-budget.ts";
import { BROKER_TARGETS, FAULT_KINDS, kindsNotIn } from "../../harness/spec/faults.ts";
import { ISOLATION_LEVELS, parseTestSpec, type TestSpec, TestSpecSchema, WORKLOAD_KINDS } from "../../harness/spec/test-spec.ts";
import { readSuiteFile, scenarioSpec } from "../../harness/suite/suite-file.ts";
import { configLabel } from "../../harness/suite/table.ts";
import { reconstructCommand } from "../../reports/details.ts";

const command = (name: string): Command => buildProgram(() => {}).commands.find((c) => c.name() === name)!;

/** The flags object commander makes of these words for a fresh `run` or `check` command. */
function flagsOf(name: "run" | "check", words: string[]): Record<string, string | boolean> {
  const c = command(name);
  const { unknown } = c.parseOptions(name === "check" ? [...words, "history.jsonl"] : words);
  expect(unknown).toEqual([]);
  return c.opts();
}

const runSpec = (words: string[]): TestSpec => parseTestSpec(specFromFlags(flagsOf("run", words)));

const withPath = <S extends Setting>(s: S): s is S & { path: NonNullable<Setting["path"]> } => s.path !== undefined;
const ALL: readonly Setting[] = SETTINGS;

// The values each verdict setting takes in a spec.
const DOMAIN: Record<string, readonly unknown[]> = {
  acks: [0, 1, "all"],
  "min-isr": [1, 2, 3],
  unclean: [false, true],
  "flush-messages": [1, 1000],
  idempotent: [false, true],
  "max-in-flight": [1, 5, 6, 100],
  subscribe: ["assign", "subscribe"],
  workload: WORKLOAD_KINDS,
  isolation: ISOLATION_LEVELS,
  commit: COMMIT_STRATEGIES,
  copy: [{ transactional: true }, { transactional: false }],
};

/** The spec a verdict setting's values are set on: the group settings exist only in a group run. */
const BASE: Record<string, Record<string, unknown>> = { commit: { workload: { kind: "group" } }, copy: { workload: { kind: "copy" } } };

/** A spec input with one value set at a path. */
function at(path: readonly string[], value: unknown, base: Record<string, unknown> = {}): Record<string, unknown> {
  const [head, ...rest] = path;
  return { ...base, [head!]: rest.length ? at(rest, value, (base[head!] ?? {}) as Record<string, unknown>) : value };
}

/** Arbitrary valid spec inputs over the table's settings (every other field at its default). */
const specInputs = fc
  .record({
    client: fc.constantFrom(...CLIENT_NAMES),
    acks: fc.constantFrom(0, 1, "all" as const),
    idempotent: fc.boolean(),
    maxInFlight: fc.integer({ min: 1, max: 100 }),
    retries: fc.integer({ min: 0, max: 1000 }),
    opTimeout: fc.integer({ min: 500, max: 300_000 }),
    allowShortOpTimeout: fc.boolean(),
    partitions: fc.integer({ min: 1, max: 32 }),
    minIsr: fc.integer({ min: 1, max: 3 }),
    unclean: fc.boolean(),
    mode: fc.constantFrom("assign", "subscribe"),
    consumers: fc.integer({ min: 0, max: 16 }),
    isolation: fc.constantFrom(...ISOLATION_LEVELS),
    kind: fc.constantFrom(...WORKLOAD_KINDS),
    commit: fc.constantFrom(...COMMIT_STRATEGIES),
    churn: fc.subarray([...CHURN_EVENTS]),
    abortRate: fc.double({ min: 0, max: 1, noNaN: true }),
    producers: fc.integer({ min: 1, max: 32 }),
    rate: fc.double({ min: 0.001, max: 10_000, noNaN: true }),
    timeLimit: fc.double({ min: 0.001, max: 3600, noNaN: true }),
    kinds: fc.subarray([...FAULT_KINDS]),
    targets: fc.subarray([...BROKER_TARGETS], { minLength: 1 }),
    brokers: fc.integer({ min: 3, max: 5 }),
    kraft: fc.boolean(),
    version: fc.boolean(),
    zookeepers: fc.integer({ min: 1, max: 5 }),
    controllers: fc.integer({ min: 1, max: 3 }),
    combined: fc.boolean(),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    name: fc.stringMatching(/^[a-zA-Z0-9._-]{1,12}$/),
  })
  .map((g) => {
    // Only combinations the spec takes (its cross-field rules).
    const txn = g.kind === "txn";
    const group = g.kind === "group";
    const copy = g.kind === "copy";
    const client = ((copy || txn) && g.client === "confluent") || group ? "kafkajs" : g.client;
    const acks = txn || g.idempotent ? "all" : g.acks;
    const targets = txn || copy ? g.targets : g.targets.filter((t) => t !== "txn-coordinator" && (group || t !== "group-coordinator"));
    // A queue run's op timeout covers the client's delivery budget, or the spec says to run anyway.
    const budget = deliveryBudget(client, { retries: g.retries, requestTimeoutMs: 5000 }).ms;
    const allowShortOpTimeout = g.allowShortOpTimeout || (!txn && budget > 300_000);
    const opTimeoutMs = allowShortOpTimeout || txn ? g.opTimeout : Math.max(g.opTimeout, budget);
    return {
      name: g.name,
      seed: g.seed,
      client,
      cluster: {
        brokers: g.brokers,
        metadata: g.kraft ? "kraft" : "zookeeper",
        ...(g.version ? { kafkaVersion: g.kraft ? "4.4.0" : "3.9.1" } : {}),
        zookeepers: g.zookeepers,
        controllers: g.controllers,
        combined: g.combined,
      },
      topic: { partitions: g.partitions, minInsyncReplicas: g.minIsr, uncleanLeaderElection: g.unclean },
      producer: { acks, idempotent: g.idempotent, maxInFlight: g.maxInFlight, retries: g.retries, opTimeoutMs, allowShortOpTimeout },
      consumer: {
        mode: client === "kafkajs" ? g.mode : "assign",
        count: group ? Math.max(1, g.consumers) : g.consumers,
        isolation: copy ? "read_committed" : g.isolation,
        ...(group ? { group: { commit: g.commit }, churn: { events: g.churn } } : {}),
      },
      workload: { kind: g.kind, abortRate: g.abortRate, producers: g.producers, rate: g.rate, timeLimitSeconds: g.timeLimit },
      faults: {
        kinds: g.kinds.filter((k) => !kindsNotIn(g.kraft ? "kraft" : "zookeeper").includes(k)),
        targets: targets.length ? targets : ["leader"],
      },
    };
  });

describe("settings table", () => {
  it("its defaults, paths and value lists are the spec schema's", () => {
    const defaults = TestSpecSchema.parse({});
    for (const s of ALL.filter(withPath)) {
      expect(specValue(defaults, s), s.flag).toEqual(s.default);
      // A setting with no default in the schema (the runner's, or a group run's) is not set here.
      if (s.default !== undefined) expect(TestSpecSchema.safeParse(at(s.path, s.default)).success, s.flag).toBe(true);
    }
    expect(TABLE_ISOLATION).toEqual(ISOLATION_LEVELS);
    expect(TABLE_KINDS).toEqual(WORKLOAD_KINDS);
    // Every verdict setting of a spec has its values listed here, each one in its CheckConfig domain.
    const verdict = VERDICT_SETTINGS.filter(withPath).map((s) => s.flag);
    expect(Object.keys(DOMAIN).sort()).toEqual([...verdict].sort());
  });

  it("every flag is unique, and every run flag is an option of `run`", () => {
    const flags = ALL.map((s) => s.flag);
    expect(new Set(flags).size).toBe(flags.length);
    const run = command("run").options.map((o) => o.long);
    for (const s of ALL.filter(withPath)) expect(run, s.flag).toContain(`--${s.flag}`);
    const check = command("check").options.map((o) => o.long);
    for (const s of VERDICT_SETTINGS) expect(check, s.flag).toContain(`--${s.flag}`);
  });
});

describe("the suite table's label", () => {
  it("names every setting that decides the verdict: changing one changes the label wherever it can change the verdict", () => {
    fc.assert(
      fc.property(specInputs, fc.constantFrom(...VERDICT_SETTINGS.filter(withPath)), fc.nat(), (input, s, i) => {
        const values = DOMAIN[s.flag]!;
        const changed = TestSpecSchema.safeParse(at(s.path, values[i % values.length], input));
        fc.pre(changed.success);
        const a = parseTestSpec(input);
        const b = parseTestSpec(at(s.path, values[i % values.length], input));
        const [ca, cb] = [checkConfigOfSpec(a), checkConfigOfSpec(b)];
        if (JSON.stringify(guaranteesFor(ca)) !== JSON.stringify(guaranteesFor(cb))) expect(configLabel(a)).not.toBe(configLabel(b));
        // The label is the checked configuration: equal labels, equal configurations (the isolation
        // level aside in queue runs, where it decides nothing).
        const relevant = (c: CheckConfig) => ({ ...c, isolation: c.transactional ? c.isolation : undefined });
        if (configLabel(a) === configLabel(b)) expect(relevant(ca)).toEqual(relevant(cb));
      }),
      { numRuns: 300 },
    );
  });

  it("tells apart the transaction scenarios that differ only in isolation", async () => {
    const suite = await readSuiteFile(DEFAULT_SUITE.replace(/known-answers\.yaml$/, "transactions.yaml"));
    const label = (name: string) =>
      configLabel(
        scenarioSpec(
          suite,
          suite.scenarios.findIndex((s) => s.name === name),
          1,
        ),
      );
    expect(label("txn-read-uncommitted-aborts")).toBe("kafkajs acks=all minISR=2 idempotent inflight=5 txn read_uncommitted");
    expect(label("txn-read-committed-faults")).toBe("kafkajs acks=all minISR=2 idempotent inflight=5 txn read_committed");
    // Queue runs keep their labels.
    expect(configLabel(parseTestSpec({ producer: { acks: 1 }, topic: { minInsyncReplicas: 1, uncleanLeaderElection: true } }))).toBe(
      "kafkajs acks=1 minISR=1 unclean inflight=5",
    );
  });
});

describe("the reconstructed command", () => {
  it("parses back, through the run flags, to the same spec", () => {
    fc.assert(
      fc.property(specInputs, (input) => {
        const spec = parseTestSpec(input);
        const cmd = reconstructCommand(spec);
        expect(cmd.startsWith("kafka-harness run ")).toBe(true);
        expect(runSpec(cmd.split(" ").slice(2))).toEqual(spec);
      }),
      { numRuns: 200 },
    );
  });

  it("names every setting that decides the verdict, and the ones the old one left out", () => {
    const spec = parseTestSpec({
      workload: { kind: "txn" },
      consumer: { isolation: "read_uncommitted", mode: "subscribe" },
      cluster: { metadata: "kraft" },
      faults: { kinds: ["pause"], targets: ["txn-coordinator"] },
    });
    const cmd = reconstructCommand(spec);
    // Every one but those only a group run (commit) or a copy run (the copier's mode) has, and
    // those a spec leaves to Kafka's default by leaving them out (flush-messages), named when set.
    for (const s of VERDICT_SETTINGS.filter(withPath).filter((s) => !BASE[s.flag] && s.flag !== "flush-messages"))
      expect(cmd, s.flag).toMatch(new RegExp(`--(no-)?${s.flag}( |$)`));
    expect(cmd).not.toContain("--flush-messages");
    expect(reconstructCommand(parseTestSpec({ cluster: { brokerConfig: { "log.flush.interval.messages": 1 } } }))).toContain(
      "--flush-messages 1",
    );
    expect(reconstructCommand(parseTestSpec({ workload: { kind: "copy", copy: { transactional: false } } }))).toMatch(
      /--workload copy .*--copy at-least-once/,
    );
    for (const words of ["--workload txn", "--isolation read_uncommitted", "--targets txn-coordinator", "--metadata kraft", "--subscribe"])
      expect(cmd).toContain(words);
    // The group settings, in a group run only.
    expect(cmd).not.toContain("--commit");
    const group = reconstructCommand(
      parseTestSpec({ workload: { kind: "group" }, consumer: { group: { commit: "before" }, churn: { events: ["crash", "stall"] } } }),
    );
    for (const words of ["--workload group", "--commit before", "--group-protocol classic", "--churn crash,stall", "--subscribe"])
      expect(group).toContain(words);
  });
});

describe("run and check flags", () => {
  it("agree on every verdict setting: the same words give the same checked value", () => {
    for (const s of VERDICT_SETTINGS.filter(withPath)) {
      for (const value of DOMAIN[s.flag]!) {
        const words = reconstructCommand(at(s.path, value, BASE[s.flag]))
          .split(" ")
          .slice(2);
        {
          const fromRun = checkConfigOfSpec(runSpec(words))[s.verdict.key];
          const fromCheck = configFromFlags(flagsOf("check", words));
          if (typeof fromCheck === "string") throw new Error(fromCheck);
          // No words: `run` takes the spec's default, `check` assumes the strongest; they agree on it.
          expect(fromCheck[s.verdict.key] ?? fromRun, `${s.flag} ${JSON.stringify(value)}: ${words.join(" ")}`).toEqual(fromRun);
          if (words.length === 0) expect(specValue(TestSpecSchema.parse({}), s)).toEqual(value);
        }
      }
    }
  });

  it("refuse the same bad text in the same words, each naming the flag and the value", () => {
    for (const [flag, text] of [
      ["isolation", "snapshot"],
      ["workload", "txns"],
      ["max-in-flight", "many"],
    ] as const) {
      const key = flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
      const said = new RegExp(`--${flag} must be .* \\(got "${text}"(; did you mean .*)?\\)$`);
      expect(() => specFromFlags({ [key]: text })).toThrow(said);
      expect(configFromFlags({ [key]: text })).toMatch(said);
    }
  });
});
