// Transactions: histories of a correct model of Kafka transactions check clean under
// read_committed (and, with only permitted anomalies, under read_uncommitted); one mutation per
// transactional rule is found with its evidence, and read_uncommitted permits the aborted read.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CheckConfig, check, explainFinding, summarize } from "../../checkers/index.ts";
import { expectCleanVerdict } from "./helpers.ts";
import { txnModelArb } from "./txn-model.ts";
import { TXN_MUTATIONS } from "./txn-mutations.ts";

const RC: CheckConfig = { isolation: "read_committed", transactional: true };
const RU: CheckConfig = { isolation: "read_uncommitted", transactional: true };

describe("histories of a correct model of Kafka transactions", () => {
  it("check clean under read_committed, given or assumed, with ok, failed and unknown transactions", () => {
    const outcomes = { ok: 0, fail: 0, info: 0 };
    let polled = 0;
    fc.assert(
      fc.property(txnModelArb("read_committed"), (m) => {
        for (const t of m.txns) outcomes[t.type]++;
        polled += m.history.filter((o) => o.f === "txn" && o.type === "ok" && JSON.stringify(o.value).includes('["poll",{"')).length;
        for (const config of [RC, {}]) {
          const r = check(m.history, config);
          expect(r.anomalyTypes).toEqual([]);
          expectCleanVerdict(r);
        }
      }),
      { numRuns: 100 },
    );
    // The generator made what the checks must survive: commits, aborts, unknowns, reads inside transactions.
    expect(Math.min(outcomes.ok, outcomes.fail, outcomes.info, polled)).toBeGreaterThan(50);
  });

  it("under read_uncommitted, are valid: aborted and own uncommitted values read, which it permits", () => {
    let g1a = 0;
    fc.assert(
      fc.property(txnModelArb("read_uncommitted"), (m) => {
        const r = check(m.history, RU);
        expect(r.forbidden).toEqual([]);
        for (const t of r.anomalyTypes) expect(["G1a", "precommitted-read"]).toContain(t);
        if (r.anomalies.G1a) {
          g1a++;
          expect(r.anomalies.G1a.reason).toMatch(/read_uncommitted: a consumer returns records of open and aborted transactions/);
        }
        expectCleanVerdict(r);
      }),
      { numRuns: 100 },
    );
    expect(g1a).toBeGreaterThan(10);
  });
});

describe("each injected transactional anomaly is found, with its evidence", () => {
  for (const { name, type, mutate } of TXN_MUTATIONS) {
    it(`${name}: ${type}`, () => {
      fc.assert(
        fc.property(txnModelArb("read_committed"), fc.nat(), (m, pick) => {
          const mutant = mutate(m, pick);
          const r = check(mutant.history, RC);
          expect(r.anomalyTypes).toContain(type);
          const allowed = [type, ...(mutant.companions ?? [])];
          for (const t of r.anomalyTypes) expect(allowed, `unexpected ${t}`).toContain(t);
          expect(r.anomalies[type]!.forbidden).toBe(true);
          expect(r.valid).toBe(false);
          mutant.verify(r);
          for (const f of r.anomalies[type]!.examples) expect(explainFinding(f)).toMatch(/op \d+/);
          expect(summarize(r)).toContain(`${type}: ${r.anomalies[type]!.count} (FORBIDDEN`);
        }),
        { numRuns: 60 },
      );
    });
  }

  it("with --ww-deps a write-read cycle between read_committed transactions stays a forbidden G1c", () => {
    const { mutate } = TXN_MUTATIONS.find((x) => x.type === "G1c")!;
    fc.assert(
      fc.property(txnModelArb("read_committed"), fc.nat(), (m, pick) => {
        const mutant = mutate(m, pick);
        const r = check(mutant.history, { ...RC, wwDeps: true });
        expect(r.anomalies.G1c?.forbidden).toBe(true);
        expect(r.valid).toBe(false);
        mutant.verify(r);
      }),
      { numRuns: 40 },
    );
  });

  it("read_uncommitted permits the aborted read (valid, G1a reported as expected) and the wr-cycle", () => {
    for (const { type, mutate } of TXN_MUTATIONS.filter((x) => x.type === "G1a" || x.type === "G1c")) {
      fc.assert(
        fc.property(txnModelArb("read_uncommitted"), fc.nat(), (m, pick) => {
          const mutant = mutate(m, pick);
          // Dirty reads of aborted values abound here: keep every example, so the mutant's is there.
          const r = check(mutant.history, RU, { exampleCap: 1e6 });
          expect(r.anomalies[type]?.forbidden).toBe(false);
          expectCleanVerdict(r);
          mutant.verify(r);
        }),
        { numRuns: 40 },
      );
    }
  });
});
