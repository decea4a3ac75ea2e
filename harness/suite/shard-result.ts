// What a shard of a suite leaves for `merge`, and the merge itself. Each `suite --shard i/n` writes
// its outcomes into its store (suite-results/<suite>.<i>of<n>.json) with what a merge must check:
// the suite's name, a digest of the suite file's bytes, the scenarios chosen, the split. `merge`
// joins the n results into the outcomes one unsharded run of the same seeds would have had, in the
// file's order, or refuses shards that cannot make one suite, saying why.
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { SpecError } from "../spec/errors.ts";
import type { ScenarioAim } from "./detection-rates.ts";
import type { ScenarioOutcome } from "./judge.ts";
import { type Shard, shardLabel } from "./shard.ts";

export const SHARD_RESULT_FORMAT = "kafka-harness suite shard";
/** The folder of a store that holds shard results. */
export const SHARD_RESULTS_DIR = "suite-results";

export interface ShardResult {
  format: typeof SHARD_RESULT_FORMAT;
  version: 1;
  suite: string;
  /** sha256 of the suite file's bytes: shards of one suite ran one file. */
  suiteDigest: string;
  /** The --only names, or null for every scenario. */
  only: string[] | null;
  shard: Shard;
  /** Every scenario of the whole (unsharded) suite, in the file's order, with what it looks for. */
  plan: ScenarioAim[];
  /** This shard's scenarios, in the file's order. */
  scenarios: string[];
  /** Their outcomes; run folders relative to the store that holds this file. */
  outcomes: ScenarioOutcome[];
}

/** A shard result as read: where from, and the store its run folders are relative to. */
export interface ShardInput {
  source: string;
  storeDir: string;
  result: ShardResult;
}

export const suiteDigest = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

/** The file name of a shard's result in its store: the suite's name made safe for a file name. */
export const shardResultPath = (storeRoot: string, suite: string, shard: Shard) =>
  join(storeRoot, SHARD_RESULTS_DIR, `${suite.replace(/[^\w.-]/g, "_")}.${shard.index}of${shard.of}.json`);

/** The result to store, run folders made relative to the store root (a CI job downloads it elsewhere). */
export function shardResultOf(
  r: Omit<ShardResult, "format" | "version" | "outcomes"> & { outcomes: readonly ScenarioOutcome[] },
  storeRoot: string,
): ShardResult {
  return {
    format: SHARD_RESULT_FORMAT,
    version: 1,
    ...r,
    outcomes: r.outcomes.map((o) => ({ ...o, runs: o.runs.map((run) => ({ ...run, dir: relative(storeRoot, run.dir) })) })),
  };
}

export async function writeShardResult(storeRoot: string, result: ShardResult): Promise<string> {
  const path = shardResultPath(storeRoot, result.suite, result.shard);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

const isShardResult = (x: unknown): x is ShardResult => {
  const r = x as Partial<ShardResult> | null;
  return (
    typeof r === "object" &&
    r !== null &&
    r.format === SHARD_RESULT_FORMAT &&
    r.version === 1 &&
    typeof r.suite === "string" &&
    typeof r.suiteDigest === "string" &&
    Number.isInteger(r.shard?.index) &&
    Number.isInteger(r.shard?.of) &&
    Array.isArray(r.plan) &&
    Array.isArray(r.scenarios) &&
    Array.isArray(r.outcomes)
  );
};

/** The shard results a `merge` argument names: a result file, or a store holding suite-results/. */
export async function readShardInputs(args: readonly string[]): Promise<ShardInput[]> {
  const inputs: ShardInput[] = [];
  for (const arg of args) {
    if (!existsSync(arg)) throw new SpecError(`merge ${arg}`, ["no such file or directory"]);
    let files = [arg];
    if (statSync(arg).isDirectory()) {
      const dir = join(arg, SHARD_RESULTS_DIR);
      const names = existsSync(dir) ? (await readdir(dir)).filter((n) => n.endsWith(".json")).sort() : [];
      if (names.length === 0)
        throw new SpecError(`merge ${arg}`, [
          `no shard results in ${dir} (suite --shard i/n writes them into its store's ${SHARD_RESULTS_DIR}/)`,
        ]);
      files = names.map((n) => join(dir, n));
    }
    for (const file of files) {
      let raw: unknown;
      try {
        raw = JSON.parse(await readFile(file, "utf8"));
      } catch (err) {
        throw new SpecError(`merge ${file}`, [`not valid JSON: ${(err as Error).message}`]);
      }
      if (!isShardResult(raw)) throw new SpecError(`merge ${file}`, ["not a shard result (suite --shard i/n writes them)"]);
      inputs.push({ source: file, storeDir: dirname(dirname(file)), result: raw });
    }
  }
  return inputs;
}

/** "a, b" for the sources of the inputs matching `pick`. */
const sourcesOf = (inputs: readonly ShardInput[], pick: (i: ShardInput) => boolean) =>
  inputs
    .filter(pick)
    .map((i) => i.source)
    .join(", ");

/** The values of `key` among the inputs and where each came from, when they are not all equal. */
function disagreement(inputs: readonly ShardInput[], key: (r: ShardResult) => string, say: (value: string) => string): string[] {
  const values = [...new Set(inputs.map((i) => key(i.result)))];
  return values.length > 1 ? values.map((v) => `${say(v)}: ${sourcesOf(inputs, (i) => key(i.result) === v)}`) : [];
}

/**
 * The shards joined (pure): the suite's name, what each scenario looks for, and the outcomes in the
 * file's order with run folders under the stores they were read from. Refuses, listing every
 * problem, shards of different suites or suite-file contents, of different splits or --only, and
 * shards given twice or missing.
 */
export function mergeShards(inputs: readonly ShardInput[]): { suite: string; aims: ScenarioAim[]; outcomes: ScenarioOutcome[] } {
  if (inputs.length === 0) throw new SpecError("merge", ["no shard results given"]);
  const suites = disagreement(
    inputs,
    (r) => r.suite,
    (v) => `suite ${v}`,
  );
  if (suites.length) throw new SpecError("merge", ["shards of different suites:", ...suites.map((s) => `  ${s}`)]);
  const problems = [
    ...disagreement(
      inputs,
      (r) => r.suiteDigest,
      (v) => `suite file ${v.slice(0, 12)}`,
    ).map((s) => `different suite-file contents: ${s}`),
    ...disagreement(
      inputs,
      (r) => String(r.shard.of),
      (v) => `split into ${v}`,
    ).map((s) => `different splits: ${s}`),
    ...disagreement(
      inputs,
      (r) => JSON.stringify(r.only),
      (v) => `--only ${v === "null" ? "(none)" : (JSON.parse(v) as string[]).join(",")}`,
    ).map((s) => `different scenarios chosen: ${s}`),
  ];
  if (problems.length) throw new SpecError("merge", problems);
  const of = inputs[0]!.result.shard.of;
  for (let index = 1; index <= of; index++) {
    const given = inputs.filter((i) => i.result.shard.index === index);
    if (given.length > 1) problems.push(`shard ${index}/${of} given ${given.length} times: ${given.map((i) => i.source).join(", ")}`);
    if (given.length === 0) problems.push(`shard ${index}/${of} missing: run suite --shard ${index}/${of} and give its store too`);
  }
  for (const i of inputs)
    if (i.result.shard.index < 1 || i.result.shard.index > of)
      problems.push(`${i.source}: shard ${shardLabel(i.result.shard)} is no shard of ${of}`);
  if (problems.length) throw new SpecError("merge", problems);

  // Equal digests mean equal splits; a result edited or cut short still must not pass.
  const plan = inputs[0]!.result.plan;
  const outcomes = new Map<string, ScenarioOutcome>();
  for (const { source, storeDir, result } of inputs) {
    const names = result.outcomes.map((o) => o.name);
    if (JSON.stringify(names) !== JSON.stringify(result.scenarios))
      problems.push(
        `${source}: its outcomes (${names.join(", ") || "none"}) are not its scenarios (${result.scenarios.join(", ") || "none"})`,
      );
    for (const o of result.outcomes) {
      if (outcomes.has(o.name)) problems.push(`scenario ${o.name} is in more than one shard (again in ${source})`);
      outcomes.set(o.name, { ...o, runs: o.runs.map((r) => ({ ...r, dir: join(storeDir, r.dir) })) });
    }
  }
  for (const a of plan) if (!outcomes.has(a.name)) problems.push(`scenario ${a.name} is in no shard`);
  for (const name of outcomes.keys()) if (!plan.some((a) => a.name === name)) problems.push(`scenario ${name} is not in the suite's plan`);
  if (problems.length) throw new SpecError("merge", problems);
  return { suite: inputs[0]!.result.suite, aims: plan, outcomes: plan.map((a) => outcomes.get(a.name)!) };
}
