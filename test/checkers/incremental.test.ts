// The live check (checkers/incremental.ts) against check(): on every prefix of generated histories,
// correct ones and ones with each anomaly injected, what it reports is among what check() reports on
// the whole history; folding appended chunks gives what one pass over the prefix gives; and each
// anomaly it reports live is found once the mutation that injects it has been recorded.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { foldOps, incrementalState, LIVE_ANOMALY_TYPES, type LiveFinding, liveAnomalies } from "../../checkers/incremental.ts";
import { ANOMALY_TYPES, type CheckConfig, check, type Finding, type History, type Op } from "../../checkers/index.ts";
import { history, invoke, ok, pollOk, sendOk } from "./helpers.ts";
import { modelArb } from "./model.ts";
import { MUTATIONS } from "./mutations.ts";
import { txnModelArb } from "./txn-model.ts";
import { TXN_MUTATIONS } from "./txn-mutations.ts";

const ALL = 1e9;
const k = (x: unknown) => String(x);
const sameSet = (sub: readonly unknown[], sup: readonly unknown[]) => sub.every((x) => sup.some((y) => k(y) === k(x)));

/** The finding of check() that a live finding claims, if any. */
function claimedBy(live: LiveFinding, full: readonly Finding[]): boolean {
  return full.some((f) => {
    const g = f as Finding & Record<string, unknown>;
    if (g.type !== live.type || k(g.key) !== k(live.key)) return false;
    switch (live.type) {
      case "inconsistent-offsets":
        return g.offset === live.offset && sameSet(live.values, g.values as unknown[]);
      case "duplicate":
        return k(g.value) === k(live.value) && sameSet(live.offsets, g.offsets as unknown[]);
      case "G1a":
        return k(g.value) === k(live.value) && g.reader === live.reader;
      default:
        return g.op === live.op && k(g.prevValue) === k(live.prevValue) && k(g.value) === k(live.value);
    }
  });
}

/** Folds the history op by op; after each op (every prefix), each live finding must be one check() finds on the whole. */
function assertSoundOnEveryPrefix(h: History, config: CheckConfig = {}): void {
  const full = check(h, config, { exampleCap: ALL });
  const s = incrementalState(config);
  for (const op of h) {
    foldOps(s, [op]);
    for (const live of s.findings.values()) {
      const found = full.anomalies[live.type]?.examples ?? [];
      expect(claimedBy(live, found), `live ${JSON.stringify(live)} after op ${op.index} is not among check()'s`).toBe(true);
    }
  }
}

/** Chunk boundaries within a history of length n. */
const cutsArb = fc.array(fc.nat(), { maxLength: 6 });

function assertChunksEqualOnePass(h: History, cuts: number[], config: CheckConfig = {}): void {
  const bounds = [...new Set(cuts.map((c) => c % (h.length + 1)))].sort((a, b) => a - b);
  const chunked = incrementalState(config);
  let from = 0;
  for (const to of [...bounds, h.length]) {
    foldOps(chunked, h.slice(from, to));
    from = to;
  }
  const once = foldOps(incrementalState(config), h);
  expect([...chunked.findings.entries()]).toEqual([...once.findings.entries()]);
  expect(liveAnomalies(chunked, ALL)).toEqual(liveAnomalies(once, ALL));
}

describe("the live check is sound on every prefix", () => {
  it("correct histories: nothing live that check() does not find (plain sends)", () => {
    fc.assert(
      fc.property(modelArb, cutsArb, (m, cuts) => {
        assertSoundOnEveryPrefix(m.history);
        assertChunksEqualOnePass(m.history, cuts);
      }),
      { numRuns: 100 },
    );
  });

  for (const isolation of ["read_committed", "read_uncommitted"] as const) {
    it(`correct transactional histories under ${isolation}`, () => {
      fc.assert(
        fc.property(txnModelArb(isolation), cutsArb, (m, cuts) => {
          const config: CheckConfig = { isolation, transactional: true };
          assertSoundOnEveryPrefix(m.history, config);
          assertChunksEqualOnePass(m.history, cuts, config);
        }),
        { numRuns: 60 },
      );
    });
  }

  for (const type of ANOMALY_TYPES) {
    it(`${type} injected`, () => {
      fc.assert(
        fc.property(modelArb, fc.nat(), cutsArb, (m, pick, cuts) => {
          const mutant = MUTATIONS[type](m, pick);
          assertSoundOnEveryPrefix(mutant.history, mutant.config);
          assertChunksEqualOnePass(mutant.history, cuts, mutant.config);
        }),
        { numRuns: 40 },
      );
    });
  }

  for (const { name, mutate } of TXN_MUTATIONS) {
    for (const isolation of ["read_committed", "read_uncommitted"] as const) {
      it(`transactions, ${name} (${isolation})`, () => {
        fc.assert(
          fc.property(txnModelArb(isolation), fc.nat(), (m, pick) => {
            const mutant = mutate(m, pick);
            assertSoundOnEveryPrefix(mutant.history, { isolation, transactional: true, ...mutant.config });
          }),
          { numRuns: 40 },
        );
      });
    }
  }
});

describe("each anomaly it reports live is found live", () => {
  for (const type of LIVE_ANOMALY_TYPES) {
    it(type, () => {
      fc.assert(
        fc.property(modelArb, fc.nat(), (m, pick) => {
          const mutant = MUTATIONS[type](m, pick);
          const s = foldOps(incrementalState(mutant.config), mutant.history);
          expect(liveAnomalies(s).counts[type] ?? 0).toBeGreaterThan(0);
        }),
        { numRuns: 40 },
      );
    });
  }
});

describe("the live check's rules, by example", () => {
  it("an unknown transaction's value read under read_uncommitted is not placed until it commits", () => {
    // Two values at offset 0 of t-0: one from a transaction still open when it was read. If it
    // aborts, check() leaves it out of the log and there is no inconsistent offset.
    const h = history(invoke(1, "txn", [["send", "t-0", 1]]), ...sendOk(2, ["t-0", 2, 0]), ...pollOk(3, { "t-0": [[0, 1]] }));
    const s = foldOps(incrementalState({ transactional: true }), h);
    expect(s.findings.size).toBe(0);
    foldOps(s, [{ index: h.length, time: 0, ...ok(1, "txn", [["send", "t-0", [0, 1]]]) } as Op]);
    expect([...s.findings.values()].map((f) => f.type)).toEqual(["inconsistent-offsets"]);
  });

  it("a skip is a gap over an offset known to hold a record", () => {
    const h = history(
      ...sendOk(1, ["t-0", 10, 0], ["t-0", 11, 1], ["t-0", 12, 2]),
      ...pollOk(2, {
        "t-0": [
          [0, 10],
          [2, 12],
        ],
      }),
    );
    const a = liveAnomalies(foldOps(incrementalState(), h));
    expect(a.counts).toEqual({ "int-poll-skip": 1 });
    expect(a.examples["int-poll-skip"]?.[0]).toMatchObject({ key: "t-0", prevValue: 10, value: 12, prevOffset: 0, offset: 2 });
  });
});
