// "Did you mean": the edit distance behind it, and when a word is near enough to suggest.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { didYouMean, editDistance, meant, nearest } from "../../checkers/suggest.ts";

describe("editDistance", () => {
  it("counts inserts, deletes, substitutions and swaps of neighbours", () => {
    expect(editDistance("kill", "kill")).toBe(0);
    expect(editDistance("kil", "kill")).toBe(1);
    expect(editDistance("lost-writes", "lost-write")).toBe(1);
    expect(editDistance("kraf", "kraft")).toBe(1);
    expect(editDistance("laeder", "leader")).toBe(1); // a swap is one edit
    expect(editDistance("two", "all")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
  });

  it("is zero only for equal words, symmetric, and at most the longer length", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const d = editDistance(a, b);
        expect(d === 0).toBe(a === b);
        expect(editDistance(b, a)).toBe(d);
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
      }),
    );
  });
});

describe("nearest", () => {
  const kinds = ["kill", "stop", "pause", "partition", "isolate", "zk", "bounce"];

  it("suggests a near word, nothing for a far one or an exact one", () => {
    expect(nearest("kil", kinds)).toBe("kill");
    expect(nearest("PAUSE", kinds)).toBe("pause");
    expect(nearest("partiton", kinds)).toBe("partition");
    expect(nearest("explode", kinds)).toBeUndefined();
    expect(nearest("two", ["0", "1", "all"])).toBeUndefined();
    expect(nearest("kill", kinds)).toBeUndefined();
  });

  it("says it as a hint", () => {
    expect(didYouMean("kil", kinds)).toBe('; did you mean "kill"?');
    expect(meant("kil", kinds)).toBe(' (did you mean "kill"?)');
    expect(meant("explode", kinds)).toBe("");
    expect(didYouMean(undefined, kinds)).toBe("");
  });

  it("any word one edit from a candidate (of four letters or more) gets a suggestion within one edit", () => {
    fc.assert(
      fc.property(fc.constantFrom(...kinds.filter((k) => k.length >= 4)), fc.nat(), (word, i) => {
        const typo = word.slice(0, i % word.length) + word.slice((i % word.length) + 1); // one letter dropped
        const near = nearest(typo, kinds);
        expect(near).toBeDefined();
        expect(editDistance(typo, near!)).toBe(1);
      }),
    );
  });
});
