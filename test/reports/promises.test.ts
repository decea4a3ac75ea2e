// The promise table is derived from the checkers' guarantees: each promise is kept, broken (by
// which anomaly), not promised by the configuration (and why), or not tested.
import { describe, expect, it } from "vitest";
import { type AnomalyType, type CheckConfig, guaranteesFor, type Results } from "../../checkers/index.ts";
import { type PromiseStatus, promiseTable } from "../../reports/promises.ts";

const statusOf = (config: CheckConfig, found: Partial<Record<AnomalyType, number>> = {}, valid: Results["valid"] = true) => {
  const g = guaranteesFor(config);
  const anomalies = Object.fromEntries(
    Object.entries(found).map(([t, count]) => [t, { count, forbidden: g[t as AnomalyType].forbidden, reason: "", examples: [] }]),
  );
  return Object.fromEntries(promiseTable(g, { valid, anomalies }).map((r) => [r.id, r.status])) as Record<string, PromiseStatus>;
};

describe("promise table", () => {
  it("the strongest configuration promises everything; a clean run keeps it all", () => {
    const s = statusOf({
      acks: "all",
      minInsyncReplicas: 2,
      uncleanLeaderElection: false,
      idempotent: true,
      maxInFlight: 5,
      consumerMode: "assign",
    });
    expect(Object.values(s)).toEqual(Array(7).fill("kept"));
  });

  it("acks=1, not idempotent, 5 in flight: durability, order of writes and no-duplicates are not promised", () => {
    const s = statusOf({ acks: 1, idempotent: false, maxInFlight: 5 });
    expect(s).toMatchObject({
      durable: "not-promised",
      // What a consumer read was below the high watermark, on every in-sync replica: still promised.
      "read-durable": "kept",
      "write-order": "not-promised",
      "no-duplicates": "not-promised",
      "read-order": "kept",
      "committed-reads": "kept",
    });
    // Where loss is permitted, the next leader may reuse a lost record's offset.
    expect(s["one-record-per-offset"]).toBe("not-promised");
  });

  it("acks=0 promises nothing about writes; reads are still promised", () => {
    const s = statusOf({ acks: 0 });
    expect(s).toMatchObject({
      durable: "not-promised",
      "write-order": "not-promised",
      "no-duplicates": "not-promised",
      "read-order": "kept",
    });
  });

  it("unclean election: durability not promised; acks=all without it promises durability even with min.insync.replicas=1", () => {
    expect(statusOf({ acks: "all", minInsyncReplicas: 2, uncleanLeaderElection: true }).durable).toBe("not-promised");
    expect(statusOf({ acks: "all", minInsyncReplicas: 1, uncleanLeaderElection: true }).durable).toBe("not-promised");
    expect(statusOf({ acks: "all", minInsyncReplicas: 1, uncleanLeaderElection: false }).durable).toBe("kept");
    expect(statusOf({ acks: "all", minInsyncReplicas: 2, uncleanLeaderElection: true })["read-durable"]).toBe("not-promised");
  });

  it("a forbidden anomaly breaks its promise and names it; a permitted one is noted, not a break", () => {
    const g = guaranteesFor({ acks: "all", minInsyncReplicas: 2, idempotent: false, maxInFlight: 5 });
    const anomalies = {
      "lost-write": { count: 3, forbidden: true, reason: "", examples: [] },
      "nonmonotonic-send": { count: 2, forbidden: false, reason: "", examples: [] },
    };
    const rows = promiseTable(g, { valid: false, anomalies });
    const durable = rows.find((r) => r.id === "durable")!;
    expect(durable.status).toBe("broken");
    expect(durable.broken).toEqual([{ type: "lost-write", count: 3 }]);
    expect(durable.reason).toBe(g["lost-write"].reason);
    const order = rows.find((r) => r.id === "write-order")!;
    expect(order.status).toBe("not-promised");
    expect(order.permittedFound).toEqual([{ type: "nonmonotonic-send", count: 2 }]);
  });

  it("subscribe: read order is still promised within a poll (int-*), so one int-poll-skip breaks it", () => {
    const s = statusOf({ consumerMode: "subscribe" }, { "poll-skip": 4 });
    expect(s["read-order"]).toBe("kept");
    expect(statusOf({ consumerMode: "subscribe" }, { "int-poll-skip": 1 }, false)["read-order"]).toBe("broken");
  });

  it("nothing tested: promised rows say not tested", () => {
    const s = statusOf({}, {}, "unknown");
    expect(Object.values(s)).toEqual(Array(7).fill("not-tested"));
  });
});
