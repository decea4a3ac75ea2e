// The log of a key with findings: who wrote and who read each value at each offset; and the
// windows of offsets the log view shows around the findings.
import { describe, expect, it } from "vitest";
import { derive } from "../../checkers/index.ts";
import { keyLogs, windows } from "../../reports/key-logs.ts";
import { fail, history, info as infoOp, invoke, ok, poll, pollOk, send, sendOk } from "../checkers/helpers.ts";

describe("keyLogs", () => {
  it("records writers, readers, conflicts and the last read, for the keys asked only", () => {
    const h = history(
      ...sendOk(0, ["x", 1, 0], ["x", 2, 1]), // 0, 1
      invoke(0, "send", [send("x", 3)]), // 2
      fail(0, "send", [send("x", 3)]), // 3
      ...pollOk(1, {
        x: [
          [0, 1],
          [1, 2],
          [2, 3],
        ],
        y: [[0, 9]],
      }), // 4, 5
      ...pollOk(2, {
        x: [
          [0, 1],
          [1, 4],
        ],
      }), // 6, 7: another value at offset 1
      invoke(3, "poll", [poll()]),
      info(3),
    );
    const logs = keyLogs(derive(h), new Map([["x", { values: [3], offsets: [1] }]]));
    expect([...logs.keys()]).toEqual(["x"]);
    const x = logs.get("x")!;
    expect(x.offsets).toEqual([0, 1, 2]);
    expect(x.writers.get(1)).toEqual({ index: 1, type: "ok", process: 0 });
    expect(x.writers.get(3)).toEqual({ index: 3, type: "fail", process: 0 });
    expect(x.cells.get(0)).toEqual([{ value: 1, writtenBy: 1, readers: [5, 7], readCount: 2, otherReads: 0 }]);
    expect(x.cells.get(1)!.map((c) => c.value)).toEqual([2, 4]);
    expect(x.valueOffsets.get(3)).toEqual([2]);
    expect(x.lastRead).toEqual({ index: 7, process: 2, offset: 1 });
  });
});

describe("keyLogs: a partly acknowledged burst", () => {
  it("keeps the offset the broker acknowledged a record at, though no read put it in the log", () => {
    // Burst [5, 6] to x: 5 acknowledged at offset 1, 6 unknown; the reads saw offsets 0 and 2 only.
    const h = history(
      ...sendOk(0, ["x", 1, 0]),
      invoke(0, "send", [send("x", 5), send("x", 6)]),
      infoOp(0, "send", [send("x", 5, 1), send("x", 6)]),
      ...sendOk(0, ["x", 7, 2]),
      ...pollOk(1, {
        x: [
          [0, 1],
          [2, 7],
        ],
      }),
    );
    const x = keyLogs(derive(h), new Map([["x", { values: [5], offsets: [] }]])).get("x")!;
    expect(x.offsets).toEqual([0, 2]);
    expect(x.valueOffsets.has(5)).toBe(false);
    expect(x.ackedAt.get(5)).toBe(1);
    expect(x.ackedAt.has(6)).toBe(false);
    expect(x.writers.get(5)).toMatchObject({ type: "info" });
  });
});

function info(p: number) {
  return ok(p, "poll", [poll({})]);
}

describe("windows", () => {
  const log = { offsets: Array.from({ length: 100 }, (_, i) => i * 2) } as Parameters<typeof windows>[0];
  it("shows each offset of interest with context on each side, merging overlaps", () => {
    expect(windows(log, [10, 14, 100], 2).ranges).toEqual([
      [3, 9],
      [48, 52],
    ]);
  });
  it("stops adding windows at the cell limit", () => {
    const r = windows(log, [0, 40, 80, 120, 160], 3, 15);
    expect(r.ranges).toEqual([
      [0, 3],
      [17, 23],
    ]);
    expect(r.cut).toBe(true);
  });
});

describe("keyLogs around the findings", () => {
  it("keeps cells only for the offsets shown, but every offset of the values on the page", () => {
    const sends = Array.from({ length: 40 }, (_, i) => ["x", i, i] as [string, number, number]);
    const h = history(
      ...sendOk(0, ...sends),
      ...pollOk(1, { x: sends.map(([, v, o]) => [o, v] as [number, number]) }),
      ...pollOk(2, { x: [[35, 5]] }),
    );
    const x = keyLogs(derive(h), new Map([["x", { values: [20], offsets: [] }]]), 2).get("x")!;
    expect(x.offsets).toHaveLength(40);
    expect(x.ranges).toEqual([[18, 22]]);
    expect([...x.cells.keys()].sort((a, b) => a - b)).toEqual([18, 19, 20, 21, 22]);
    expect(x.valueOffsets.get(20)).toEqual([20]);
    expect(x.valueOffsets.has(5)).toBe(false);
    expect(x.readOk.has(20)).toBe(true);
    expect(x.writers.get(21)).toEqual({ index: 1, type: "ok", process: 0 });
  });
});

describe("keyLogs shows the log the checker judged", () => {
  it("leaves out an offset only an uncommitted info send reported, and names the checker's writers", () => {
    const h = history(
      ...sendOk(0, ["x", 1, 0]), // 0, 1
      invoke(1, "send", [send("x", 2)]), // 2
      infoOp(1, "send", [send("x", 2, 1)]), // 3: reports offset 1, but no ok read returned 2: not committed
      invoke(2, "send", [send("x", 7)]), // 4: never completes
      ...pollOk(3, {
        x: [
          [0, 1],
          [4, 7],
        ],
      }), // 5, 6
    );
    const x = keyLogs(derive(h), new Map([["x", { values: [2, 7], offsets: [1] }]])).get("x")!;
    expect(x.offsets).toEqual([0, 4]);
    expect(x.cells.has(1)).toBe(false);
    expect(x.valueOffsets.has(2)).toBe(false);
    expect(x.writers.get(2)).toEqual({ index: 3, type: "info", process: 1 });
    // The unfinished invocation is the writer the checker names (an info op).
    expect(x.writers.get(7)).toEqual({ index: 4, type: "info", process: 2 });
    expect(x.cells.get(4)).toEqual([{ value: 7, readers: [6], readCount: 1, otherReads: 0 }]);
  });
});
