// Loss stated plainly: every result says how many acknowledged writes were lost, of how many, and
// whether the configuration permits it, whatever the verdict.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { verdictLine } from "../../checkers/explain.ts";
import { check } from "../../checkers/index.ts";
import { lossOf, lossSentence, lossState, lostShare } from "../../checkers/loss-summary.ts";
import { history, invoke, ok, pollOk, sendOk } from "./helpers.ts";

const harness = (type: "invoke" | "ok", f: string) => (type === "invoke" ? invoke("harness", f, null) : ok("harness", f, null));
const marked = (workload: ReturnType<typeof sendOk>, final: ReturnType<typeof pollOk>) =>
  history(
    harness("invoke", "workload"),
    ...workload,
    harness("ok", "workload"),
    harness("invoke", "final-reads"),
    ...final,
    harness("ok", "final-reads"),
  );

// Three values acknowledged at offsets 0-2; the final reads return only the first.
const sends = [...sendOk(0, ["x", 1, 0]), ...sendOk(0, ["x", 2, 1]), ...sendOk(0, ["x", 3, 2])];

describe("loss summary", () => {
  it("counts what the complete final reads miss, and says acks=1 permits it", () => {
    const r = check(marked(sends, pollOk(9, { x: [[0, 1]] })), { acks: 1, minInsyncReplicas: 1 });
    expect(r.valid).toBe(true);
    expect(r.loss).toMatchObject({ acknowledged: 3, lost: 2, permitted: true, undecided: 0 });
    expect(verdictLine(r)).toBe("VALID: 2 of 3 acknowledged writes lost (67%), permitted by acks=1");
    expect(lossState(r.valid, r.loss)).toBe("permitted-loss");
  });

  it("under acks=0, where nothing is acknowledged, counts the loss of the writes sent", () => {
    const r = check(marked(sends, pollOk(9, { x: [[0, 1]] })), { acks: 0, minInsyncReplicas: 1 });
    expect(r.exercised?.acknowledged).toBe(3); // offsets recorded here; a real acks=0 send has none
    expect(r.loss).toMatchObject({ basis: "sent", lost: 2, acknowledged: 3, permitted: true });
    expect(lossSentence(r.loss!)).toBe("2 of 3 sent writes lost (67%), permitted by acks=0");
  });

  it("names the broken promise when the loss is forbidden", () => {
    const r = check(marked(sends, pollOk(9, { x: [[0, 1]] })), { acks: "all", minInsyncReplicas: 2 });
    expect(r.valid).toBe(false);
    expect(lossSentence(r.loss!)).toBe("2 of 3 acknowledged writes lost (67%), forbidden (acks=all, no unclean election)");
  });

  it("counts a value read before it was gone, and says so", () => {
    const read = [
      ...sends,
      ...pollOk(1, {
        x: [
          [0, 1],
          [1, 2],
        ],
      }),
    ];
    const r = check(marked(read, pollOk(9, { x: [[0, 1]] })), { acks: 1, minInsyncReplicas: 1 });
    expect(r.loss).toMatchObject({ lost: 2, readBeforeLost: 1, permitted: false });
    expect(lossSentence(r.loss!)).toMatch(/^2 of 3 acknowledged writes lost \(67%\), 1 of them after a consumer had read them, forbidden/);
  });

  it("says nothing was lost, and what was not decided when the final reads fell short", () => {
    const clean = check(
      marked(
        sends,
        pollOk(9, {
          x: [
            [0, 1],
            [1, 2],
            [2, 3],
          ],
        }),
      ),
      {},
    );
    expect(lossSentence(clean.loss!)).toBe("nothing lost (0 of 3 acknowledged writes)");
    expect(lossState(clean.valid, clean.loss)).toBe("clean");
    const short = history(harness("invoke", "workload"), ...sends, ...pollOk(1, { x: [[0, 1]] }), harness("ok", "workload"));
    const r = check(short, {});
    expect(r.valid).toBe("unknown");
    expect(r.loss).toMatchObject({ lost: 0, undecided: 2 });
    expect(lossSentence(r.loss!)).toBe(
      "nothing lost (0 of 3 acknowledged writes); 2 more never read, not decided (the final reads did not complete)",
    );
  });

  it("gives results stored before the loss was counted their loss from the anomaly counts, never 'nothing lost'", () => {
    const r = check(marked(sends, pollOk(9, { x: [[0, 1]] })), { acks: 1, minInsyncReplicas: 1 });
    const { loss: _loss, exercised: _exercised, ...stored } = r;
    expect(lossOf(stored)).toMatchObject({ acknowledged: 3, lost: 2, permitted: true });
    expect(lossState(stored.valid, lossOf(stored))).toBe("permitted-loss");
  });

  it("never rounds a loss to 0%, and never shows more than 100%", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e7 }), fc.integer({ min: 1, max: 1e7 }), (lost, acked) => {
        fc.pre(lost <= acked);
        const share = lostShare(lost, acked);
        expect(share).not.toBe("0%");
        expect(Number.parseFloat(share)).toBeLessThanOrEqual(100);
      }),
    );
  });
});
