// Faults as they took effect: applied (ok), refused (fail) and uncertain (info) counted apart, each
// fault ended by the undo that names its targets; check() carries the counts in its results.
import { describe, expect, it } from "vitest";
import { countFaults, faultIntervals } from "../../checkers/faults.ts";
import { check } from "../../checkers/index.ts";
import { fail, history, info, invoke, ok, pollOk, sendOk } from "./helpers.ts";

const nem = (type: "invoke" | "ok" | "info" | "fail", f: string, targets: string[], extra: object = {}) =>
  ({ invoke, ok, info, fail })[type]("nemesis", f, { targets, ...extra });

const h = history(
  nem("invoke", "kill", []),
  nem("ok", "kill", ["kafka2"], { leaderOf: "t-0" }), // 0, 1
  ...sendOk(0, ["t-0", 1, 0]), // 2, 3
  nem("invoke", "pause", []),
  nem("fail", "pause", [], { reason: "kafka2 is already faulted" }), // 4, 5
  nem("invoke", "start", []),
  nem("ok", "start", ["kafka2"]), // 6, 7
  nem("invoke", "partition", []),
  nem("info", "partition", ["kafka1"], { reason: "iptables failed on kafka3" }), // 8, 9
  nem("invoke", "bounce", []),
  nem("ok", "bounce", ["kafka1", "kafka2", "kafka3"]), // 10, 11
  nem("invoke", "heal-all", []),
  nem("ok", "heal-all", []), // 12, 13
  ...pollOk(1, { "t-0": [[0, 1]] }), // 14, 15
);

describe("faults as they took effect", () => {
  it("pairs each fault with its completion and the undo that ended it", () => {
    const { faults } = faultIntervals(h);
    expect(faults.map((f) => [f.f, f.type, f.targets, f.index, f.doneIndex, f.undoIndex ?? null])).toEqual([
      ["kill", "ok", ["kafka2"], 0, 1, 7],
      ["pause", "fail", [], 4, 5, null],
      ["partition", "info", ["kafka1"], 8, 9, 13], // may have happened: heal-all ends it too
      ["bounce", "ok", ["kafka1", "kafka2", "kafka3"], 10, 11, null],
    ]);
    expect(faults[0]!.end).toBe(70); // the start's completion time
    expect(faults[3]!.end).toBe(faults[3]!.done); // bounce ends when it completes
  });

  it("counts applied, refused and uncertain apart, in all and per kind", () => {
    expect(countFaults(faultIntervals(h).faults)).toEqual({
      applied: 2,
      effective: 0, // none said effective (checkers/effective-faults.ts decides)
      refused: 1,
      uncertain: 1,
      byKind: {
        kill: { applied: 1, effective: 0, refused: 0, uncertain: 0 },
        pause: { applied: 0, effective: 0, refused: 1, uncertain: 0 },
        partition: { applied: 0, effective: 0, refused: 0, uncertain: 1 },
        bounce: { applied: 1, effective: 0, refused: 0, uncertain: 0 },
      },
    });
  });

  it("check() results carry the counts; a history without faults counts none", () => {
    // The kill has no failover record to show it took effect; the completed rolling restart did.
    expect(check(h).faults).toMatchObject({ applied: 2, effective: 1, refused: 1, uncertain: 1, byKind: { bounce: { effective: 1 } } });
    expect(countFaults(faultIntervals(h).faults, [true, true, true, false]).byKind).toMatchObject({
      kill: { applied: 1, effective: 1 },
      pause: { effective: 0 }, // refused: never effective
      partition: { effective: 0 }, // uncertain: never effective
    });
    expect(check(history(...sendOk(0, ["t-0", 1, 0]), ...pollOk(1, { "t-0": [[0, 1]] }))).faults).toEqual({
      applied: 0,
      effective: 0,
      refused: 0,
      uncertain: 0,
      byKind: {},
    });
  });
});
