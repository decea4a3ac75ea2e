// Jepsen writes histories as EDN: any generated history, printed the way Jepsen prints it, must
// read back to the same ops and check to the same results as its JSON Lines form.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { check, type History, parseEdnHistory } from "../../checkers/index.ts";
import { opToEdn } from "./edn-print.ts";
import { modelArb } from "./model.ts";

describe("EDN histories", () => {
  it("read back as the same ops and check the same", () => {
    fc.assert(
      fc.property(modelArb, fc.boolean(), (m, tagged) => {
        const edn = m.history.map((op) => opToEdn(op, tagged)).join("\n");
        const back: History = parseEdnHistory(edn);
        expect(back).toEqual(m.history);
        expect(JSON.stringify(check(back))).toBe(JSON.stringify(check(m.history)));
      }),
      { numRuns: 50 },
    );
  });
});
