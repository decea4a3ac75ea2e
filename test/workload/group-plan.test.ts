import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatPreview, previewOf } from "../../harness/run/dry-run.ts";
import { faultSchedule } from "../../harness/run/fault-driver.ts";
import { parseTestSpec, type TestSpecInput } from "../../harness/spec/test-spec.ts";
import { groupIdOf, MAX_MEMBERS } from "../../harness/workload/group-plan.ts";
import { generatePlan } from "../../harness/workload/plan.ts";
import { coordinatorIdsOf } from "../../harness/workload/workload.ts";

const spec = (churn: Record<string, unknown> = { events: ["crash", "leave", "stall", "join"] }, rest: TestSpecInput = {}) =>
  parseTestSpec({ seed: 7, workload: { kind: "group", timeLimitSeconds: 60 }, consumer: { count: 3, churn }, ...rest });

describe("group workload plan", () => {
  it("same seed, same plan; another seed, another plan", () => {
    expect(generatePlan(spec())).toEqual(generatePlan(spec()));
    expect(generatePlan(parseTestSpec({ ...spec(), seed: 8 })).churn).not.toEqual(generatePlan(spec()).churn);
  });

  it("the queue's producers, consumer.count members, and the churn events in time order within the run", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.subarray(["join", "leave", "crash", "stall"] as const, { minLength: 1 }),
        fc.integer({ min: 1, max: 16 }),
        fc.double({ min: 0.5, max: 20, noNaN: true }),
        fc.integer({ min: 2, max: 120 }),
        (seed, events, count, intervalSeconds, timeLimitSeconds) => {
          const s = parseTestSpec({
            seed,
            workload: { kind: "group", timeLimitSeconds },
            consumer: { count, churn: { events: [...events], intervalSeconds } },
          });
          const plan = generatePlan(s);
          expect(plan.consumers).toBe(count);
          expect(plan.producers).toHaveLength(s.workload.producers);
          let slots = count;
          let last = 0;
          for (const e of plan.churn!) {
            expect(events).toContain(e.kind);
            expect(e.atMs).toBeGreaterThanOrEqual(last);
            expect(e.atMs).toBeLessThanOrEqual(timeLimitSeconds * 1000 - 1000);
            last = e.atMs;
            // Every event names a slot that exists then; a join adds the next one, up to the cap.
            if (e.kind === "join") expect(e.slot).toBe(slots++);
            else expect(e.slot).toBeLessThan(slots);
          }
          expect(slots).toBeLessThanOrEqual(MAX_MEMBERS);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("about one event per interval, each kind drawn", () => {
    const churn = generatePlan(spec({ events: ["crash", "leave", "stall", "join"], intervalSeconds: 2 })).churn!;
    expect(churn.length).toBeGreaterThan(20);
    expect(churn.length).toBeLessThan(60);
    expect(new Set(churn.map((e) => e.kind))).toEqual(new Set(["crash", "leave", "stall", "join"]));
  });

  it("the dry run lists the member events with their times and slots", () => {
    const s = spec({ events: ["crash", "leave"], intervalSeconds: 10 });
    const text = formatPreview(previewOf(s));
    expect(text).toContain("group t-group, member events (slot: the member it strikes):");
    for (const e of generatePlan(s).churn!) expect(text).toContain(`${(e.atMs / 1000).toFixed(1)} s  ${e.kind} slot ${e.slot}`);
    expect(formatPreview(previewOf(spec({ events: [] })))).toContain("member events (slot: the member it strikes): none");
  });

  it("no churn unless asked", () => {
    expect(generatePlan(parseTestSpec({ seed: 7, workload: { kind: "group" } })).churn).toEqual([]);
    expect(generatePlan(spec({ events: [] })).churn).toEqual([]);
  });

  it("the producers' plan is the queue workload's for the same seed", () => {
    const q = parseTestSpec({ seed: 7, workload: { timeLimitSeconds: 60 }, consumer: { count: 3 } });
    expect(generatePlan(spec({ events: [] })).producers).toEqual(generatePlan(q).producers);
  });

  it("the group is named by the spec, and group-coordinator targets aim at it", () => {
    const s = spec({}, { faults: { kinds: ["pause", "kill"], targets: ["group-coordinator"] } });
    expect(groupIdOf(s)).toBe("t-group");
    expect(coordinatorIdsOf(s)).toEqual({ groupIds: ["t-group"] });
    const targets = faultSchedule(s).flatMap((f) => ("targets" in f && f.targets ? [f.targets] : []));
    expect(targets.length).toBeGreaterThan(2);
    for (const t of targets) expect(t).toEqual({ kind: "group-coordinator", of: "t-group" });
  });
});
