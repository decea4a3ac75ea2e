// The copy workload's plan (workload.kind "copy"): the queue's producers for the input topic, and the
// copiers' crash schedule, plain data from the spec's seed. Each copier has a transactional id of
// its own, stable for the run (its replacement after a crash fences it), and all share one group.
import fc from "fast-check";
import { outputTopicOf } from "../../checkers/copy.ts";
import type { CopySpec, TestSpec } from "../spec/test-spec.ts";

/** One planned crash: the copier of slot `copier` drops mid-copy at its first copy after `atMs`. */
export interface CopierCrash {
  atMs: number;
  copier: number;
}

type PlanSpec = Pick<TestSpec, "topic" | "workload">;

/** The copiers' settings of a copy spec (parseTestSpec fills them in). */
export const copySpecOf = (spec: PlanSpec): CopySpec =>
  spec.workload.copy ?? { copiers: 2, transactional: true, crashes: 0, holdDeliveries: true };

export const copyOutputTopic = (spec: PlanSpec): string => outputTopicOf(spec.topic.name);

/** Each copier slot's transactional id. */
export const copierIdsOf = (spec: PlanSpec): string[] =>
  Array.from({ length: copySpecOf(spec).copiers }, (_, i) => `${spec.topic.name}-copier-${i}`);

/** The one group every copier reads the input in (and commits its offsets to). */
export const copyGroupOf = (spec: PlanSpec): string => `${spec.topic.name}-copiers`;

/** Crashes between 10% and 60% of the time limit (uniformly: no bias to the ends), so each
 *  copier's replacement has time to copy. */
export function copierCrashArbitrary(spec: PlanSpec): fc.Arbitrary<CopierCrash[]> {
  const { copiers, crashes } = copySpecOf(spec);
  const ms = spec.workload.timeLimitSeconds * 1000;
  const crash = fc.record({
    atMs: fc.noBias(fc.integer({ min: Math.floor(ms * 0.1), max: Math.max(Math.floor(ms * 0.1), Math.floor(ms * 0.6)) })),
    copier: fc.integer({ min: 0, max: copiers - 1 }),
  });
  return fc.array(crash, { minLength: crashes, maxLength: crashes }).map((cs) => [...cs].sort((a, b) => a.atMs - b.atMs));
}
