// For each anomaly, a mutation of a correct history injects it; the checker must find it, name the
// mutated ops in its evidence, and find nothing else (beyond what must come with it).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ANOMALY_TYPES, check, explainFinding, summarize } from "../../checkers/index.ts";
import { modelArb } from "./model.ts";
import { MUTATIONS } from "./mutations.ts";

describe("each injected anomaly is found, with its evidence", () => {
  for (const type of ANOMALY_TYPES) {
    it(type, () => {
      fc.assert(
        fc.property(modelArb, fc.nat(), (m, pick) => {
          const mutant = MUTATIONS[type](m, pick);
          const r = check(mutant.history, mutant.config);
          expect(r.anomalyTypes).toContain(type);
          const allowed = [type, ...(mutant.companions ?? [])];
          for (const t of r.anomalyTypes) expect(allowed, `unexpected ${t}`).toContain(t);
          expect(r.anomalies[type]!.forbidden).toBe(r.guarantees[type].forbidden);
          expect(r.valid).toBe(r.forbidden.length === 0);
          mutant.verify(r);
          for (const f of r.anomalies[type]!.examples) expect(explainFinding(f)).toMatch(/op \d+/);
          expect(summarize(r)).toContain(`${type}: ${r.anomalies[type]!.count} (`);
        }),
        { numRuns: 100 },
      );
    });
  }

  it("shrinks a failure to a small history", () => {
    // A deliberately false claim ("the lost write goes unnoticed"): the counterexample must shrink.
    const out = fc.check(
      fc.property(modelArb, fc.nat(), (m, pick) => {
        const mutant = MUTATIONS["lost-write"](m, pick);
        return !check(mutant.history).anomalyTypes.includes("lost-write");
      }),
      { numRuns: 100, seed: 42 },
    );
    expect(out.failed).toBe(true);
    const [m] = out.counterexample!;
    expect(m.history.length).toBeLessThanOrEqual(12);
  });
});
