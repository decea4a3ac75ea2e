// A suite split over machines (pure): `--shard i/n` takes a share of the suite's scenarios. The unit
// is the scenario after client expansion, never a run: a detection goes on with new seeds until it
// finds, so its runs depend on each other. Shares are balanced by planned run time and depend on the
// suite file alone, so every machine computes the same split without talking to the others.
import { SpecError } from "../spec/errors.ts";
import { type Suite, scenarioSeeds, scenarioSpec } from "./suite-file.ts";

/** Shard `index` (1-based) of `of`. */
export interface Shard {
  index: number;
  of: number;
}

export const shardLabel = (s: Shard) => `${s.index}/${s.of}`;

/** `--shard i/n`: whole numbers with 1 ≤ i ≤ n. */
export function parseShard(v: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(v.trim());
  const index = Number(m?.[1]);
  const of = Number(m?.[2]);
  if (!m || index < 1 || of < 1 || index > of)
    throw new SpecError("--shard", [`--shard must be i/n, whole numbers with 1 ≤ i ≤ n, as in 2/4 (got ${JSON.stringify(v)})`]);
  return { index, of };
}

/** The scenarios a suite runs, by position: every one, or those `only` names (a name from the file
 *  selects each of its clients). */
export function chosenScenarios(suite: Suite, only?: readonly string[]): number[] {
  return suite.scenarios.flatMap((s, i) => (only?.length && !only.includes(s.name) && !only.includes(s.base) ? [] : [i]));
}

/** Seconds a run takes besides its workload: topic, heal, final reads, check (a round figure; it
 *  only weighs scenarios against each other). */
const RUN_OVERHEAD_SECONDS = 30;

/** What a scenario is expected to cost: its minimum runs (a detection usually finds in its first)
 *  times its workload's time limit and the overhead of a run. */
export function plannedSeconds(suite: Suite, index: number): number {
  const s = suite.scenarios[index]!;
  const runs = Math.min(s.runs, scenarioSeeds(suite, index).length);
  return runs * (scenarioSpec(suite, index, 0).workload.timeLimitSeconds + RUN_OVERHEAD_SECONDS);
}

/**
 * The scenarios (positions from `chosen`) of each of `of` shards, each in the file's order. Longest
 * first, each to the shard with the least planned time so far (the lowest-numbered on a tie; equal
 * costs keep the file's order): every chosen scenario in exactly one shard, the same split on every
 * machine.
 */
export function splitScenarios(costs: readonly { index: number; seconds: number }[], of: number): number[][] {
  const shards = Array.from({ length: of }, () => ({ seconds: 0, scenarios: [] as number[] }));
  // Array.prototype.sort is stable: equal costs keep the order given (the file's).
  for (const c of [...costs].sort((a, b) => b.seconds - a.seconds)) {
    const lightest = shards.reduce((best, s) => (s.seconds < best.seconds ? s : best));
    lightest.seconds += c.seconds;
    lightest.scenarios.push(c.index);
  }
  return shards.map((s) => s.scenarios.sort((a, b) => a - b));
}

/** The positions of the scenarios shard `shard` runs, in the file's order. */
export function shardScenarios(suite: Suite, chosen: readonly number[], shard: Shard): number[] {
  return splitScenarios(
    chosen.map((index) => ({ index, seconds: plannedSeconds(suite, index) })),
    shard.of,
  )[shard.index - 1]!;
}
