// Loss below the log start (checkers/loss.ts lostBelowLogStart): acknowledged writes gone because
// the log start moved past them (retention: a clock jumped past retention.ms, deleteRecords) are
// still lost, and still judged so, but the loss says how many of them lay below where the final
// reads, asked from offset 0, began: not a replica losing them. A gap in the middle or a truncated
// tail is not that.
import { describe, expect, it } from "vitest";
import { check, type History } from "../../checkers/index.ts";
import { lossSentence } from "../../checkers/loss-summary.ts";
import { history, invoke, ok, pollOk, sendOk } from "./helpers.ts";

const marked = (workload: ReturnType<typeof invoke>[], finalReads: ReturnType<typeof invoke>[]): History =>
  history(
    invoke("harness", "workload", null),
    ...workload,
    ok("harness", "workload", null),
    invoke("harness", "final-reads", null),
    ...finalReads,
    ok("harness", "final-reads", null),
  );

const written = [
  ...sendOk(0, ["x", 1, 0], ["x", 2, 1], ["x", 3, 2], ["y", 4, 0]),
  ...pollOk(1, {
    x: [
      [0, 1],
      [1, 2],
      [2, 3],
    ],
    y: [[0, 4]],
  }),
];

describe("loss below the log start", () => {
  it("values acknowledged below where the final reads began are counted and said to be below the log start", () => {
    const r = check(marked(written, pollOk(9, { x: [[2, 3]], y: [[0, 4]] })), { acks: "all" });
    expect(r.valid).toBe(false); // still a loss: Kafka's promise covers what retention keeps
    expect(r.loss).toMatchObject({ lost: 2, belowLogStart: { count: 2, startOffsets: { x: 2 } } });
    expect(lossSentence(r.loss!)).toMatch(
      /; 2 of them below the log start \(the final reads, asked from offset 0, began at x from 2\): deleted by retention or deleteRecords, not lost by a replica$/,
    );
  });

  it("a gap in the middle or a lost tail is no log start moving", () => {
    const gap = check(
      marked(
        written,
        pollOk(9, {
          x: [
            [0, 1],
            [2, 3],
          ],
          y: [[0, 4]],
        }),
      ),
      { acks: "all" },
    );
    expect(gap.loss).toMatchObject({ lost: 1 });
    expect(gap.loss!.belowLogStart).toBeUndefined();
    const tail = check(marked(written, pollOk(9, { x: [[0, 1]], y: [[0, 4]] })), { acks: "all" });
    expect(tail.loss).toMatchObject({ lost: 2 });
    expect(tail.loss!.belowLogStart).toBeUndefined();
    expect(lossSentence(tail.loss!)).not.toMatch(/log start/);
  });
});
