import { describe, expect, it } from "vitest";
import { affectedBy, allLed, allWhole, isrShrunk, isWatched, newLeaderElected } from "../../harness/nemesis/failover-watch.ts";
import { part } from "./fakes.ts";

const before = [part("t", 0, 2, [1, 2, 3]), part("t", 1, 3, [1, 3]), part("u", 0, 1, [1])];

describe("failover and recovery conditions", () => {
  it("affected partitions: a replica on a hit broker; leaderless: led by one", () => {
    const a = affectedBy(before, new Set([2]));
    expect(a.partitions.map((p) => `${p.topic}-${p.partition}`)).toEqual(["t-0"]);
    expect(a.leaderless.map((p) => `${p.topic}-${p.partition}`)).toEqual(["t-0"]);
    expect(affectedBy(before, new Set([3])).leaderless.map((p) => p.partition)).toEqual([1]);
  });

  it("a new leader must be outside the hit brokers (an isolated leader still claims it leads)", () => {
    const hit = new Set([2]);
    expect(newLeaderElected([before[0]!], [part("t", 0, 2, [1, 2, 3])], hit)).toBe(false);
    expect(newLeaderElected([before[0]!], [part("t", 0, -1, [1, 2, 3], [2])], hit)).toBe(false);
    expect(newLeaderElected([before[0]!], [part("t", 0, 3, [1, 2, 3], [1, 3])], hit)).toBe(true);
  });

  it("the ISR shrank when every affected partition's ISR is smaller than before", () => {
    expect(isrShrunk([before[0]!], [part("t", 0, 2, [1, 2, 3], [1, 2])])).toBe(true);
    expect(isrShrunk([before[0]!], [part("t", 0, 2, [1, 2, 3])])).toBe(false);
    expect(isrShrunk([before[0]!], [])).toBe(false);
  });

  it("whole means a leader and every replica in the ISR, for a non-empty set", () => {
    expect(allWhole(before)).toBe(true);
    expect(allWhole([part("t", 0, 1, [1, 2], [1])])).toBe(false);
    expect(allWhole([])).toBe(false);
    expect(allLed([part("t", 0, -1, [1, 2], [])])).toBe(false);
  });

  it("watches named topics, or every topic that is not internal", () => {
    expect(isWatched(part("__consumer_offsets", 0, 1, [1]))).toBe(false);
    expect(isWatched(part("t", 0, 1, [1]))).toBe(true);
    expect(isWatched(part("t", 0, 1, [1]), ["u"])).toBe(false);
  });
});
