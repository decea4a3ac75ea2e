// Anomalies shown by kind: ordering noise (int-send-skip, in almost every run with bursts) apart from
// loss, in the one classification the report, the CLI and the index use.
import { describe, expect, it } from "vitest";
import { ANOMALY_KIND, byKind } from "../../checkers/anomaly-kinds.ts";
import { summarize } from "../../checkers/explain.ts";
import { ANOMALY_TYPES, check } from "../../checkers/index.ts";
import { history, pollOk, sendOk } from "./helpers.ts";

// p0's burst lands around p2's record (int-send-skip); on key y, 9 at offset 0 is acknowledged and
// a later read starts past it (lost-write, permitted by acks=1).
const h = history(
  ...sendOk(0, ["x", 1, 0], ["x", 3, 2]),
  ...sendOk(2, ["x", 2, 1]),
  ...sendOk(2, ["y", 9, 0]),
  ...sendOk(2, ["y", 10, 1]),
  ...pollOk(1, {
    x: [
      [0, 1],
      [1, 2],
      [2, 3],
    ],
    y: [[1, 10]],
  }),
);

describe("anomaly kinds", () => {
  it("loss is what the loss summary counts; the send and poll order types are ordering", () => {
    expect(ANOMALY_TYPES.filter((t) => ANOMALY_KIND[t] === "loss").sort()).toEqual([
      "committed-lost",
      "group-loss",
      "lost-write",
      "unseen",
    ]);
    for (const t of ["int-send-skip", "nonmonotonic-send", "int-nonmonotonic-send", "poll-skip", "nonmonotonic-poll"] as const)
      expect(ANOMALY_KIND[t], t).toBe("ordering");
  });

  it("groups found types loss first, ordering last, leaving out kinds not found", () => {
    expect(byKind(["int-send-skip", "unseen", "duplicate", "lost-write"])).toEqual([
      { kind: "loss", types: ["unseen", "lost-write"] },
      { kind: "integrity", types: ["duplicate"] },
      { kind: "ordering", types: ["int-send-skip"] },
    ]);
    expect(byKind([])).toEqual([]);
  });

  it("the CLI's summary shows int-send-skip as ordering, apart from the loss", () => {
    const r = check(h, { acks: 1 });
    expect(r.anomalyTypes).toContain("int-send-skip");
    expect(r.anomalyTypes).toContain("lost-write");
    const text = summarize(r);
    expect(text).toMatch(/^anomalies: loss: lost-write 1, unseen 1; ordering, not loss: int-send-skip 1$/m);
    const lines = text.split("\n");
    const heading = (label: string) => lines.findIndex((l) => l.startsWith(`== ${label} (`));
    const at = (type: string) => lines.findIndex((l) => l.startsWith(`${type}: `));
    expect(heading("loss")).toBeGreaterThan(-1);
    expect(heading("loss")).toBeLessThan(at("lost-write"));
    expect(at("lost-write")).toBeLessThan(heading("ordering, not loss"));
    expect(heading("ordering, not loss")).toBeLessThan(at("int-send-skip"));
  });
});
