// Suites as data: a JSON or YAML file of named scenarios (a spec, seeds or a number of runs, and
// what the harness must find), validated with errors that name the file and the field. A `clients`
// list (suite-wide or per scenario) expands a scenario into one per client, named
// `<scenario>.<client>`, with the same seeds, so the clients are compared run for run.
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { FAULTS_PROPER } from "../../checkers/fault-names.ts";
import { ANOMALY_TYPES } from "../../checkers/index.ts";
import { didYouMean } from "../../checkers/suggest.ts";

/** What the nemesis records as a fault proper (the spec's kinds isolate, ring, zk, ... become these). */
export const APPLIED_FAULT_KINDS = FAULTS_PROPER;

import { type ClientName, ClientNameSchema } from "../spec/client.ts";
import { describeIssues, formatIssue, SpecError } from "../spec/errors.ts";
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
              message: `must be one of ${APPLIED_FAULT_KINDS.join(", ")} (what the nemesis records)${didYouMean(k, APPLIED_FAULT_KINDS)}`,
            });
        }
      })
      .optional(),
  })
  .strict();

const KnownFinding = z
  .object({
    anomalies: z.array(Anomaly).min(1),
    /** Where the finding is a seeded scenario: `<suite file>: <scenario>`. */
    see: z.string().min(1),
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
    /**
     * A client finding about availability: some run had at least this many consumer-group members
     * whose library failed and gave up on its own (results.exercised.group.gaveUp). A detection like
     * `finds`: runs continue with the next seed until one shows it.
     */
    gaveUp: z.number().int().min(1).optional(),
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
      .object({
        acknowledged: z.number().int().min(0).optional(),
        read: z.number().int().min(0).optional(),
        /** Consumer groups: partitions handed from one member to another (results.exercised.group). A
         *  scenario with `never` on a group run requires 1 by default, and 1 acknowledged commit. */
        handoffs: z.number().int().min(0).optional(),
        /** Consumer groups: offset commits acknowledged. */
        commits: z.number().int().min(0).optional(),
        /** Consumer groups: members the harness crashed. */
        crashes: z.number().int().min(0).optional(),
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
    /** Run this scenario once per client (overrides the suite's `clients`). */
    clients: z.array(ClientNameSchema).min(1).optional(),
    /**
     * Per client: anomalies the client is known to cause in this scenario, each a seeded scenario of
     * a findings suite (`see`). Found, they are reported beside the expectation (and the run stays
     * INVALID), but neither they nor the verdict they make fail it: everything else still does.
     */
    knownFindings: z.record(z.string(), KnownFinding).optional(),
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
    /**
     * Runs whose cluster specs are equal share one cluster (a fresh topic each, the cluster whole
     * again before each run) instead of one cluster per run; a run asking for another cluster spec
     * gets its own. The command line's --share-cluster / --no-share-cluster wins.
     */
    shareCluster: z.boolean().optional(),
    /**
     * How many scenarios run side by side, each run on a cluster of its own (never two runs on one
     * cluster at once: one's faults would be the other's). The command line's --parallel wins.
     */
    parallel: z.number().int().min(1).optional(),
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

/**
 * A suite file's object as a Suite, validated whole before anything runs: every problem at once
 * (the file's fields, each scenario's expectations, clients and names, and each scenario's spec
 * with the suite's defaults under it), in one SpecError.
 */
export function parseSuite(raw: unknown, where: string): Suite {
  const problems: string[] = [];
  const r = SuiteSchema.safeParse(raw);
  if (!r.success) problems.push(...describeIssues(r.error, raw, "", SuiteSchema));
  // Go on with what is there (the raw file when it did not parse) to find the other problems too.
  const file = (r.success ? r.data : raw) as Partial<z.output<typeof SuiteSchema>> | undefined;
  const rawScenarios: unknown[] = Array.isArray(file?.scenarios) ? file.scenarios : [];
  const defaults = isPlain(file?.defaults) ? file.defaults : {};
  const suiteClients = Array.isArray(file?.clients) ? (file.clients as ClientName[]) : undefined;
  const scenarios: Scenario[] = [];
  rawScenarios.forEach((x, i) => {
    if (!isPlain(x)) return;
    const sc = (r.success ? x : { ...x, expect: isPlain(x.expect) ? x.expect : {} }) as z.output<typeof ScenarioSchema>;
    const at = `scenarios.${i}${typeof sc.name === "string" ? ` (${sc.name})` : ""}`;
    // Only known clients expand (an unknown one is a problem of its own, said above).
    const clients = (Array.isArray(sc.clients) ? sc.clients : suiteClients)?.filter((c) => ClientNameSchema.safeParse(c).success);
    if (clients && isPlain(sc.spec) && sc.spec.client !== undefined)
      problems.push(`${at}: spec.client and a clients list both choose the client; keep one`);
    if (clients && new Set(clients).size !== clients.length) problems.push(`${at}: clients names a client twice`);
    for (const c of Object.keys(isPlain(sc.knownFindings) ? sc.knownFindings : {})) {
      if (!clients?.includes(c as ClientName))
        problems.push(`${at}.knownFindings.${c}: not one of this scenario's clients (${clients?.join(", ") ?? "none"})`);
    }
    problems.push(...expectProblems(sc.expect, at));
    if (typeof sc.name !== "string") return;
    const spec = isPlain(sc.spec) ? sc.spec : {};
    const expanded = clients
      ? [...new Set(clients)].map((client) => ({ name: `${sc.name}.${client}`, client }))
      : [{ name: sc.name, client: undefined }];
    for (const e of expanded) {
      scenarios.push({ ...sc, spec, name: e.name, base: sc.name, ...(e.client ? { client: e.client } : {}), seedIndex: i });
      // Every scenario's spec now, so a typo (or a fault its cluster cannot have) fails before the first cluster starts.
      try {
        parseTestSpec(specOf(defaults, spec, e.client, e.name, 0), "spec");
      } catch (err) {
        if (!(err instanceof SpecError)) throw err;
        // The name is the scenario's (checked above); the rest is the spec's.
        const lines = err.issues.filter((x) => x.path.join(".") !== "name").map((x) => formatIssue(x));
        problems.push(...lines.map((p) => `${at}${e.client ? ` [${e.client}]` : ""}.spec.${p}`));
      }
    }
  });
  const seen = new Set<string>();
  for (const s of scenarios) {
    if (seen.has(s.name)) problems.push(`scenarios: the name ${s.name} is used twice`);
    seen.add(s.name);
  }
  if (problems.length || !r.success) throw new SpecError(`suite ${where}`, [...new Set(problems)]);
  return { ...r.data, scenarios };
}

const isPlain = (v: unknown): v is Plain => typeof v === "object" && v !== null && !Array.isArray(v);

/** What a scenario's expectations contradict: an anomaly both to be found and never found. */
function expectProblems(expect: unknown, at: string): string[] {
  if (!isPlain(expect)) return [];
  const finds = Array.isArray(expect.finds) ? (expect.finds as string[]) : [];
  const never = new Set(Array.isArray(expect.never) ? (expect.never as string[]) : []);
  const both = finds.filter((a) => never.has(a));
  return both.length
    ? [
        `${at}.expect: finds and never both name ${both.join(", ")}: a run cannot both find ${both.length > 1 ? "them" : "it"} and never find ${both.length > 1 ? "them" : "it"}`,
      ]
    : [];
}

/** A scenario's spec as given: suite defaults, its own spec, its client, its name and the seed. */
function specOf(defaults: Plain, spec: Plain, client: ClientName | undefined, name: string, seed: number): Plain {
  return { ...deepMerge(defaults, spec), ...(client ? { client } : {}), name, seed };
}

/** The scenario's spec as given: suite defaults, its own spec, its client, its name and the seed. */
function rawSpec(suite: Suite, index: number, seed: number): Plain {
  const s = suite.scenarios[index]!;
  return specOf(suite.defaults as Plain, s.spec as Plain, s.client, s.name, seed);
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

/** A scenario that looks for something (an anomaly, or members giving up): runs go on until found. */
export const isDetection = (e: Pick<Expect, "finds" | "gaveUp">): boolean => e.finds.length > 0 || e.gaveUp !== undefined;

/**
 * Seeds for a scenario: explicit ones, or derived from the suite seed and the scenario's position
 * in the file (so every client of an expanded scenario gets the same seeds).
 */
export function scenarioSeeds(suite: Suite, index: number): number[] {
  const s = suite.scenarios[index]!;
  if (s.seeds) return s.seeds;
  const n = isDetection(s.expect) ? (s.maxRuns ?? s.runs) : s.runs;
  return Array.from({ length: n }, (_, k) => (suite.seed * 1_000_003 + s.seedIndex * 7919 + k * 104_729) % 2 ** 31);
}

/** Scenarios side by side: the flag, else the file's, else one at a time. */
export function parallelOf(suite: Pick<Suite, "parallel">, flag: number | undefined): number {
  return flag ?? suite.parallel ?? 1;
}

/** Whether the suite's runs share clusters: the command line's flag, else the suite file's, else not. */
export function shareClusterOf(suite: Pick<Suite, "shareCluster">, flag: boolean | undefined): boolean {
  return flag ?? suite.shareCluster ?? false;
}

export function scenarioSpec(suite: Suite, index: number, seed: number): TestSpec {
  return parseTestSpec(rawSpec(suite, index, seed));
}
