import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cut, grudgeFor, halves, majoritiesRing, nodesOf } from "../../harness/nemesis/grudge.ts";
import { seededRng } from "../../harness/nemesis/rng.ts";

const nodes = { brokers: ["kafka1", "kafka2", "kafka3"], zookeepers: ["zk1", "zk2", "zk3"] };
const all = [...nodes.brokers, ...nodes.zookeepers];
const symmetric = (g: Record<string, string[]>) => Object.entries(g).every(([a, drops]) => drops.every((b) => (g[b] ?? []).includes(a)));

describe("grudges", () => {
  it("cut is symmetric and never makes a node drop itself", () => {
    const g = cut(["a", "b"], ["b", "c"]);
    expect(g).toEqual({ a: ["b", "c"], b: ["a", "c"], c: ["a", "b"] });
    expect(symmetric(g)).toBe(true);
  });

  it("isolate cuts the target from every broker and ZooKeeper node, and only from them", () => {
    const g = grudgeFor("isolate", nodes, ["kafka2"], seededRng(1));
    expect(g).toEqual({
      kafka2: ["kafka1", "kafka3", "zk1", "zk2", "zk3"],
      kafka1: ["kafka2"],
      kafka3: ["kafka2"],
      zk1: ["kafka2"],
      zk2: ["kafka2"],
      zk3: ["kafka2"],
    });
  });

  it("cut-from-brokers (the 2013 scenario) leaves every ZooKeeper link alone", () => {
    const g = grudgeFor("cut-from-brokers", nodes, ["kafka1"], seededRng(1));
    expect(g).toEqual({ kafka1: ["kafka2", "kafka3"], kafka2: ["kafka1"], kafka3: ["kafka1"] });
    expect(nodesOf(g).some((n) => n.startsWith("zk"))).toBe(false);
  });

  it("cut-from-zookeeper leaves every broker link alone", () => {
    const g = grudgeFor("cut-from-zookeeper", nodes, ["kafka3"], seededRng(1));
    expect(g).toEqual({ kafka3: ["zk1", "zk2", "zk3"], zk1: ["kafka3"], zk2: ["kafka3"], zk3: ["kafka3"] });
  });

  it("halves: two disjoint sides covering every node, targets on the first, brokers split small/large", () => {
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom([], ["kafka1"], ["kafka3"]), (seed, targets) => {
        const [a, b] = halves(nodes, seededRng(seed), targets);
        expect([...a, ...b].sort()).toEqual([...all].sort());
        expect(a.filter((x) => b.includes(x))).toEqual([]);
        for (const t of targets) expect(a).toContain(t);
        expect(a.filter((x) => x.startsWith("kafka")).length).toBe(1);
        const g = grudgeFor("halves", nodes, targets, seededRng(seed));
        expect(symmetric(g)).toBe(true);
      }),
    );
  });

  it("majorities ring: every node sees a majority (itself included), and no two see the same set", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 3, max: 9 }), (seed, n) => {
        const names = Array.from({ length: n }, (_, i) => `n${i}`);
        const g = majoritiesRing(names, seededRng(seed));
        const sees = names.map((x) => names.filter((y) => !(g[x] ?? []).includes(y)));
        for (const [i, s] of sees.entries()) {
          expect(s).toContain(names[i]);
          expect(s.length).toBe(Math.floor(n / 2) + 1);
        }
        if (n >= 4) expect(new Set(sees.map((s) => s.join())).size).toBe(n);
      }),
    );
  });

  it("refuses a shape that cuts nothing", () => {
    expect(() => grudgeFor("cut-from-brokers", { brokers: ["kafka1"], zookeepers: ["zk1"] }, ["kafka1"], seededRng(1))).toThrow(
      /cuts nothing/,
    );
    expect(() => grudgeFor("isolate", nodes, [], seededRng(1))).toThrow(/needs targets/);
  });
});
