// The copy workload's plan and the places that branch on the kind without a client library: the
// crash schedule from the seed, the coordinator ids the nemesis may aim at, the run's topics and
// the final reads' keys.
import { describe, expect, it } from "vitest";
import { mergeFinalReads } from "../../harness/clients/final-reads.ts";
import { parseTestSpec } from "../../harness/spec/test-spec.ts";
import { generatePlan } from "../../harness/workload/plan.ts";
import { coordinatorIdsOf, finalReadKeysOf, topicsOf } from "../../harness/workload/workload.ts";

const spec = parseTestSpec({
  seed: 11,
  topic: { name: "in", partitions: 2 },
  workload: { kind: "copy", timeLimitSeconds: 20, copy: { copiers: 3, crashes: 4 } },
});

describe("the copy workload's plan", () => {
  it("the queue's producers for the input, no plain consumers, and the copiers' crashes from the seed, in time order within 10-60% of the run", () => {
    const plan = generatePlan(spec);
    expect(plan.producers.length).toBe(spec.workload.producers);
    expect(plan.consumers).toBe(0);
    expect(plan.copierCrashes).toHaveLength(4);
    const at = plan.copierCrashes!.map((c) => c.atMs);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    for (const c of plan.copierCrashes!) {
      expect(c.atMs).toBeGreaterThanOrEqual(2000);
      expect(c.atMs).toBeLessThanOrEqual(12_000);
      expect(c.copier).toBeLessThan(3);
    }
    expect(generatePlan(spec)).toEqual(plan);
  });

  it("fills in the copiers, reads through a group, and names the copiers' ids and group for the coordinator faults", () => {
    expect(parseTestSpec({ workload: { kind: "copy" } }).workload.copy).toEqual({
      copiers: 2,
      transactional: true,
      crashes: 2,
      holdDeliveries: true,
    });
    expect(spec.consumer.mode).toBe("subscribe");
    expect(coordinatorIdsOf(spec)).toEqual({ transactionalIds: ["in-copier-0", "in-copier-1", "in-copier-2"], groupIds: ["in-copiers"] });
    expect(() => parseTestSpec({ workload: { kind: "queue", copy: {} } })).toThrow(/workload.copy: needs workload.kind "copy"/);
    // @platformatic/kafka's and librdkafka's copiers read their own partitions: judged as assigned readers.
    expect(parseTestSpec({ client: "platformatic", workload: { kind: "copy" } }).consumer.mode).toBe("assign");
    expect(parseTestSpec({ client: "confluent", workload: { kind: "copy" } }).consumer.mode).toBe("assign");
    expect(() =>
      parseTestSpec({ workload: { kind: "copy" }, faults: { kinds: ["pause"], targets: ["txn-coordinator", "group-coordinator"] } }),
    ).not.toThrow();
  });

  it("its topics are the input and `<topic>.out`, and the final reads read the keys of both", () => {
    expect(topicsOf(spec)).toEqual(["in", "in.out"]);
    expect(finalReadKeysOf(spec, generatePlan(spec))).toEqual([
      { topic: "in", keys: ["in-0", "in-1"] },
      { topic: "in.out", keys: ["in.out-0", "in.out-1"] },
    ]);
    expect(topicsOf(parseTestSpec({}))).toEqual(["t"]);
  });

  it("the final reads of both topics make one result, complete when both are", () => {
    const a = { complete: true, endOffsets: { "in-0": 3 }, reached: { "in-0": 3 }, seconds: 1 };
    const b = { complete: false, endOffsets: { "in.out-0": 5 }, reached: { "in.out-0": 2 }, seconds: 2, reason: "short" };
    expect(mergeFinalReads([a, b])).toEqual({
      complete: false,
      endOffsets: { "in-0": 3, "in.out-0": 5 },
      reached: { "in-0": 3, "in.out-0": 2 },
      seconds: 3,
      reason: "short",
    });
    expect(mergeFinalReads([a])).toBe(a);
  });
});
