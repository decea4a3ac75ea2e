// Value numbering (checkers/value-ids.ts): one shared table serves values unique across keys; a
// value repeated on another key (Jepsen's per-key counters), a string, a huge or a negative value
// falls back to its own key's map. Every (key, value) keeps one number either way.
import { describe, expect, it } from "vitest";
import { derive } from "../../checkers/index.ts";
import { IntList } from "../../checkers/ints.ts";
import { ValueIds } from "../../checkers/value-ids.ts";
import { history, pollOk, sendOk } from "./helpers.ts";

describe("ValueIds", () => {
  it("numbers each (key, value) once, whether the value is shared by keys or not", () => {
    const keyOf = new IntList();
    const ids = new ValueIds(keyOf, () => 1 << 20);
    const values: Array<[number, number | string]> = [
      [0, 5],
      [1, 5],
      [0, 6],
      [2, 5],
      [1, "5"],
      [0, 2 ** 40],
      [0, -3],
      [1, 6],
    ];
    values.forEach(([k, v], id) => {
      expect(ids.get(k, v)).toBe(-1);
      ids.set(k, v, id);
      keyOf.push(k);
    });
    values.forEach(([k, v], id) => expect(ids.get(k, v)).toBe(id));
    expect(ids.get(2, 6)).toBe(-1);
    expect(ids.get(3, 5)).toBe(-1);
  });

  it("derive gives per-key counters (the same values on every key) distinct value numbers", () => {
    const d = derive(
      history(
        ...sendOk(0, ["x", 0, 0], ["y", 0, 0]),
        ...sendOk(0, ["y", 1, 1], ["x", 1, 1]),
        ...pollOk(1, {
          x: [
            [0, 0],
            [1, 1],
          ],
          y: [[0, 0]],
        }),
      ),
    );
    expect(d.nVals).toBe(4);
    expect([...d.valKey]).toEqual([0, 1, 1, 0]);
    expect(d.valOrig).toEqual([0, 0, 1, 1]);
    expect([...d.valReadOk]).toEqual([1, 1, 0, 1]);
  });
});
