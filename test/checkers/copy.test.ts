// The copier's checks (checkers/copy.ts): correct copy histories of both modes check clean (their
// permitted duplicates aside), the promise table judges copy-loss and copy-duplicate by the mode,
// and an output value at two offsets stays the idempotent producer's `duplicate`, forbidden in both
// modes. Injected loss and duplicates, with their evidence: mutations.ts (mutations.test.ts).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { COPY_ATTEMPTS, copiedFrom, copyValue, outputKeyOf } from "../../checkers/copy.ts";
import { check, guaranteesFor, type Op } from "../../checkers/index.ts";
import { copyHistoryOf, copyPlanArb } from "./copy-model.ts";
import { modelArb } from "./model.ts";

describe("copy values and keys", () => {
  it("an output value names its input value and attempt", () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(COPY_ATTEMPTS - 1), (v, a) => {
        expect(copiedFrom(copyValue(v, a))).toEqual({ value: v, attempt: a });
      }),
    );
    expect(() => copyValue(1, COPY_ATTEMPTS)).toThrow(/at most/);
    expect(outputKeyOf("t-2")).toBe("t.out-2");
    expect(outputKeyOf("my-topic.x-10")).toBe("my-topic.x.out-10");
  });
});

describe("correct copy histories", () => {
  it("check clean: every input record copied once; at-least-once re-copies are copy-duplicate, permitted", () => {
    fc.assert(
      fc.property(modelArb, copyPlanArb, (m, plan) => {
        const c = copyHistoryOf(m, plan);
        const r = check(c.history, { copy: plan.mode });
        expect(r.anomalyTypes).not.toContain("copy-loss");
        // Aborted attempts (transactional) are no copies; at-least-once extra copies are.
        const extraCopies = c.outputOffsets.filter((o) => o.length > 1).length;
        if (plan.mode === "transactional" || extraCopies === 0) expect(r.anomalyTypes).toEqual([]);
        else {
          expect(r.anomalyTypes).toEqual(["copy-duplicate"]);
          expect(r.anomalies["copy-duplicate"]!.count).toBe(extraCopies);
          expect(r.anomalies["copy-duplicate"]!.forbidden).toBe(false);
        }
        expect(r.valid).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it("without a copy mode nothing is judged as a copy", () => {
    fc.assert(
      fc.property(modelArb, (m) => {
        const c = copyHistoryOf(m, { mode: "transactional", extra: [0] }, 0);
        expect(check(c.history).anomalyTypes).toEqual([]);
      }),
      { numRuns: 20 },
    );
  });
});

describe("the promises", () => {
  it("copy-loss is forbidden in both modes except where the input may lose records; copy-duplicate only when transactional", () => {
    for (const copy of ["transactional", "at-least-once"] as const) {
      expect(guaranteesFor({ copy })["copy-loss"].forbidden).toBe(true);
      expect(guaranteesFor({ copy, acks: 1 })["copy-loss"]).toMatchObject({ forbidden: false, reason: expect.stringMatching(/acks=1/) });
      expect(guaranteesFor({ copy, uncleanLeaderElection: true })["copy-loss"].forbidden).toBe(false);
    }
    expect(guaranteesFor({ copy: "transactional" })["copy-duplicate"]).toMatchObject({
      forbidden: true,
      reason: expect.stringMatching(/transaction/),
    });
    expect(guaranteesFor({ copy: "at-least-once" })["copy-duplicate"]).toMatchObject({
      forbidden: false,
      reason: expect.stringMatching(/^at-least-once copier/),
    });
  });
});

/** A tiny copy history by hand: input t-0 holds 7 at offset 0; the copies given go to t.out-0. */
function tiny(copies: Array<[offset: number, value: number]>, outputReads: Array<[number, number]>, marked = false): Op[] {
  const h: Op[] = [];
  const add = (o: Omit<Op, "index" | "time">) => h.push({ index: h.length, time: h.length, ...o } as Op);
  if (marked) add({ process: "harness", type: "invoke", f: "workload", value: {} });
  add({ process: 0, type: "invoke", f: "send", value: [["send", "t-0", 7]] });
  add({ process: 0, type: "ok", f: "send", value: [["send", "t-0", [0, 7]]] });
  for (const [i, [offset, value]] of copies.entries()) {
    // One copier each (a copier that copied a record again would read back: nonmonotonic-poll).
    add({ process: 10 + i, type: "invoke", f: "txn", value: [["poll"]] });
    add({
      process: 10 + i,
      type: "ok",
      f: "txn",
      value: [
        ["poll", { "t-0": [[0, 7]] }],
        ["send", "t.out-0", [offset, value]],
      ],
    });
  }
  if (marked) {
    add({ process: "harness", type: "ok", f: "workload", value: {} });
    add({ process: "harness", type: "invoke", f: "final-reads", value: { keys: ["t-0", "t.out-0"] } });
  }
  add({ process: 2, type: "invoke", f: "poll", value: [["poll"]] });
  add({ process: 2, type: "ok", f: "poll", value: [["poll", { "t-0": [[0, 7]], "t.out-0": outputReads }]] });
  return h;
}

describe("the output's own duplicate", () => {
  it("one attempt at two output offsets is `duplicate` (the copier's producer is idempotent), forbidden in both modes, besides copy-duplicate", () => {
    const v = copyValue(7, 0);
    const h = tiny(
      [[0, v]],
      [
        [0, v],
        [1, v],
      ],
    );
    for (const copy of ["transactional", "at-least-once"] as const) {
      const r = check(h, { copy, idempotent: true });
      expect(r.anomalies.duplicate).toMatchObject({ count: 1, forbidden: true });
      expect(r.anomalies["copy-duplicate"]).toMatchObject({ count: 1, forbidden: copy === "transactional" });
      expect(r.anomalies["copy-duplicate"]!.examples[0]).toMatchObject({ key: "t-0", value: 7, outputOffsets: [0, 1] });
    }
  });

  it("two attempts of one record are no `duplicate`: copy-duplicate alone, permitted at-least-once", () => {
    const h = tiny(
      [
        [0, copyValue(7, 0)],
        [1, copyValue(7, 1)],
      ],
      [
        [0, copyValue(7, 0)],
        [1, copyValue(7, 1)],
      ],
    );
    const alo = check(h, { copy: "at-least-once", idempotent: true });
    expect(alo.anomalyTypes).toEqual(["copy-duplicate"]);
    expect(alo.valid).toBe(true);
    expect(alo.anomalies["copy-duplicate"]!.examples[0]).toMatchObject({ outputValues: [7000, 7001], copiers: [3, 5] });
    expect(check(h, { copy: "transactional" }).valid).toBe(false);
  });
});

describe("copy-loss needs the whole output", () => {
  it("is reported only after complete final reads", () => {
    // A marked history whose final reads never completed: a missing copy is not decidable.
    const open = tiny([], [], true);
    expect(check(open, { copy: "transactional" }).anomalyTypes).not.toContain("copy-loss");
    const done = tiny([], [], true);
    done.push({ index: done.length, time: done.length, process: "harness", type: "ok", f: "final-reads", value: {} } as Op);
    const r = check(done, { copy: "transactional" });
    expect(r.anomalies["copy-loss"]!.examples[0]).toMatchObject({ key: "t-0", value: 7, outputOffsets: [], writer: 2, acknowledged: true });
    expect(r.valid).toBe(false);
  });
});
