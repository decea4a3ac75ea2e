import { describe, expect, it } from "vitest";
import { faultSchedule } from "../../harness/run/fault-driver.ts";
import { parseTestSpec } from "../../harness/spec/test-spec.ts";
import { generatePlan } from "../../harness/workload/plan.ts";
import { txnGroupsOf, txnIdsOf, txnsPerSlot } from "../../harness/workload/txn-plan.ts";

const spec = (workload: Record<string, unknown> = {}, rest: Record<string, unknown> = {}) =>
  parseTestSpec({ seed: 7, workload: { kind: "txn", timeLimitSeconds: 20, ...workload }, ...rest });

describe("txn workload plan", () => {
  it("same seed, same plan; another seed, another plan", () => {
    expect(generatePlan(spec())).toEqual(generatePlan(spec()));
    expect(generatePlan(parseTestSpec({ ...spec(), seed: 8 }))).not.toEqual(generatePlan(spec()));
  });

  it("one list of transactions per slot, each 1-4 send/poll micro-ops on the topic's keys", () => {
    const s = spec();
    const plan = generatePlan(s);
    expect(plan.producers).toEqual([]);
    expect(plan.transactions).toHaveLength(s.workload.producers);
    const all = plan.transactions!.flat();
    expect(all).toHaveLength(s.workload.producers * txnsPerSlot(s));
    for (const t of all) {
      expect(t.ops.length).toBeGreaterThanOrEqual(1);
      expect(t.ops.length).toBeLessThanOrEqual(4);
      for (const op of t.ops) expect(op[0] === "poll" ? op : plan.keys).toContain(op[0] === "poll" ? "poll" : op[1]);
    }
    const kinds = new Set(all.flatMap((t) => t.ops.map((o) => o[0])));
    expect(kinds).toEqual(new Set(["send", "poll"]));
    expect(new Set(all.map((t) => t.ops.length))).toEqual(new Set([1, 2, 3, 4]));
  });

  it("aborts the planned share: none at 0, all at 1, about the rate in between", () => {
    const aborted = (abortRate: number) =>
      generatePlan(spec({ abortRate }))
        .transactions!.flat()
        .filter((t) => t.abort).length;
    const total = generatePlan(spec()).transactions!.flat().length;
    expect(aborted(0)).toBe(0);
    expect(aborted(1)).toBe(total);
    expect(aborted(0.3) / total).toBeGreaterThan(0.2);
    expect(aborted(0.3) / total).toBeLessThan(0.4);
  });

  it("stable transactional ids and groups per slot, from the topic name", () => {
    expect(txnIdsOf(spec())).toEqual(["t-txn-0", "t-txn-1", "t-txn-2", "t-txn-3"]);
    expect(txnGroupsOf(spec({ producers: 2 }))).toEqual(["t-txn-group-0", "t-txn-group-1"]);
  });

  it("coordinator targets in a generated schedule name the run's ids and groups", () => {
    const s = spec(
      { timeLimitSeconds: 120 },
      { faults: { kinds: ["pause", "kill", "partition"], targets: ["txn-coordinator", "group-coordinator"] } },
    );
    const targets = faultSchedule(s).flatMap((f) => ("targets" in f && f.targets ? [f.targets] : []));
    expect(targets.length).toBeGreaterThan(3);
    for (const t of targets) {
      if (t.kind === "txn-coordinator") expect(txnIdsOf(s)).toContain(t.of);
      else if (t.kind === "group-coordinator") expect(txnGroupsOf(s)).toContain(t.of);
      else throw new Error(`unexpected target ${JSON.stringify(t)}`);
    }
    expect(new Set(targets.map((t) => t.kind))).toEqual(new Set(["txn-coordinator", "group-coordinator"]));
  });

  it("the queue workload's plan is unchanged by the txn fields", () => {
    const q = parseTestSpec({ seed: 7 });
    expect(generatePlan(q).transactions).toBeUndefined();
    expect(generatePlan(q).producers).toHaveLength(q.workload.producers);
  });
});
