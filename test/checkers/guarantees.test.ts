// The guarantees table (checkers/guarantees.ts) against the promises docs/design.md states: which
// anomalies each configuration permits, and the strict default when a setting is left out.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ANOMALY_TYPES, type AnomalyType, type CheckConfig, guaranteesFor } from "../../checkers/index.ts";
import { checkConfigOfSpec } from "../../checkers/spec-config.ts";

const permitted = (c: CheckConfig) => ANOMALY_TYPES.filter((t) => !guaranteesFor(c)[t].forbidden).sort();
// Where loss is permitted, the next leader reuses a lost record's offset: inconsistent-offsets
// follows from the loss (measured on a real acks=1 run: 387 lost writes, 387 reused offsets).
// And the copier's input record lost before it was copied.
const LOSS: AnomalyType[] = ["lost-write", "unseen", "inconsistent-offsets", "torn-txn", "copy-loss"];
// A value a read returned was below the high watermark, on every in-sync replica: only unclean
// election can lose it, whatever acks is.
const COMMITTED_LOSS: AnomalyType[] = ["committed-lost"];
const REORDER: AnomalyType[] = ["nonmonotonic-send", "int-nonmonotonic-send"];
// A group handing a record out twice is at-least-once redelivery: no group strategy promises once.
const ALWAYS_PERMITTED: AnomalyType[] = ["int-send-skip", "G0", "G0-process", "G0-realtime", "G1c-ww", "group-duplicate"];

const configArb: fc.Arbitrary<CheckConfig> = fc.record(
  {
    acks: fc.constantFrom(0 as const, 1 as const, "all" as const),
    minInsyncReplicas: fc.integer({ min: 1, max: 3 }),
    uncleanLeaderElection: fc.boolean(),
    idempotent: fc.boolean(),
    maxInFlight: fc.integer({ min: 1, max: 10 }),
    consumerMode: fc.constantFrom("assign" as const, "subscribe" as const),
    wwDeps: fc.boolean(),
    isolation: fc.constantFrom("read_committed" as const, "read_uncommitted" as const),
    transactional: fc.boolean(),
  },
  { requiredKeys: [] },
);
/** read_uncommitted permits what reading open and aborted transactions' records gives: G1 anomalies. */
const DIRTY: AnomalyType[] = ["G1a", "precommitted-read", "G1c", "G1c-process", "G1c-realtime"];
const dirty = (c: CheckConfig) => c.isolation === "read_uncommitted" && c.transactional !== false;

describe("guarantees", () => {
  it("strict default: everything forbidden but int-send-skip, the G0 family and G1c-ww", () => {
    expect(permitted({})).toEqual([...ALWAYS_PERMITTED].sort());
    expect(guaranteesFor({})["torn-txn"].forbidden).toBe(true);
  });

  it("subscribe permits poll-skip and nonmonotonic-poll, but not within one poll", () => {
    expect(permitted({ consumerMode: "subscribe" })).toEqual([...ALWAYS_PERMITTED, "nonmonotonic-poll", "poll-skip"].sort());
  });

  it("ww-deps keeps the G1c family (write-read cycles) forbidden; only cycles through an inferred ww edge (G1c-ww) are permitted", () => {
    expect(permitted({ wwDeps: true })).toEqual([...ALWAYS_PERMITTED].sort());
    expect(guaranteesFor({ wwDeps: true })["G1c-ww"].reason).toMatch(/^--ww-deps: write-write order inferred from the log/);
  });

  it("consumer groups: loss below a commit permitted only at most once; a rewind never; order within an assignment kept", () => {
    for (const commit of ["after-sync", "after-async"] as const) {
      const g = guaranteesFor({ commit, consumerMode: "subscribe" });
      for (const t of ["group-loss", "group-rewind", "group-jump", "poll-skip", "nonmonotonic-poll"] as const)
        expect(g[t].forbidden, t).toBe(true);
      expect(g["group-loss"].reason).toMatch(/commit after processing/);
    }
    for (const commit of ["before", "auto"] as const) {
      const g = guaranteesFor({ commit, acks: "all" });
      expect(g["group-loss"].forbidden).toBe(false);
      expect(g["group-loss"].reason).toMatch(/at-most-once/);
      expect(g["group-rewind"].forbidden).toBe(true);
    }
    // A truncated log (acks=1) moves a member's position: skips and jumps then permitted, with the reason.
    const lossy = guaranteesFor({ commit: "after-sync", acks: 1 });
    for (const t of ["group-jump", "poll-skip", "nonmonotonic-poll"] as const) {
      expect(lossy[t].forbidden, t).toBe(false);
      expect(lossy[t].reason).toMatch(/^acks=1.*out of range/);
    }
    expect(lossy["group-rewind"].forbidden).toBe(true);
  });

  it("follows the table of section 7", () => {
    expect(permitted({ acks: 0 })).toEqual([...ALWAYS_PERMITTED, ...LOSS, ...REORDER, "duplicate"].sort());
    expect(permitted({ acks: 1, idempotent: false, maxInFlight: 5 })).toEqual(
      [...ALWAYS_PERMITTED, ...LOSS, ...REORDER, "duplicate"].sort(),
    );
    expect(permitted({ acks: 1, idempotent: true, maxInFlight: 5 })).toEqual([...ALWAYS_PERMITTED, ...LOSS].sort());
    expect(permitted({ acks: 1, idempotent: false, maxInFlight: 1 })).toEqual([...ALWAYS_PERMITTED, ...LOSS, "duplicate"].sort());
    // With unclean election off only an in-sync replica leads: acks=all loses nothing, whatever min.insync.replicas is.
    expect(permitted({ acks: "all", minInsyncReplicas: 1, idempotent: true })).toEqual([...ALWAYS_PERMITTED].sort());
    expect(permitted({ acks: "all", minInsyncReplicas: 1, uncleanLeaderElection: true, idempotent: true })).toEqual(
      [...ALWAYS_PERMITTED, ...LOSS, ...COMMITTED_LOSS].sort(),
    );
    expect(permitted({ acks: "all", minInsyncReplicas: 2, uncleanLeaderElection: true, idempotent: true })).toEqual(
      [...ALWAYS_PERMITTED, ...LOSS, ...COMMITTED_LOSS].sort(),
    );
    expect(permitted({ acks: "all", minInsyncReplicas: 2, uncleanLeaderElection: false, idempotent: true, maxInFlight: 5 })).toEqual(
      [...ALWAYS_PERMITTED].sort(),
    );
    expect(permitted({ acks: "all", minInsyncReplicas: 2, idempotent: true, maxInFlight: 6 })).toEqual(
      [...ALWAYS_PERMITTED, ...REORDER].sort(),
    );
  });

  it("forbids G1a and precommitted reads but under read_uncommitted transactions, always in-poll disorder, under assign read-order anomalies; inconsistent offsets and torn transactions wherever loss is", () => {
    fc.assert(
      fc.property(configArb, (c) => {
        const g = guaranteesFor(c);
        for (const t of ["G1a", "precommitted-read"] as const) expect(g[t].forbidden).toBe(!dirty(c));
        for (const t of ["G1c", "G1c-process", "G1c-realtime"] as const) expect(g[t].forbidden).toBe(!dirty(c));
        for (const t of ["int-poll-skip", "int-nonmonotonic-poll"] as const) {
          expect(g[t].forbidden).toBe(true);
        }
        expect(g["inconsistent-offsets"].forbidden).toBe(g["lost-write"].forbidden);
        expect(g["torn-txn"].forbidden).toBe(g["lost-write"].forbidden);
        if (c.consumerMode !== "subscribe") expect(g["poll-skip"].forbidden && g["nonmonotonic-poll"].forbidden).toBe(true);
        for (const t of ALWAYS_PERMITTED) expect(g[t].forbidden).toBe(false);
        for (const t of ANOMALY_TYPES) expect(g[t].reason.length).toBeGreaterThan(10);
      }),
    );
  });

  it("permits loss exactly for acks=0, acks=1 and unclean election when no power was cut: every configuration enumerated", () => {
    const opt = <T>(...xs: T[]): Array<T | undefined> => [undefined, ...xs];
    let n = 0;
    for (const acks of opt<CheckConfig["acks"]>(0, 1, "all"))
      for (const minInsyncReplicas of opt(1, 2, 3))
        for (const uncleanLeaderElection of opt(false, true))
          for (const idempotent of opt(false, true))
            for (const maxInFlight of opt(1, 5, 6)) {
              const c: CheckConfig = { acks, minInsyncReplicas, uncleanLeaderElection, idempotent, maxInFlight };
              const g = guaranteesFor(c);
              const lossPermitted = acks === 0 || acks === 1 || uncleanLeaderElection === true;
              const where = JSON.stringify(c);
              expect(
                LOSS.filter((t) => !g[t].forbidden),
                where,
              ).toEqual(lossPermitted ? LOSS : []);
              if (!lossPermitted) {
                for (const t of ["lost-write", "unseen"] as const) {
                  expect(g[t].reason, where).toMatch(/only a power-loss fault drops data a broker had not synced/);
                  expect(g[t].reason, where).toMatch(/a broken promise of Kafka or of the client library/);
                }
              }
              // Committed data: lost only by unclean election, never by acks=0/1.
              expect(g["committed-lost"].forbidden, where).toBe(uncleanLeaderElection !== true);
              if (uncleanLeaderElection !== true) {
                expect(g["committed-lost"].reason, where).toMatch(/below the high watermark, which every in-sync replica has/);
                expect(g["committed-lost"].reason, where).toMatch(/a broken promise of Kafka or of the client library/);
              }
              n++;
            }
    expect(n).toBe(4 * 4 * 3 * 3 * 4);
  });

  it("transactions under read_committed: aborted reads, lost committed writes, torn transactions and wr-cycles forbidden, each with its reason", () => {
    const c: CheckConfig = { acks: "all", minInsyncReplicas: 2, idempotent: true, isolation: "read_committed", transactional: true };
    expect(permitted(c)).toEqual([...ALWAYS_PERMITTED].sort());
    const g = guaranteesFor(c);
    expect(g.G1a.reason).toMatch(
      /read_committed: a consumer returns only records of committed transactions, so no one reads an aborted transaction's value/,
    );
    expect(g.G1c.reason).toMatch(/read_committed: .*write-read dependencies cannot form a cycle/);
    expect(g["lost-write"].reason).toMatch(/A committed transaction's sends are acknowledged writes/);
    expect(g.unseen.reason).toMatch(/A committed transaction's sends are acknowledged writes/);
    expect(g["torn-txn"].reason).toMatch(/a transaction commits all its sends or none/);
    // Left out, isolation is judged at its strongest.
    expect(permitted({ ...c, isolation: undefined })).toEqual(permitted(c));
  });

  it("transactions under read_uncommitted: aborted and uncommitted reads (and their cycles) permitted, saying why; torn transactions and loss still forbidden", () => {
    const c: CheckConfig = { acks: "all", minInsyncReplicas: 2, idempotent: true, isolation: "read_uncommitted", transactional: true };
    expect(permitted(c)).toEqual([...ALWAYS_PERMITTED, ...DIRTY].sort());
    const g = guaranteesFor(c);
    expect(g.G1a.reason).toMatch(
      /read_uncommitted: a consumer returns records of open and aborted transactions, so reading an aborted transaction's value is expected/,
    );
    for (const t of DIRTY) expect(g[t].reason).toMatch(/^read_uncommitted: /);
    // Without transactions nothing is ever aborted: a failed plain send was never appended.
    expect(permitted({ ...c, transactional: false })).toEqual([...ALWAYS_PERMITTED].sort());
    expect(guaranteesFor({ ...c, transactional: false }).G1a.reason).toMatch(/a failed send was never appended/);
  });

  it("gives the reason a setting permits something", () => {
    expect(guaranteesFor({ acks: 1 })["lost-write"].reason).toMatch(/acks=1: a leader may acknowledge before followers copy it/);
  });

  it("reads isolation and transactions from a spec, tolerantly", () => {
    const spec = {
      producer: { acks: "all", idempotent: true },
      consumer: { mode: "assign", isolation: "read_uncommitted" },
      workload: { kind: "txn" },
    };
    expect(checkConfigOfSpec(spec)).toEqual({
      acks: "all",
      idempotent: true,
      consumerMode: "assign",
      isolation: "read_uncommitted",
      transactional: true,
    });
    expect(checkConfigOfSpec({ workload: { kind: "queue" }, consumer: { isolation: "read_committed" } })).toEqual({
      transactional: false,
      isolation: "read_committed",
    });
    // A spec from before workload kinds and isolation levels: both left out (judged at their strongest).
    expect(checkConfigOfSpec({ consumer: { mode: "subscribe" }, workload: {} })).toEqual({ consumerMode: "subscribe" });
    expect(checkConfigOfSpec({ consumer: { isolation: "snapshot" }, workload: { kind: 3 } })).toEqual({});
  });
});
