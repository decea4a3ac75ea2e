// The verdict module: the exit code (an interrupted run that is not invalid is 2) and the merge
// rule of a run's facts with the checker's results.
import { describe, expect, it } from "vitest";
import { check, type Op } from "../../checkers/index.ts";
import { NO_FINAL_READS } from "../../checkers/phases.ts";
import { exitCodeOf, judge, verdictInList, verdictName, verdictWord } from "../../checkers/verdict.ts";

const op = (index: number, process: number | string, type: Op["type"], f: string, value: unknown): Op =>
  ({ index, time: index * 1000, process, type, f, value }) as Op;

describe("verdict", () => {
  it("words and exit codes", () => {
    expect([true, false, "unknown"].map((v) => verdictWord(v as never))).toEqual(["VALID", "INVALID", "UNKNOWN"]);
    expect([true, false, "unknown"].map((v) => verdictName(v as never))).toEqual(["valid", "invalid", "unknown"]);
    expect([true, false, "unknown"].map((v) => verdictInList(v as never))).toEqual(["valid", "INVALID", "unknown"]);
    expect([true, false, "unknown"].map((valid) => exitCodeOf({ valid: valid as never }))).toEqual([0, 1, 2]);
    expect([true, false, "unknown"].map((valid) => exitCodeOf({ valid: valid as never }, true))).toEqual([2, 1, 2]);
  });

  it("judge: the run's reason replaces the history's own when its final reads did not complete", () => {
    const history = [
      op(0, "harness", "invoke", "workload", {}),
      op(1, 0, "invoke", "send", [["send", "t-0", 0]]),
      op(2, 0, "ok", "send", [["send", "t-0", [0, 0]]]),
      op(3, "harness", "info", "workload", {}),
    ];
    const r = check(history);
    expect(r.unknownReason).toBe(NO_FINAL_READS);
    expect(judge(r, { interrupted: true, unknownReason: "interrupted" }).unknownReason).toBe("interrupted");
    expect(judge(r, { interrupted: false }).unknownReason).toBe(NO_FINAL_READS);
  });
});
