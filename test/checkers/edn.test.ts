// Jepsen writes histories as EDN: any generated history, printed the way Jepsen prints it, must
// read back to the same ops and check to the same results as its JSON Lines form.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { check, type History, type Op, parseEdnHistory } from "../../checkers/index.ts";
import { modelArb } from "./model.ts";

/** EDN as Jepsen prints it: keyword keys and op types, vectors, integer keys in poll maps. */
function toEdn(x: unknown, keyword = false): string {
  if (x === null || x === undefined) return "nil";
  if (typeof x === "number") return String(x);
  if (typeof x === "string") return keyword ? `:${x}` : JSON.stringify(x);
  if (Array.isArray(x)) return `[${x.map((e, i) => toEdn(e, i === 0 && (e === "send" || e === "poll"))).join(" ")}]`;
  const o = x as Record<string, unknown>;
  return `{${Object.entries(o)
    .map(([k, v]) => `${/^\d+$/.test(k) ? k : JSON.stringify(k)} ${toEdn(v)}`)
    .join(", ")}}`;
}

function opToEdn(op: Op, tagged: boolean): string {
  const fields = Object.entries(op).map(([k, v]) => {
    const kw = k === "type" || k === "f" || (k === "process" && typeof v === "string");
    return `:${k} ${toEdn(v, kw)}`;
  });
  return `${tagged ? "#jepsen.history.Op" : ""}{${fields.join(", ")}}`;
}

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
