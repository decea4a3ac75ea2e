// The derived structures must stay a fast-mode object in V8: every check reads their fields in its
// inner loops, and a dictionary-mode object turns each read into a hash lookup (an object literal
// with a getter is one; that made the anomaly checks of 1M ops 2.3x slower). V8's own predicate
// says which mode an object is in, so this holds the shape, not a timing.
import { setFlagsFromString } from "node:v8";
import { describe, expect, it } from "vitest";
import { checkStream, derive } from "../../checkers/index.ts";
import { history, info, invoke, pollOk, send, sendOk } from "./helpers.ts";

setFlagsFromString("--allow-natives-syntax");
const hasFastProperties = new Function("o", "return %HasFastProperties(o)") as (o: object) => boolean;

const h = history(
  ...sendOk(0, ["x", 1, 0], ["x", 2, 1]),
  invoke(1, "send", [send("y", 3)]),
  info(1, "send", [send("y", 3, 0)]),
  ...pollOk(2, {
    x: [
      [0, 1],
      [1, 2],
      [1, 9],
    ],
    y: [[0, 3]],
  }),
);

describe("Derived", () => {
  it("is a fast-mode object, before and after its lazy parts are built", () => {
    const d = derive(h);
    expect(
      hasFastProperties({
        get a() {
          return 1;
        },
      }),
    ).toBe(false); // the predicate can say no
    expect(hasFastProperties(d)).toBe(true);
    // The lazy parts, built on first read, are the same as an eager build would give.
    expect([...d.recOp]).toEqual([0, 0, 1, 2, 2, 2, 2]);
    expect([...d.recKey]).toEqual([0, 0, 1, 0, 0, 0, 1]);
    expect([...d.recOff]).toEqual([0, 1, 0, 0, 1, 1, 0]);
    expect(d.slotEntry.length).toBe(d.slotOffset.length);
    expect(d.entrySlot.length).toBe(d.entryVal.length);
    expect(hasFastProperties(d)).toBe(true);
  });

  it("keeps every value as it was, int32 or not (values are stored as int32 until one is not)", () => {
    const values = [7, -3, 2 ** 40, "v-1", 8, 1.5];
    const d = derive(history(...sendOk(0, ...values.map((v, i): [string, number | string, number] => ["x", v, i]))));
    expect(d.valOrig).toEqual(values);
    expect(hasFastProperties(d)).toBe(true);
    const ints = derive(history(...sendOk(0, ["x", 7, 0], ["x", -3, 1])));
    expect(ints.valOrig).toEqual([7, -3]);
  });

  it("gives the same results streamed as in memory (the lazy parts are per object)", async () => {
    const a = derive(h);
    const b = derive(h);
    expect(a.recOp).not.toBe(b.recOp);
    expect(JSON.stringify(await checkStream(h))).toBe(JSON.stringify(await checkStream([...h])));
  });
});
