// Suites as data: a JSON or YAML file of named scenarios (a spec, seeds or a number of runs, and
// what the harness must find), validated with errors that name the file and the field. A `clients`
// list (suite-wide or per scenario) expands a scenario into one per client, named
// `<scenario>.<client>`, with the same seeds, so the clients are compared run for run.
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { FAULTS_PROPER } from "../../checkers/fault-names.ts";
import { ANOMALY_TYPES } from "../../checkers/index.ts";

/** What the nemesis records as a fault proper (the spec's kinds isolate, ring, zk, ... become these). */
export const APPLIED_FAULT_KINDS = FAULTS_PROPER;

import { type ClientName, ClientNameSchema } from "../spec/client.ts";
import { describeIssues, SpecError } from "../spec/errors.ts";
import { parseTestSpec, type TestSpec } from "../spec/test-spec.ts";
import { deepMerge, type Plain } from "../util/merge.ts";

const Anomaly = z.enum(ANOMALY_TYPES as unknown as [string, ...string[]], { error: "must be an anomaly type" });

/** At least `min` faults in all, and N of each nemesis fault named in `kinds`. */
const FaultFloor = z
  .object({
    min: z.number().int().min(0).optional(),
    kinds: z
      .record(z.string(), z.number().int().min(1))
      .superRefine((kinds, ctx) => {
        for (const k of Object.keys(kinds)) {
          if (!(APPLIED_FAULT_KINDS as readonly string[]).includes(k))
            ctx.addIssue({
              code: "custom",
              path: [k],
              message: `must be one of ${APPLIED_FAULT_KINDS.join(", ")} (what the nemesis records)`,
            });
        }
      })
      .optional(),
  })
  .strict();

export const ExpectSchema = z
  .object({
    /** The verdict every run must have ("not-invalid": valid or unknown). */
    verdict: z.enum(["valid", "invalid", "unknown", "not-invalid"]).optional(),
    /** Anomalies that must never be found. */
    never: z.array(Anomaly).default([]),
    /** Detection: at least one of these must be found in some run (runs continue with new seeds). */
    finds: z.array(Anomaly).default([]),
    /** If true, not finding `finds` is reported but does not fail the scenario (how often, not whether). */
    findsOptional: z.boolean().default(false),
    /**
     * Faults every run must have applied (completed ok, not refused or uncertain): at least `min` in
     * all, and at least N of each nemesis fault named in `kinds` (kill, stop, pause, partition,
     * bounce). Applied says only that the action returned; controls rest on `faultsEffective`.
     */
    faultsApplied: FaultFloor.optional(),
    /**
     * Faults every run must have made effective (applied, and shown by the history to have reached
     * the data path during the workload: a workload partition's leader moved or its ISR shrank, the
     * KRaft quorum leader moved, or clients on its partitions failed; checkers/effective-faults.ts):
     * `min` in all and N of each nemesis fault in `kinds`. A scenario with `never` and a fault
     * schedule requires at least one by default.
     */
    faultsEffective: FaultFloor.optional(),
    /**
     * What every run's workload must have exercised: at least `acknowledged` writes acknowledged
     * (results.exercised: acknowledged at an offset, or committed in a transaction) and `read` values
     * read by the workload (final reads not counted). A scenario with `never` requires 1 of each by
     * default: a control that acknowledged or read nothing could lose nothing.
     */
    exercised: z
      .object({ acknowledged: z.number().int().min(0).optional(), read: z.number().int().min(0).optional() })
      .strict()
      .optional(),
  })
  .strict();

export const ScenarioSchema = z
  .object({
    name: z.string().regex(/^[a-zA-Z0-9._-]+$/, { error: "must be letters, digits, dot, dash or underscore" }),
    description: z.string().optional(),
    spec: z.record(z.string(), z.unknown()).default({}),
    /** Explicit seeds, one run each; otherwise `runs` seeds derived from the suite seed. */
    seeds: z.array(z.number().int().min(0)).optional(),
    runs: z.number().int().min(1).max(50).default(1),
    /** With `finds`: run at most this many times (new seeds) until found. */
    maxRuns: z.number().int().min(1).max(50).optional(),
    expect: ExpectSchema.default({ never: [], finds: [], findsOptional: false }),
    /** Run this scenario once per client (overrides the suite's `clients`). */
    clients: z.array(ClientNameSchema).min(1).optional(),
  })
  .strict();

export const SuiteSchema = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    seed: z.number().int().min(0).default(1),
    defaults: z.record(z.string(), z.unknown()).default({}),
    /** Run every scenario once per client (a scenario's own `clients` wins). */
    clients: z.array(ClientNameSchema).min(1).optional(),
    scenarios: z.array(ScenarioSchema).min(1),
  })
  .strict();

export type Expect = z.output<typeof ExpectSchema>;
/** A scenario as it runs: after the client axis is expanded. */
export type Scenario = z.output<typeof ScenarioSchema> & {
  /** The scenario's name in the file (`name` adds `.<client>` when a clients list expanded it). */
  base: string;
  /** The client this expansion runs with (written into its spec). */
  client?: ClientName;
  /** The scenario's position in the file: its derived seeds depend on it, equal for every client. */
  seedIndex: number;
};
export type Suite = Omit<z.output<typeof SuiteSchema>, "scenarios"> & { scenarios: Scenario[] };

export function parseSuite(raw: unknown, where: string): Suite {
  const r = SuiteSchema.safeParse(raw);
  if (!r.success) throw new SpecError(`suite ${where}`, describeIssues(r.error, raw));
  const scenarios: Scenario[] = [];
  r.data.scenarios.forEach((s, i) => {
    const clients = s.clients ?? r.data.clients;
    if (clients && (s.spec as Plain).client !== undefined) {
      throw new SpecError(`suite ${where}`, [
        `scenarios.${i} (${s.name}): spec.client and a clients list both choose the client; keep one`,
      ]);
    }
    if (clients && new Set(clients).size !== clients.length)
      throw new SpecError(`suite ${where}`, [`scenarios.${i} (${s.name}): clients names a client twice`]);
    if (!clients) scenarios.push({ ...s, base: s.name, seedIndex: i });
    else for (const client of clients) scenarios.push({ ...s, name: `${s.name}.${client}`, base: s.name, client, seedIndex: i });
  });
  const names = new Set<string>();
  for (const s of scenarios) {
    if (names.has(s.name)) throw new SpecError(`suite ${where}`, [`scenarios: the name ${s.name} is used twice`]);
    names.add(s.name);
  }
  const suite: Suite = { ...r.data, scenarios };
  // Validate every scenario's spec now, so a typo fails before the first cluster starts.
  scenarios.forEach((s, i) => {
    parseTestSpec(rawSpec(suite, i, 0), `suite ${where}: scenarios.${s.seedIndex} (${s.name}).spec`);
  });
  return suite;
}

/** The scenario's spec as given: suite defaults, its own spec, its client, its name and the seed. */
function rawSpec(suite: Suite, index: number, seed: number): Plain {
  const s = suite.scenarios[index]!;
  return { ...deepMerge(suite.defaults as Plain, s.spec as Plain), ...(s.client ? { client: s.client } : {}), name: s.name, seed };
}

export async function readSuiteFile(path: string): Promise<Suite> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new SpecError(`suite ${path}`, ["no such file"]);
  }
  let raw: unknown;
  try {
    raw = path.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new SpecError(`suite ${path}`, [`not valid ${path.endsWith(".json") ? "JSON" : "YAML"}: ${(err as Error).message}`]);
  }
  return parseSuite(raw, path);
}

/**
 * Seeds for a scenario: explicit ones, or derived from the suite seed and the scenario's position
 * in the file (so every client of an expanded scenario gets the same seeds).
 */
export function scenarioSeeds(suite: Suite, index: number): number[] {
  const s = suite.scenarios[index]!;
  if (s.seeds) return s.seeds;
  const n = s.expect.finds.length ? (s.maxRuns ?? s.runs) : s.runs;
  return Array.from({ length: n }, (_, k) => (suite.seed * 1_000_003 + s.seedIndex * 7919 + k * 104_729) % 2 ** 31);
}

export function scenarioSpec(suite: Suite, index: number, seed: number): TestSpec {
  return parseTestSpec(rawSpec(suite, index, seed));
}
