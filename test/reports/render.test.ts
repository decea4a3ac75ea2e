// The report reads the checker's derived structures: passed in by a caller that already built them
// to check the history, or built by renderReport itself, the page is the same.
import { describe, expect, it } from "vitest";
import { FAULT_VOCABULARY } from "../../checkers/fault-vocabulary.ts";
import { check, checkDerived, derive } from "../../checkers/index.ts";
import { renderReport } from "../../reports/index.ts";
import { history, invoke, ok, pollOk, sendOk } from "../checkers/helpers.ts";
import { generateHistory } from "../fixtures/reports/generate.ts";

describe("renderReport", () => {
  it("renders the same page from derived structures passed in as from its own", () => {
    const history = generateHistory({ seed: 5, seconds: 20, inject: ["loss", "duplicate", "reorder"] });
    const derived = derive(history);
    const results = checkDerived(derived, {}, {});
    expect(results).toEqual(check(history));
    const spec = { name: "derived", seed: 5 };
    expect(renderReport({ spec, history, results, derived })).toBe(renderReport({ spec, history, results }));
  });
});

describe("the fault legend", () => {
  it("says what each fault of the run does, in its band's colour, from the fault vocabulary", () => {
    const history = generateHistory({
      seed: 5,
      seconds: 20,
      faults: [
        { f: "kill", at: 3, duration: 4, targets: ["kafka2"], leaderOf: "t-0" },
        { f: "partition", at: 10, duration: 4, targets: ["kafka1"] },
      ],
    });
    const html = renderReport({ spec: { name: "legend", seed: 5 }, history, results: check(history) });
    const kinds = [...new Set(history.filter((o) => o.process === "nemesis" && o.f in FAULT_VOCABULARY).map((o) => o.f))];
    expect(kinds.length).toBeGreaterThan(0);
    const legend = /<ul class="fault-legend">(.*?)<\/ul>/.exec(html)?.[1] ?? "";
    for (const f of kinds) {
      const words = FAULT_VOCABULARY[f as keyof typeof FAULT_VOCABULARY];
      expect(legend).toContain(`<b>${f}</b> <span class="muted">(${words.family})</span>`);
      expect(legend).toContain(`rgba(${words.rgb},0.55)`);
    }
    const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!);
    expect(data.faultRgb).toEqual(Object.fromEntries(kinds.map((f) => [f, FAULT_VOCABULARY[f as keyof typeof FAULT_VOCABULARY].rgb])));
  });
});

describe("the unseen chart's end", () => {
  it("counts the values read once and then gone from the final reads, as the unseen finding does", () => {
    // Value 2 was acknowledged and read at offset 1; the final reads find value 3 there: unseen 1,
    // though the chart (values never read by any ok read) ends at 0.
    const harness = (type: "invoke" | "ok", f: string) => (type === "invoke" ? invoke("harness", f, null) : ok("harness", f, null));
    const h = history(
      harness("invoke", "workload"),
      ...sendOk(0, ["x", 1, 0]),
      ...sendOk(0, ["x", 2, 1]),
      ...pollOk(1, {
        x: [
          [0, 1],
          [1, 2],
        ],
      }),
      ...sendOk(2, ["x", 3, 1]),
      harness("ok", "workload"),
      harness("invoke", "final-reads"),
      ...pollOk(9, {
        x: [
          [0, 1],
          [1, 3],
        ],
      }),
      harness("ok", "final-reads"),
    );
    const results = check(h);
    expect(results.anomalies.unseen?.count).toBe(1);
    expect(results.unseenSeries.points.at(-1)?.total).toBe(0);
    const end = /<p class="unseen-end">(.*?)<\/p>/.exec(renderReport({ history: h, results }))?.[1] ?? "";
    expect(end.replace(/<[^>]+>/g, "")).toBe("At the end: 0 never read and 1 read once, then gone from the final reads: 1 unseen in all.");
  });
});
