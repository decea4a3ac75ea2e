// The promise under power cuts: loss is permitted exactly where every in-sync replica of the lost
// write's partition lost power together after the write was acknowledged, and not when every
// replica syncs each message (log.flush.interval.messages=1).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FaultInterval } from "../../checkers/faults.ts";
import { guaranteesFor } from "../../checkers/guarantees.ts";
import { powerCutOf } from "../../checkers/power-cut.ts";

/** A cut completed at `done`, its power back (power-on completed) 50 ns later. */
const cut = (done: number, wholeIsrCut: string[], f = "power-loss"): FaultInterval => ({
  f,
  targets: ["kafka1"],
  value: { wholeIsrCut },
  type: "ok",
  start: done - 10,
  done,
  end: done + 50,
  index: 0,
  doneIndex: 1,
});
const KEYS = ["t-0", "t-1", "t-2"];
const lostArb = fc.array(fc.record({ key: fc.constantFrom(...KEYS), time: fc.integer({ min: 0, max: 1000 }) }), {
  minLength: 1,
  maxLength: 8,
});
const cutArb = fc.record({ done: fc.integer({ min: 0, max: 1000 }), keys: fc.subarray(KEYS) });

describe("power cuts against lost writes", () => {
  it("no power-loss fault: no judgement (other faults do not count)", () => {
    expect(powerCutOf([cut(5, ["t-0"], "kill")], [{ key: "t-0", time: 1 }])).toBeUndefined();
  });

  it("covers the loss exactly when each lost write's partition had its whole ISR cut by a cut whose power came back after the write's acknowledgement", () => {
    fc.assert(
      fc.property(lostArb, fc.array(cutArb, { minLength: 1, maxLength: 4 }), (lost, cuts) => {
        const r = powerCutOf(
          cuts.map((c) => cut(c.done, c.keys)),
          lost,
        )!;
        const covered = lost.every((l) => cuts.some((c) => l.time <= c.done + 50 && c.keys.includes(l.key)));
        expect(r.kind).toBe(covered ? "whole-isr" : "partial");
        if (r.kind === "partial") {
          const u = r.uncovered!;
          expect(cuts.some((c) => u.time <= c.done + 50 && c.keys.includes(u.key))).toBe(false);
        }
      }),
    );
  });

  it("a write acknowledged after the cut op completed but before the power came back is the cut's; one acknowledged after is not", () => {
    // While the whole ISR is down nothing is appended: an acknowledgement completing then is of a
    // write appended before the cut (the broker sends acks until it dies, the client's op ends later).
    expect(powerCutOf([cut(100, ["t-0"])], [{ key: "t-0", time: 120 }])?.kind).toBe("whole-isr");
    expect(powerCutOf([cut(100, ["t-0"])], [{ key: "t-0", time: 151 }])).toEqual({ kind: "partial", uncovered: { key: "t-0", time: 151 } });
    // A cut still in force at the end of the history covers what came after it.
    expect(powerCutOf([{ ...cut(100, ["t-0"]), end: undefined }], [{ key: "t-0", time: 500 }])?.kind).toBe("whole-isr");
  });

  it("a cut whose ISR the nemesis could not read, or an uncertain one, covers every partition (unsure: not called a broken promise); a refused one none", () => {
    const unknown: FaultInterval = { ...cut(100, []), value: { isrUnknown: "no broker answered" } };
    expect(powerCutOf([unknown], [{ key: "t-2", time: 5 }])?.kind).toBe("whole-isr");
    const uncertain: FaultInterval = { ...cut(100, []), type: "info", value: { targets: ["kafka1"], reason: "kill failed" } };
    expect(powerCutOf([uncertain], [{ key: "t-2", time: 5 }])?.kind).toBe("whole-isr");
    expect(powerCutOf([{ ...uncertain, type: "fail" }], [{ key: "t-2", time: 5 }])).toBeUndefined();
  });

  describe("KRaft's eligible leader replicas (ELR) at the cut", () => {
    /** t-0's whole ISR cut, kafka2 an ELR member that kept its power. */
    const elrCut = (kept: string[] = ["kafka2"]): FaultInterval => ({
      ...cut(100, ["t-0"]),
      value: { wholeIsrCut: ["t-0"], elrKeptPower: { "t-0": kept } },
    });
    const fault = (f: string, targets: string[], o: Partial<FaultInterval> = {}): FaultInterval => ({
      ...cut(50, []),
      f,
      targets,
      value: {},
      ...o,
    });
    const lostT0 = [{ key: "t-0", time: 90 }];

    it("an ELR member that kept its power and only ever shut down cleanly held the write: the loss is not the cut's", () => {
      expect(powerCutOf([elrCut()], lostT0)).toEqual({ kind: "partial", uncovered: lostT0[0], eligible: ["kafka2"] });
      // A clean stop (completed within the grace period), a pause, a network cut: still clean.
      const clean = [fault("stop", ["kafka2"]), fault("pause", ["kafka2"]), fault("partition", ["kafka2", "kafka3"])];
      expect(powerCutOf([elrCut(), ...clean], lostT0)?.kind).toBe("partial");
    });

    it("an ELR member that may have shut down uncleanly (killed, its disk failed, a stop past the grace period, an uncertain stop) does not hold it: the cut covers the loss", () => {
      const unclean = [
        fault("kill", ["kafka2"]),
        fault("log-dir-failure", ["kafka2"]),
        fault("stop", ["kafka2"], { start: 0, done: 30e9 }),
        fault("stop", ["kafka2"], { type: "info" }),
        fault("bounce", ["kafka2"]),
      ];
      for (const u of unclean) expect(powerCutOf([elrCut(), u], lostT0)?.kind, u.f).toBe("whole-isr");
      // A refused fault did nothing; a fault on another broker does not count.
      expect(powerCutOf([elrCut(), fault("kill", ["kafka2"], { type: "fail" })], lostT0)?.kind).toBe("partial");
      expect(powerCutOf([elrCut(), fault("kill", ["kafka3"])], lostT0)?.kind).toBe("partial");
    });

    it("an ELR recorded for another partition, or none kept its power, leaves the ISR rule alone", () => {
      expect(powerCutOf([{ ...elrCut(), value: { wholeIsrCut: ["t-0"], elrKeptPower: { "t-1": ["kafka2"] } } }], lostT0)?.kind).toBe(
        "whole-isr",
      );
      expect(powerCutOf([{ ...elrCut(), value: { wholeIsrCut: ["t-0"] } }], lostT0)?.kind).toBe("whole-isr");
    });

    it("the forbidden reason names the ELR members that held the write", () => {
      const g = guaranteesFor({ acks: "all" }, { powerCut: powerCutOf([elrCut()], lostT0) });
      expect(g["lost-write"].forbidden).toBe(true);
      expect(g["lost-write"].reason).toMatch(/eligible leader replicas kafka2 kept theirs and had no unclean shutdown/);
    });
  });
});

describe("the promise table under power cuts", () => {
  const whole = { powerCut: { kind: "whole-isr" as const, partitions: ["t-0"] } };
  it("acks=all, whole ISR cut: loss permitted, the reason says why (memory, not disk)", () => {
    const g = guaranteesFor({ acks: "all" }, whole);
    for (const t of ["lost-write", "unseen", "committed-lost"] as const) {
      expect(g[t].forbidden, t).toBe(false);
      expect(g[t].reason).toMatch(/every in-sync replica of t-0 lost power together.*not on disk/);
    }
  });

  it("log.flush.interval.messages=1: loss forbidden even under a whole-ISR cut, and the reason says so", () => {
    const g = guaranteesFor({ acks: "all", flushMessages: 1 }, whole);
    expect(g["lost-write"].forbidden).toBe(true);
    expect(g["lost-write"].reason).toMatch(/log.flush.interval.messages=1/);
  });

  it("a cut that left one in-sync replica powered: loss forbidden, the reason names the partition", () => {
    const g = guaranteesFor({ acks: "all" }, { powerCut: { kind: "partial", uncovered: { key: "t-1", time: 3 } } });
    expect(g.unseen.forbidden).toBe(true);
    expect(g.unseen.reason).toMatch(/never of every in-sync replica of t-1/);
  });

  it("no cut: the old promise, which says only power loss drops unsynced data", () => {
    const g = guaranteesFor({ acks: "all" });
    expect(g["lost-write"].forbidden).toBe(true);
    expect(g["lost-write"].reason).toMatch(/only a power-loss fault drops data/);
  });
});
