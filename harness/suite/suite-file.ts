// Suites as data: a JSON or YAML file of named scenarios (a spec, seeds or a number of runs, and
// what the harness must find), validated with errors that name the file and the field.
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ANOMALY_TYPES } from "../../checkers/index.ts";

/** What the nemesis records as a fault proper (the spec's kinds isolate, ring, zk, ... become these). */
export const APPLIED_FAULT_KINDS = ["kill", "stop", "pause", "partition", "bounce"] as const;
import { describeIssues, SpecError } from "../spec/errors.ts";
import { deepMerge, type Plain } from "../util/merge.ts";
import { parseTestSpec, type TestSpec } from "../spec/test-spec.ts";

const Anomaly = z.enum(ANOMALY_TYPES as unknown as [string, ...string[]], { error: "must be an anomaly type" });

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
     * bounce). A scenario with `never` and a fault schedule requires at least one by default: a
     * negative control whose faults never took effect tested nothing.
     */
    faultsApplied: z
      .object({
        min: z.number().int().min(0).optional(),
        kinds: z.record(z.string(), z.number().int().min(1)).superRefine((kinds, ctx) => {
          for (const k of Object.keys(kinds)) {
            if (!(APPLIED_FAULT_KINDS as readonly string[]).includes(k)) ctx.addIssue({ code: "custom", path: [k], message: `must be one of ${APPLIED_FAULT_KINDS.join(", ")} (what the nemesis records)` });
          }
        }).optional(),
      })
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
  })
  .strict();

export const SuiteSchema = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    seed: z.number().int().min(0).default(1),
    defaults: z.record(z.string(), z.unknown()).default({}),
    scenarios: z.array(ScenarioSchema).min(1),
  })
  .strict();

export type Expect = z.output<typeof ExpectSchema>;
export type Scenario = z.output<typeof ScenarioSchema>;
export type Suite = z.output<typeof SuiteSchema>;

export interface PlannedScenario extends Scenario {
  /** The scenario's spec with the suite defaults merged in, validated (seed filled per run). */
  specFor(seed: number): TestSpec;
  seedList: number[];
}

export function parseSuite(raw: unknown, where: string): Suite {
  const r = SuiteSchema.safeParse(raw);
  if (!r.success) throw new SpecError(`suite ${where}`, describeIssues(r.error, raw));
  const names = new Set<string>();
  for (const s of r.data.scenarios) {
    if (names.has(s.name)) throw new SpecError(`suite ${where}`, [`scenarios: the name ${s.name} is used twice`]);
    names.add(s.name);
  }
  // Validate every scenario's spec now, so a typo fails before the first cluster starts.
  r.data.scenarios.forEach((s, i) => {
    parseTestSpec({ ...deepMerge(r.data.defaults as Plain, s.spec as Plain), name: s.name, seed: 0 }, `suite ${where}: scenarios.${i} (${s.name}).spec`);
  });
  return r.data;
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

/** Seeds for a scenario: explicit ones, or derived from the suite seed and the scenario's position. */
export function scenarioSeeds(suite: Suite, index: number): number[] {
  const s = suite.scenarios[index]!;
  if (s.seeds) return s.seeds;
  const n = s.expect.finds.length ? (s.maxRuns ?? s.runs) : s.runs;
  return Array.from({ length: n }, (_, k) => (suite.seed * 1_000_003 + index * 7919 + k * 104_729) % 2 ** 31);
}

export function scenarioSpec(suite: Suite, index: number, seed: number): TestSpec {
  const s = suite.scenarios[index]!;
  return parseTestSpec({ ...deepMerge(suite.defaults as Plain, s.spec as Plain), name: s.name, seed });
}
