// The group workload's plan (workload.kind "group"): the queue workload's producer plan, and the
// member events (consumer.churn) at their times, each aimed at one member slot. Plain data from the
// spec's seed: same seed, same plan. A slot is one place in the group: its member is replaced by a
// new process when it crashes or leaves, so the group keeps its size; a join adds a slot.
import fc from "fast-check";
import type { TestSpec } from "../spec/test-spec.ts";

export type ChurnKind = "join" | "leave" | "crash" | "stall";

export interface ChurnEvent {
  /** From the workload's start. */
  atMs: number;
  kind: ChurnKind;
  /** The member slot it strikes (join: the slot it adds). */
  slot: number;
}

/** The most members a group reaches through joins (the spec's consumer.count at most). */
export const MAX_MEMBERS = 16;

type PlanSpec = Pick<TestSpec, "topic" | "workload" | "consumer">;

/** The group's id: named by the spec, so a fault schedule's group-coordinator target can aim at it. */
export const groupIdOf = (spec: Pick<TestSpec, "topic">): string => `${spec.topic.name}-group`;

/** The member events of a run: gaps of 0.5 to 1.5 times the mean interval, none in the last
 *  second (a member replaced then would have no time to join). */
export function churnArbitrary(spec: PlanSpec): fc.Arbitrary<ChurnEvent[]> {
  const churn = spec.consumer.churn;
  const kinds = churn?.events ?? [];
  if (!churn || kinds.length === 0) return fc.constant([]);
  const meanMs = churn.intervalSeconds * 1000;
  const endMs = spec.workload.timeLimitSeconds * 1000 - 1000;
  const n = Math.max(0, Math.ceil(endMs / (meanMs / 2)));
  const step = fc.record({
    gap: fc.integer({ min: Math.round(meanMs / 2), max: Math.round(meanMs * 1.5) }),
    kind: fc.constantFrom(...kinds),
    draw: fc.nat({ max: 1_000_000 }),
  });
  return fc.array(step, { minLength: n, maxLength: n }).map((steps) => {
    const events: ChurnEvent[] = [];
    let at = 0;
    let slots = spec.consumer.count;
    for (const s of steps) {
      at += s.gap;
      if (at > endMs) break;
      if (s.kind === "join") {
        if (slots >= MAX_MEMBERS) continue;
        events.push({ atMs: at, kind: "join", slot: slots++ });
      } else {
        events.push({ atMs: at, kind: s.kind, slot: s.draw % slots });
      }
    }
    return events;
  });
}
