// check reads transactional histories in Jepsen's EDN shape: `:f :txn`, mixed
// `:send`/`:poll` micro-ops, `nil` offsets for unknown sends. A hand-written fixture and generated
// transactional histories check exactly as their JSON Lines form.
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { check, checkHistoryFile, parseEdnHistory, readHistoryFile } from "../../checkers/index.ts";
import { opToEdn } from "./edn-print.ts";
import { txnModelArb } from "./txn-model.ts";

const fixture = (name: string) => join(import.meta.dirname, "../fixtures/histories", name);

describe("transactional EDN histories", () => {
  it("the fixture reads as its JSON Lines form and gives the same results: G1a, a torn transaction and its unseen send", async () => {
    const edn = await readHistoryFile(fixture("txn-small.edn"));
    expect(edn).toEqual(await readHistoryFile(fixture("txn-small.jsonl")));
    expect(edn[3]!.value).toEqual([["send", "x", [null, 3]]]);
    const config = { isolation: "read_committed" as const, transactional: true };
    const r = await checkHistoryFile(fixture("txn-small.edn"), config);
    expect(JSON.stringify(r)).toBe(JSON.stringify(await checkHistoryFile(fixture("txn-small.jsonl"), config)));
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(["G1a", "torn-txn", "unseen"]);
    expect(r.anomalies.G1a!.examples).toEqual([{ type: "G1a", key: "x", value: 4, offset: 2, writer: 5, reader: 7, ops: [5, 7] }]);
    expect(r.anomalies["torn-txn"]!.examples).toEqual([
      {
        type: "torn-txn",
        op: 11,
        outcome: "info",
        seen: [{ key: "z", value: 7, offset: 1, reader: 13 }],
        never: [{ key: "y", value: 6, offset: null }],
        ops: [11, 13],
      },
    ]);
    // The info transaction committed (a read_committed read returned one of its values), so each of
    // its sends counts as acknowledged: the one never read is unseen.
    expect(r.anomalies.unseen!.examples).toEqual([{ type: "unseen", key: "y", value: 6, writer: 11, ops: [11] }]);
    expect(r.stats.txns).toEqual({ ok: 2, info: 1, fail: 2 });
  });

  it("under read_uncommitted the fixture is valid: the aborted read is permitted, and a dirty read proves no unknown transaction committed", async () => {
    const r = await checkHistoryFile(fixture("txn-small.edn"), { isolation: "read_uncommitted", transactional: true });
    expect(r.anomalyTypes).toEqual(["G1a"]);
    expect(r.anomalies.G1a!.forbidden).toBe(false);
    expect(r.valid).toBe(true);
  });

  it("generated transactional histories, printed as Jepsen prints them, read back and check the same", () => {
    fc.assert(
      fc.property(txnModelArb("read_committed"), fc.boolean(), (m, tagged) => {
        const back = parseEdnHistory(m.history.map((op) => opToEdn(op, tagged)).join("\n"));
        expect(back).toEqual(m.history);
        expect(JSON.stringify(check(back))).toBe(JSON.stringify(check(m.history)));
      }),
      { numRuns: 25 },
    );
  });
});
