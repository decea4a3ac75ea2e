// The commit sweep (checkers/group-commit-sweep.ts) against the plain definition it speeds up: for
// an assignment at index e, the commits invoked before e that could have been the group's last (the
// last acknowledged before e; unknown ones; acknowledged ones that overlapped it or were in flight).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CommitSweep } from "../../checkers/group-commit-sweep.ts";
import type { GroupCommit } from "../../checkers/group-trace.ts";

const KEY = "k";

/** The definition, commit by commit: what every span start was judged by before the sweep. */
function possibleByDefinition(commits: readonly GroupCommit[], e: number) {
  const before = commits.filter((c) => c.invIndex < e && c.type !== "fail");
  let last: GroupCommit | undefined;
  for (const c of before) if (c.type === "ok" && c.doneIndex < e && (last === undefined || c.doneIndex > last.doneIndex)) last = c;
  const possible = before.filter(
    (c) => c.type !== "ok" || c === last || (last === undefined ? c.doneIndex >= e : c.doneIndex > last.invIndex),
  );
  const offsets = possible.map((c) => c.offsets.get(KEY)!);
  const min = Math.min(...offsets);
  const max = Math.max(...offsets);
  return {
    last,
    possible,
    lowest: possible.length ? { offset: min, commit: possible.find((c) => c.offsets.get(KEY) === min)! } : undefined,
    highest: possible.length ? { offset: max, commit: possible.find((c) => c.offsets.get(KEY) === max)! } : undefined,
  };
}

// Commits at distinct history indices: each invoked, then answered some ops later (or never).
const commitsArb = fc
  .array(
    fc.record({
      gap: fc.integer({ min: 1, max: 3 }),
      took: fc.integer({ min: 1, max: 12 }),
      type: fc.constantFrom("ok", "ok", "ok", "fail", "info", "unfinished"),
      offset: fc.integer({ min: 0, max: 8 }),
    }),
    { maxLength: 30 },
  )
  .map((specs) => {
    let at = 0;
    return specs.map(({ gap, took, type, offset }, i): GroupCommit => {
      // Invocations at multiples of 64; commit i answered at i + 1 past one: no two ops share an index.
      at += gap * 64;
      return {
        process: i % 3,
        group: "g",
        offsets: new Map([[KEY, offset]]),
        invIndex: at,
        doneIndex: type === "unfinished" ? -1 : at + took * 64 + i + 1,
        invTime: at,
        doneTime: type === "unfinished" ? Number.NaN : at + took,
        type: type as GroupCommit["type"],
        auto: false,
      };
    });
  });

describe("CommitSweep", () => {
  it("finds, for assignments in history order, what the definition finds for each alone", () => {
    fc.assert(
      fc.property(commitsArb, fc.array(fc.integer({ min: 0, max: 120 * 64 }), { maxLength: 12 }), (commits, at) => {
        const sweep = new CommitSweep(KEY, commits);
        for (const e of [...at].sort((a, b) => a - b)) {
          const got = sweep.possibleAt(e);
          const want = possibleByDefinition(commits, e);
          expect(got.last).toBe(want.last);
          expect(got.lowest).toEqual(want.lowest);
          expect(got.highest).toEqual(want.highest);
          for (let o = -1; o <= 9; o++)
            expect(got.holds(o), `offset ${o} at ${e}`).toBe(want.possible.some((c) => c.offsets.get(KEY) === o));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("counts a commit still in flight at the assignment as possible, acknowledged or not yet", () => {
    const c = (invIndex: number, doneIndex: number, offset: number, type: GroupCommit["type"] = "ok"): GroupCommit => ({
      process: 1,
      group: "g",
      offsets: new Map([[KEY, offset]]),
      invIndex,
      doneIndex,
      invTime: invIndex,
      doneTime: doneIndex,
      type,
      auto: false,
    });
    const sweep = new CommitSweep(KEY, [c(2, 5, 10), c(6, 20, 30)]);
    const at = sweep.possibleAt(10);
    expect(at.last?.offsets.get(KEY)).toBe(10);
    expect([at.lowest?.offset, at.highest?.offset]).toEqual([10, 30]);
    expect(() => sweep.possibleAt(9)).toThrow(/after 10/);
  });
});
