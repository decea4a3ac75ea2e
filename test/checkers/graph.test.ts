// The dependency graph: the cheap acyclicity proof never hides a cycle, Tarjan needs no recursion.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { derive } from "../../checkers/derive.ts";
import { buildGraph, forwardInOrder, graphNodes, PROC, RT, tarjan, toCsr, WR, WW } from "../../checkers/graph.ts";
import type { History, Op } from "../../checkers/index.ts";
import { modelArb } from "./model.ts";

/** Arbitrary (mostly anomalous) histories: random overlapping ops sending and reading values 0..9. */
const chaosArb = fc
  .array(
    fc.record({
      p: fc.nat(3),
      f: fc.constantFrom("send", "poll", "txn"),
      info: fc.boolean(),
      send: fc.option(fc.nat(9), { nil: undefined }),
      read: fc.uniqueArray(fc.nat(9), { maxLength: 3 }),
    }),
    { maxLength: 30 },
  )
  .map((cmds) => {
    const h: History = [];
    const busy = new Map<number, Op>();
    const sent = new Set<number>();
    const push = (o: Omit<Op, "index" | "time">) => h.push({ index: h.length, time: h.length, ...o } as Op);
    for (const c of cmds) {
      const pending = busy.get(c.p);
      if (pending) {
        push({ ...pending, type: c.info ? "info" : "ok" });
        busy.delete(c.p);
        continue;
      }
      const value: unknown[] = [];
      if (c.f !== "poll" && c.send !== undefined && !sent.has(c.send)) {
        sent.add(c.send);
        value.push(["send", "k", [c.send, c.send]]);
      }
      if (c.f !== "send") value.push(["poll", { k: c.read.map((v) => [v, v]) }]);
      push({ process: c.p, type: "invoke", f: c.f, value });
      busy.set(c.p, { process: c.p, type: "ok", f: c.f, value } as Op);
    }
    return h;
  });

function hasCycle(h: History, ww: boolean): boolean {
  const d = derive(h);
  const g = buildGraph(d, ww);
  const s = tarjan(g, toCsr(g, WW | WR | PROC | RT));
  return Array.from(s.size).some((n) => n > 1);
}

describe("dependency graph", () => {
  it("the order proof only ever says 'acyclic' of acyclic graphs", () => {
    fc.assert(
      fc.property(chaosArb, fc.boolean(), (h, ww) => {
        const d = derive(h);
        if (forwardInOrder(d, ww, graphNodes(d))) expect(hasCycle(h, ww)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("the order proof holds for histories of a correct model (the fast path is the common one)", () => {
    fc.assert(
      fc.property(modelArb, (m) => {
        const d = derive(m.history);
        expect(forwardInOrder(d, false, graphNodes(d))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it("finds the components of a 200k-op chain without recursion", () => {
    // One process, 100k send/poll pairs; then a poll that reads the last value, sent after it ended.
    const h: History = [];
    const push = (o: Omit<Op, "index" | "time">) => h.push({ index: h.length, time: h.length, ...o } as Op);
    for (let i = 0; i < 100_000; i++) {
      push({ process: 0, type: "invoke", f: "send", value: [["send", "k", i]] });
      push({ process: 0, type: "ok", f: "send", value: [["send", "k", [i, i]]] });
    }
    expect(hasCycle(h, true)).toBe(false);
    h.unshift({ index: -1, time: -1, process: 1, type: "ok", f: "poll", value: [["poll", { k: [[99_999, 99_999]] }]] });
    expect(hasCycle(h, false)).toBe(true);
  });
});
