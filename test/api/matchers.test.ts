// The vitest matchers on synthetic runs: Results from check() on tiny literal histories. A failure
// must name the anomaly, whether it is permitted, the first examples and the report path.
import { describe, expect, it } from "vitest";
import { check, checkHistory, type Results } from "../../index.ts";
import "../../harness/api/matchers.ts";
import { history, info, invoke, ok, pollOk, send, sendOk } from "../checkers/helpers.ts";

const report = "/tmp/store/x/20261125T000000/report.html";
const run = (results: Results) => ({ results, reportPath: report });

const clean = history(
  ...sendOk(0, ["x", 1, 0], ["x", 2, 1]),
  ...pollOk(1, {
    x: [
      [0, 1],
      [1, 2],
    ],
  }),
);
const lost = history(
  ...sendOk(0, ["x", 1, 0]),
  ...sendOk(0, ["x", 2, 1]),
  ...sendOk(0, ["x", 3, 2]),
  ...pollOk(1, { x: [[0, 1]] }),
  ...pollOk(2, { x: [[2, 3]] }),
);
const duplicated = history(
  ...sendOk(0, ["x", 1, 0]),
  ...pollOk(1, {
    x: [
      [0, 1],
      [1, 1],
    ],
  }),
);
const reordered = history(
  ...sendOk(0, ["x", 1, 1]),
  ...sendOk(0, ["x", 2, 0]),
  ...pollOk(1, {
    x: [
      [0, 2],
      [1, 1],
    ],
  }),
);

const failure = (f: () => void): string => {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the assertion to fail");
};

describe("matchers", () => {
  it("a clean run passes every matcher", () => {
    const r = run(check(clean, { acks: "all", minInsyncReplicas: 2 }));
    expect(r).toKeepAcknowledgedWrites();
    expect(r).toPreservePartitionOrder();
    expect(r).toHaveNoDuplicates();
    expect(r).toHaveNoAnomalies("lost-write", "G1a");
    expect(r).toBeValid();
  });

  it("toKeepAcknowledgedWrites names the lost write, its example and the report", () => {
    const m = failure(() => expect(run(check(lost, { acks: "all", minInsyncReplicas: 2 }))).toKeepAcknowledgedWrites());
    expect(m).toContain("expected the run to keep acknowledged writes, but it found lost-write, unseen");
    expect(m).toMatch(/lost-write: 1 \(FORBIDDEN by this configuration: /);
    expect(m).toContain('key "x": value 2 (offset 1, index 1), written by op 3');
    expect(m).toContain("loss: 1 of 3 acknowledged writes lost (33%), forbidden (acks=all, no unclean election)");
    expect(m).toContain(`report: ${report}`);
  });

  it("under acks=1 the loss is named as permitted: the run is valid but does not keep acknowledged writes", () => {
    const r = run(checkHistory(lost, { producer: { acks: 1 }, topic: { minInsyncReplicas: 1 } }));
    expect(r).toBeValid();
    expect(r).not.toKeepAcknowledgedWrites();
    expect(failure(() => expect(r).toKeepAcknowledgedWrites())).toMatch(/lost-write: 1 \(permitted by this configuration: acks=1/);
  });

  it("toBeValid lists the forbidden anomalies with examples", () => {
    const m = failure(() => expect(run(check(duplicated, { acks: "all", idempotent: true }))).toBeValid());
    expect(m).toContain("forbids: duplicate");
    expect(m).toContain('key "x": value 1 is at 2 offsets (0, 1)');
    expect(m).toContain(`report: ${report}`);
  });

  it("toHaveNoDuplicates and toPreservePartitionOrder name their anomaly", () => {
    expect(failure(() => expect(run(check(duplicated))).toHaveNoDuplicates())).toMatch(/found duplicate:\nduplicate: 1 \(/);
    const m = failure(() => expect(check(reordered)).toPreservePartitionOrder()); // bare Results work too
    expect(m).toContain("found nonmonotonic-send");
    expect(m).toContain("process 0 sent 1 to index 1 (op 1), then 2 landed before it");
    expect(m).not.toContain("report:");
  });

  it("an unknown result shows no absence: the matcher fails and says why", () => {
    const r = run({ ...check(clean), valid: "unknown", unknownReason: "final reads did not reach the end offsets within 30 s" });
    expect(failure(() => expect(r).toKeepAcknowledgedWrites())).toContain(
      "the result is unknown, so absence is not shown: final reads did not reach",
    );
    expect(failure(() => expect(r).toBeValid())).toContain("it is unknown: final reads");
  });

  it(".not failures say what was expected", () => {
    expect(failure(() => expect(run(check(clean))).not.toKeepAcknowledgedWrites())).toContain(
      "expected the run NOT to keep acknowledged writes, but it found none of lost-write, unseen, committed-lost",
    );
  });

  it("rejects what is not a run", () => {
    expect(() => expect({ valid: true }).toBeValid()).toThrow(/expect a run \(from runTest\) or the Results/);
  });
});

// A run's faults: each applied (ok) and undone; `leaderMoved` adds the failover record that shows
// the leader of x moved (what makes a fault effective), else none shows it did anything.
const nemesis = (f: string, value: object) => [invoke("nemesis", f, value), ok("nemesis", f, value)];
const withFaults = (leaderMoved: boolean) =>
  history(
    ...sendOk(0, ["x", 1, 0]),
    ...nemesis("kill", { targets: ["kafka1"] }), // 2, 3
    ...(leaderMoved ? [info("nemesis", "failover", { fault: 3, partitions: ["x"], leaderless: ["x"], leaderAfterMs: 4000 })] : []),
    ...nemesis("start", { targets: ["kafka1"] }),
    ...sendOk(0, ["x", 2, 1]),
    ...pollOk(1, {
      x: [
        [0, 1],
        [1, 2],
      ],
    }),
  );

describe("matchers that keep a run from passing vacuously", () => {
  it("toKeepAcknowledgedWrites fails, with the reason, when nothing was acknowledged", () => {
    // Every send went unknown; the reads found nothing: no loss could be shown.
    const r = run(check(history(invoke(0, "send", [send("x", 1)]), info(0, "send", [send("x", 1)]), ...pollOk(1, { x: [] }))));
    expect(failure(() => expect(r).toKeepAcknowledgedWrites())).toContain(
      "the result is unknown, so absence is not shown: nothing was acknowledged",
    );
    expect(r).not.toBeValid();
    // acks=0 keeps its verdict (nothing is promised there) but the matcher still has nothing to show.
    const acks0 = run(
      check(history(invoke(0, "send", [send("x", 1)]), ok(0, "send", [send("x", 1)]), ...pollOk(1, { x: [[0, 1]] })), { acks: 0 }),
    );
    expect(acks0).toBeValid();
    expect(failure(() => expect(acks0).toKeepAcknowledgedWrites())).toContain("but nothing was acknowledged, so no loss could be shown");
  });

  it("toKeepAcknowledgedWrites fails, with the reason, when the run planned faults and none took effect", () => {
    // Every fault refused: nothing applied, nothing effective.
    const refused = { ...run(check(clean)), faultsPlanned: 2 };
    expect(failure(() => expect(refused).toKeepAcknowledgedWrites())).toContain(
      "the run planned faults but none took effect (faults 0 applied (0 effective), 0 refused, 0 uncertain of 2 planned)",
    );
    // Applied (the docker call returned) but nothing shows it reached the data path.
    const applied = run(check(withFaults(false)));
    expect(failure(() => expect(applied).toKeepAcknowledgedWrites())).toContain("faults 1 applied (0 effective), 0 refused, 0 uncertain");
    expect(run(check(withFaults(true)))).toKeepAcknowledgedWrites();
  });

  it("toHaveEffectiveFaults counts the faults that took effect, and names applied, refused and uncertain", () => {
    expect(run(check(withFaults(true)))).toHaveEffectiveFaults(1);
    const m = failure(() => expect({ ...run(check(withFaults(false))), faultsPlanned: 3 }).toHaveEffectiveFaults(1));
    expect(m).toContain(
      "expected the run to have at least 1 effective fault(s), but it had 0: faults 1 applied (0 effective), 0 refused, 0 uncertain of 3 planned",
    );
    expect(m).toContain(`report: ${report}`);
  });

  it("toHaveExercised: floors on acknowledged writes and values the workload read", () => {
    const r = run(check(withFaults(true)));
    expect(r).toHaveExercised({ acked: 2, read: 2 });
    expect(r).toHaveExercised();
    expect(failure(() => expect(r).toHaveExercised({ acked: 3 }))).toContain(
      "to have exercised at least 3 acknowledged write(s) and 1 value(s) read, but it had 2 writes acknowledged (1 after the first effective fault), 2 values read by the workload",
    );
  });
});
