// The transactional workload's plan (workload.kind "txn"): for each process slot, the sequence of
// transactions it runs, each 1 to 4 micro-ops (a send to a key, or a poll) and whether it is
// aborted on purpose (a planned share, workload.abortRate). Plain data from the spec's seed: same
// seed, same plan. Values are not in the plan: the workload numbers them per key as it sends, as
// the queue workload does, so every value is unique per key.
import fc from "fast-check";
import type { TestSpec } from "../spec/test-spec.ts";

export type PlannedMicroOp = ["send", string] | ["poll"];

export interface TxnStep {
  ops: PlannedMicroOp[];
  /** Aborted on purpose once its micro-ops ran (a planned abort). */
  abort: boolean;
}

type PlanSpec = Pick<TestSpec, "topic" | "workload">;

/** Each slot's transactional id: stable for the run, so a replacement producer fences its predecessor
 *  (and ends its open transaction), and fault schedules can name its coordinator. */
export const txnIdsOf = (spec: PlanSpec): string[] =>
  Array.from({ length: spec.workload.producers }, (_, i) => `${spec.topic.name}-txn-${i}`);

/** Each slot's consumer group: the group its polls' offsets are sent to (sendOffsets). */
export const txnGroupsOf = (spec: PlanSpec): string[] =>
  Array.from({ length: spec.workload.producers }, (_, i) => `${spec.topic.name}-txn-group-${i}`);

/** Enough transactions that no slot runs dry before the time limit (pacing stops them earlier). */
export function txnsPerSlot(spec: PlanSpec): number {
  const { rate, timeLimitSeconds, producers } = spec.workload;
  return Math.ceil(((rate * timeLimitSeconds) / producers) * 1.5) + 10;
}

export function txnPlanArbitrary(spec: PlanSpec, keys: readonly string[]): fc.Arbitrary<TxnStep[][]> {
  const micro: fc.Arbitrary<PlannedMicroOp> = fc.oneof(
    fc.constantFrom(...keys).map((k): PlannedMicroOp => ["send", k]),
    fc.constant<PlannedMicroOp>(["poll"]),
  );
  // abort decided by a uniform draw against the rate, so abortRate 0 never aborts and 1 always does.
  const step = fc
    .record({ ops: fc.array(micro, { minLength: 1, maxLength: 4 }), draw: fc.noBias(fc.integer({ min: 0, max: 999_999 })) })
    .map(({ ops, draw }): TxnStep => ({ ops, abort: draw < spec.workload.abortRate * 1_000_000 }));
  const n = txnsPerSlot(spec);
  return fc.array(fc.array(step, { minLength: n, maxLength: n }), {
    minLength: spec.workload.producers,
    maxLength: spec.workload.producers,
  });
}
