// The generator's histories come from a correct model of Kafka, so they must check clean, under
// every configuration.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { check, formatOp, parseJsonlHistory } from "../../checkers/index.ts";
import { expectCleanVerdict } from "./helpers.ts";
import { modelArb } from "./model.ts";

describe("histories of a correct Kafka model", () => {
  it("check clean (no anomaly at all, even with ww-deps)", () => {
    fc.assert(
      fc.property(modelArb, (m) => {
        for (const config of [{}, { wwDeps: true }]) {
          const r = check(m.history, config);
          expect(r.anomalyTypes).toEqual([]);
          expectCleanVerdict(r);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("survive a write/read round trip unchanged", () => {
    fc.assert(
      fc.property(modelArb, (m) => {
        const text = m.history.map(formatOp).join("\n");
        expect(parseJsonlHistory(text)).toEqual(m.history);
      }),
      { numRuns: 50 },
    );
  });
});
