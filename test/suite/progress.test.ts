// A suite's progress lines: run k of n with the time left, and each run's result in one line.
import { describe, expect, it } from "vitest";
import type { ScenarioRun } from "../../harness/suite/judge.ts";
import { eta, runHeader, runResultLine } from "../../harness/suite/progress.ts";

const run = (over: Partial<ScenarioRun> = {}): ScenarioRun => ({
  seed: 1,
  dir: "store/x/1",
  valid: true,
  ops: 100,
  sendsOk: 50,
  exercised: { acknowledged: 1340, acknowledgedAfterFault: 900, read: 1200 },
  loss: { acknowledged: 1340, lost: 272, readBeforeLost: 0, undecided: 0, permitted: true, reason: "acks=1: a leader may acknowledge…" },
  anomalies: { unseen: 272 },
  forbidden: [],
  faultsPlanned: 3,
  faults: { applied: 3, effective: 2, refused: 1, uncertain: 0, byKind: {} },
  ...over,
});

describe("suite progress", () => {
  it("says which run of how many: a detection that may go on says up to how many", () => {
    expect(runHeader(2, 10, "acks1-leader-killed", 1, { min: 1, max: 3 })).toBe("[3/10] acks1-leader-killed run 1 (up to 3)");
    expect(runHeader(0, 10, "acks-all-minisr2", 1, { min: 1, max: 1 })).toBe("[1/10] acks-all-minisr2 run 1");
    expect(runHeader(4, 10, "retries", 2, { min: 3, max: 3 })).toBe("[5/10] retries run 2 of 3");
  });

  it("estimates the time left from the runs so far, and says nothing before the first", () => {
    expect(eta([], 5)).toBe("");
    expect(eta([60, 70], 4)).toBe(", ~4 min 20 s left");
    expect(eta([60, 70], 4, 2)).toBe(", ~2 min 10 s left"); // two lanes side by side
    expect(eta([30], 1)).toBe(", ~30 s left");
  });

  it("gives each run's verdict, loss and faults in one line", () => {
    expect(runResultLine(run(), 61.4)).toBe(
      "VALID: 272 of 1,340 acknowledged writes lost (20%), permitted by acks=1; faults 3 applied, 2 effective, 1 refused; 61 s",
    );
    const invalid = run({
      valid: false,
      forbidden: ["unseen"],
      loss: { ...run().loss!, permitted: false, reason: "acks=all, no unclean election: …" },
    });
    expect(runResultLine(invalid, 40)).toMatch(
      /^INVALID \(forbidden unseen\): 272 of 1,340 .* forbidden \(acks=all, no unclean election\); faults/,
    );
    expect(runResultLine(run({ faults: { applied: 0, effective: 0, refused: 0, uncertain: 0, byKind: {} } }), 3)).toMatch(
      /; no faults; 3 s$/,
    );
  });
});
