// Partitions said in words for progress lines: whole sides, or each node's dropped peers.
import { describe, expect, it } from "vitest";
import { describeGrudge } from "../../harness/nemesis/describe-grudge.ts";
import { cut } from "../../harness/nemesis/grudge.ts";

describe("describeGrudge", () => {
  it("says which node an isolation cut off, and from whom", () => {
    expect(describeGrudge(cut(["kafka2"], ["kafka1", "kafka3", "zk1", "zk2", "zk3"]))).toBe("kafka2 | kafka1 kafka3 zk1 zk2 zk3");
  });

  it("gives halves as two sides", () => {
    expect(describeGrudge(cut(["kafka1", "zk1"], ["kafka2", "kafka3", "zk2", "zk3"]))).toBe("kafka1 zk1 | kafka2 kafka3 zk2 zk3");
  });

  it("lists each node's dropped peers when the cut is not whole (a ring)", () => {
    const ring = { a: ["c"], b: ["d"], c: ["a"], d: ["b"] } as Record<string, string[]>;
    expect(describeGrudge(ring)).toBe("a ↮ c; b ↮ d; c ↮ a; d ↮ b");
  });
});
