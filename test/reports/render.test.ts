// The report reads the checker's derived structures: passed in by a caller that already built them
// to check the history, or built by renderReport itself, the page is the same.
import { describe, expect, it } from "vitest";
import { check, checkDerived, derive } from "../../checkers/index.ts";
import { renderReport } from "../../reports/index.ts";
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
