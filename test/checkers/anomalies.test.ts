// One small hand-written history per anomaly: living documentation of what each name means.
import { describe, expect, it } from "vitest";
import { type Cycle, check } from "../../checkers/index.ts";
import { fail, history, info, invoke, ok, poll, pollOk, send, sendOk } from "./helpers.ts";

describe("anomalies, by example", () => {
  it("a clean history has none", () => {
    const h = history(
      ...sendOk(0, ["x", 1, 0], ["x", 2, 1]),
      ...pollOk(1, {
        x: [
          [0, 1],
          [1, 2],
        ],
      }),
    );
    const r = check(h);
    expect(r.valid).toBe(true);
    expect(r.anomalyTypes).toEqual([]);
  });

  it("lost-write: acknowledged at offset 1, then offset 2 is read but offset 1 never is", () => {
    const h = history(
      ...sendOk(0, ["x", 1, 0]), // 0, 1
      ...sendOk(0, ["x", 2, 1]), // 2, 3
      ...sendOk(0, ["x", 3, 2]), // 4, 5
      ...pollOk(1, { x: [[0, 1]] }), // 6, 7
      ...pollOk(2, { x: [[2, 3]] }), // 8, 9
    );
    const r = check(h);
    expect(r.valid).toBe(false);
    const [f] = r.anomalies["lost-write"]!.examples;
    expect(f).toMatchObject({ key: "x", value: 2, offset: 1, index: 1, bound: 2, writer: 3, boundReader: 9, ops: [3, 9] });
    expect(r.anomalies.unseen!.count).toBe(1);
  });

  it("unseen: acknowledged and never read by the end", () => {
    const h = history(...sendOk(0, ["x", 1, 0]), ...sendOk(0, ["x", 2, 1]), ...pollOk(1, { x: [[0, 1]] }));
    const r = check(h);
    expect(r.anomalyTypes).toEqual(["unseen"]);
    expect(r.anomalies.unseen!.examples[0]).toMatchObject({ key: "x", value: 2, writer: 3, ops: [3] });
    expect(r.unseenSeries.points.at(-1)!.counts).toEqual([1]);
  });

  it("duplicate: one value at two offsets", () => {
    const h = history(
      ...sendOk(0, ["x", 1, 0]),
      ...pollOk(1, {
        x: [
          [0, 1],
          [1, 1],
        ],
      }),
    );
    const r = check(h);
    expect(r.anomalyTypes).toEqual(["duplicate"]);
    expect(r.anomalies.duplicate!.examples[0]).toMatchObject({ key: "x", value: 1, offsets: [0, 1], writer: 1, ops: [1, 3] });
  });

  it("inconsistent-offsets: two values at one offset", () => {
    const h = history(...sendOk(0, ["x", 1, 0]), ...pollOk(1, { x: [[0, 2]] }));
    const r = check(h);
    expect(r.anomalies["inconsistent-offsets"]!.examples[0]).toMatchObject({ key: "x", offset: 0, values: [1, 2], ops: [1, 3] });
    expect(r.valid).toBe(false);
  });

  it("G1a: an ok read of a value whose send failed", () => {
    const h = history(invoke(0, "send", [send("x", 1)]), fail(0, "send", [send("x", 1)]), ...pollOk(1, { x: [[0, 1]] }));
    const r = check(h);
    expect(r.anomalyTypes).toEqual(["G1a"]);
    expect(r.anomalies.G1a!.examples[0]).toMatchObject({ key: "x", value: 1, writer: 1, reader: 3, ops: [1, 3] });
  });

  it("precommitted-read: a txn reads its own send", () => {
    const h = history(invoke(0, "txn", [send("x", 1), poll()]), ok(0, "txn", [send("x", 1, 0), poll({ x: [[0, 1]] })]));
    const r = check(h);
    expect(r.anomalyTypes).toEqual(["precommitted-read"]);
    expect(r.anomalies["precommitted-read"]!.examples[0]).toMatchObject({ key: "x", value: 1, op: 1, ops: [1] });
  });

  it("poll-skip: a consumer's next read jumps over offset 1", () => {
    const h = history(
      ...sendOk(0, ["x", 1, 0], ["x", 2, 1], ["x", 3, 2]),
      ...pollOk(1, { x: [[0, 1]] }), // 2, 3
      ...pollOk(1, { x: [[2, 3]] }), // 4, 5
      ...pollOk(2, {
        x: [
          [0, 1],
          [1, 2],
          [2, 3],
        ],
      }),
    );
    const r = check(h);
    expect(r.anomalyTypes).toEqual(["poll-skip"]);
    expect(r.anomalies["poll-skip"]!.examples[0]).toMatchObject({
      key: "x",
      process: 1,
      prevOp: 3,
      op: 5,
      delta: 2,
      skipped: [2],
      ops: [3, 5],
    });
    expect(check(h, { consumerMode: "subscribe" }).valid).toBe(true);
  });

  it("nonmonotonic-poll: a consumer reads offset 1 again; assign of other keys forgets the position", () => {
    const h = history(
      ...sendOk(0, ["x", 1, 0], ["x", 2, 1]),
      ...pollOk(1, {
        x: [
          [0, 1],
          [1, 2],
        ],
      }), // 2, 3
      ...pollOk(1, { x: [[1, 2]] }), // 4, 5
      invoke(1, "assign", ["y"]),
      ok(1, "assign", ["y"]),
      ...pollOk(1, { x: [[0, 1]] }), // no longer compared: x was dropped
    );
    const r = check(h);
    expect(r.anomalyTypes).toEqual(["nonmonotonic-poll"]);
    expect(r.anomalies["nonmonotonic-poll"]!.examples[0]).toMatchObject({ prevOp: 3, op: 5, prevIndex: 1, index: 1, delta: 0 });
    expect(r.anomalies["nonmonotonic-poll"]!.count).toBe(1);
  });

  it("nonmonotonic-send: a process's later send lands before its earlier one", () => {
    const h = history(
      ...sendOk(0, ["x", 1, 1]),
      ...sendOk(0, ["x", 2, 0]),
      ...pollOk(1, {
        x: [
          [0, 2],
          [1, 1],
        ],
      }),
    );
    const r = check(h, {});
    expect(r.anomalyTypes).toEqual(["nonmonotonic-send"]);
    expect(r.anomalies["nonmonotonic-send"]!.examples[0]).toMatchObject({ prevOp: 1, op: 3, prevValue: 1, value: 2, delta: -1 });
    expect(check(h, { acks: 1, idempotent: false, maxInFlight: 5 }).valid).toBe(true);
  });

  it("int-poll-skip and int-nonmonotonic-poll: within one poll", () => {
    const h = history(
      ...sendOk(0, ["x", 1, 0], ["x", 2, 1], ["x", 3, 2]),
      ...pollOk(1, {
        x: [
          [0, 1],
          [2, 3],
        ],
      }), // 2, 3
      ...pollOk(2, {
        x: [
          [0, 1],
          [1, 2],
          [1, 2],
          [2, 3],
        ],
      }), // 4, 5
    );
    const r = check(h);
    expect(r.anomalyTypes).toEqual(["int-nonmonotonic-poll", "int-poll-skip"]);
    expect(r.anomalies["int-poll-skip"]!.examples[0]).toMatchObject({ op: 3, prevValue: 1, value: 3, skipped: [2], ops: [3] });
    expect(r.anomalies["int-nonmonotonic-poll"]!.examples[0]).toMatchObject({ op: 5, value: 2, delta: 0, ops: [5] });
  });

  it("int-send-skip (permitted) and int-nonmonotonic-send: within one burst", () => {
    const h = history(
      ...sendOk(0, ["x", 1, 0], ["x", 3, 2]), // 0, 1: another producer's 2 landed between
      ...sendOk(2, ["x", 2, 1]),
      ...sendOk(0, ["x", 5, 4], ["x", 4, 3]), // 4, 5: reordered
      ...pollOk(1, {
        x: [
          [0, 1],
          [1, 2],
          [2, 3],
          [3, 4],
          [4, 5],
        ],
      }),
    );
    const r = check(h);
    expect(r.anomalyTypes).toEqual(["int-nonmonotonic-send", "int-send-skip"]);
    expect(r.forbidden).toEqual(["int-nonmonotonic-send"]);
    expect(r.anomalies["int-send-skip"]!.examples[0]).toMatchObject({ op: 1, skipped: [2] });
    expect(r.anomalies["int-nonmonotonic-send"]!.examples[0]).toMatchObject({ op: 5, prevValue: 5, value: 4 });
  });

  it("G0: two txns write x and y in opposite orders (only with ww-deps)", () => {
    const h = history(
      invoke(0, "txn", [send("x", 1), send("y", 2)]),
      invoke(1, "txn", [send("x", 3), send("y", 4)]),
      ok(0, "txn", [send("x", 1, 0), send("y", 2, 1)]), // 2
      ok(1, "txn", [send("x", 3, 1), send("y", 4, 0)]), // 3
      ...pollOk(2, {
        x: [
          [0, 1],
          [1, 3],
        ],
        y: [
          [0, 4],
          [1, 2],
        ],
      }),
    );
    expect(check(h).anomalyTypes).toEqual([]);
    const r = check(h, { wwDeps: true });
    expect(r.anomalyTypes).toEqual(["G0"]);
    expect(r.valid).toBe(true);
    expect(r.anomalies.G0!.examples[0]).toMatchObject({
      ops: [2, 3],
      steps: [
        { from: 2, to: 3, rel: "ww", key: "x", value: 3 },
        { from: 3, to: 2, rel: "ww", key: "y", value: 2 },
      ],
    });
  });

  it("G1c: two txns each read the other's write", () => {
    const h = history(
      invoke(0, "txn", [send("x", 1), poll()]),
      invoke(1, "txn", [send("y", 2), poll()]),
      ok(0, "txn", [send("x", 1, 0), poll({ y: [[0, 2]] })]), // 2
      ok(1, "txn", [send("y", 2, 0), poll({ x: [[0, 1]] })]), // 3
    );
    const r = check(h);
    expect(r.anomalyTypes).toEqual(["G1c"]);
    expect(r.anomalies.G1c!.examples[0]).toMatchObject({
      ops: [2, 3],
      steps: [
        { from: 2, to: 3, rel: "wr", key: "x", value: 1 },
        { from: 3, to: 2, rel: "wr" },
      ],
    });
  });

  it("G1c-process: a process reads a value it only sends later", () => {
    const h = history(...pollOk(0, { x: [[0, 1]] }), ...sendOk(0, ["x", 1, 0]));
    const r = check(h);
    expect(r.anomalyTypes).toEqual(["G1c-process"]);
    expect(r.anomalies["G1c-process"]!.examples[0]).toMatchObject({
      steps: [
        { from: 1, to: 3, rel: "process" },
        { from: 3, to: 1, rel: "wr" },
      ],
    });
  });

  it("G1c-realtime: a poll reads a value sent by an op that began after the poll ended", () => {
    const h = history(...pollOk(0, { x: [[0, 1]] }), ...sendOk(1, ["x", 1, 0]));
    const r = check(h);
    expect(r.anomalyTypes).toEqual(["G1c-realtime"]);
    expect(r.anomalies["G1c-realtime"]!.examples[0]).toMatchObject({ ops: [1, 3], steps: [{ rel: "realtime" }, { rel: "wr" }] });
  });

  it("G0-process and G0-realtime: write order against process and real-time order", () => {
    // A -process-> B -ww y-> C -process-> D -ww x-> A: each process's second write lands first.
    const proc = history(
      ...sendOk(0, ["x", 1, 1]), // 1: A
      ...sendOk(1, ["y", 2, 1]), // 3: C
      ...sendOk(0, ["y", 3, 0]), // 5: B
      ...sendOk(1, ["x", 4, 0]), // 7: D
      ...pollOk(2, {
        x: [
          [0, 4],
          [1, 1],
        ],
        y: [
          [0, 3],
          [1, 2],
        ],
      }),
    );
    const r = check(proc, { wwDeps: true });
    expect(r.anomalyTypes).toEqual(["G0-process"]);
    expect((r.anomalies["G0-process"]!.examples[0] as Cycle).steps.map((s) => [s.from, s.rel, s.to])).toEqual([
      [1, "process", 5],
      [5, "ww", 3],
      [3, "process", 7],
      [7, "ww", 1],
    ]);
    // The same with four processes, one after the other: only real-time order closes the cycle.
    const rt = history(
      ...sendOk(0, ["x", 1, 1]), // 1: A
      ...sendOk(1, ["y", 3, 0]), // 3: B
      ...sendOk(2, ["y", 2, 1]), // 5: C
      ...sendOk(3, ["x", 4, 0]), // 7: D
      ...pollOk(4, {
        x: [
          [0, 4],
          [1, 1],
        ],
        y: [
          [0, 3],
          [1, 2],
        ],
      }),
    );
    const r2 = check(rt, { wwDeps: true });
    expect(r2.anomalyTypes).toEqual(["G0-realtime"]);
    expect((r2.anomalies["G0-realtime"]!.examples[0] as Cycle).steps.map((s) => s.rel)).toEqual(["realtime", "ww", "realtime", "ww"]);
    expect(r2.valid).toBe(true);
  });

  it("info sends commit only when one of their values is read; their acknowledged records are held to their offsets", () => {
    const h = history(
      invoke(0, "send", [send("x", 1), send("x", 2)]),
      info(0, "send", [send("x", 1, 0), send("x", 2, 1)]), // 1: must have committed (1 is read)
      invoke(3, "send", [send("x", 9)]),
      info(3, "send", [send("x", 9, 7)]), // 3: never read: not in the log, but acknowledged at 7
      ...sendOk(4, ["x", 3, 2]),
      ...pollOk(1, {
        x: [
          [0, 1],
          [2, 3],
        ],
      }),
    );
    const r = check(h);
    expect(r.anomalyTypes).toEqual(["int-poll-skip", "lost-write", "unseen"]);
    expect(r.anomalies["lost-write"]!.examples).toEqual([expect.objectContaining({ value: 2, writer: 1 })]);
    // 9 sits above what the reads reached (offset 7 > 2): not a lost-write, but never read.
    expect(r.anomalies.unseen!.examples.map((f) => [f.type === "unseen" && f.value, f.ops])).toEqual([
      [2, [1]],
      [9, [3]],
    ]);
    expect(r.stats.logOffsets).toBe(3);
  });

  it("large, sparse offsets and string values give the same answers as small ones", () => {
    const big = 2 ** 40;
    const h = history(
      ...sendOk(0, ["x", "b", big + 7], ["x", "a", big], ["x", "c", big + 900]), // 1: reordered burst
      ...pollOk(1, {
        x: [
          [big, "a"],
          [big + 900, "c"],
        ],
      }), // 3: skips "b"
      ...pollOk(2, {
        x: [
          [big, "a"],
          [big + 7, "b"],
          [big + 900, "c"],
        ],
      }),
    );
    const r = check(h);
    expect(r.anomalyTypes).toEqual(["int-nonmonotonic-send", "int-poll-skip", "int-send-skip"]);
    expect(r.anomalies["int-poll-skip"]!.examples[0]).toMatchObject({ op: 3, prevIndex: 0, index: 2, skipped: ["b"] });
  });

  it("a history with nothing tested is unknown", () => {
    const h = history(invoke("nemesis", "kill", null), info("nemesis", "kill", null));
    const r = check(h);
    expect(r.valid).toBe("unknown");
    expect(r.unknownReason).toMatch(/nothing was tested/);
    expect(check([]).valid).toBe("unknown");
  });

  it("the same history checked twice gives byte-identical results", () => {
    const h = history(
      ...sendOk(0, ["x", 1, 0]),
      ...pollOk(1, {
        x: [
          [0, 2],
          [1, 1],
        ],
      }),
    );
    expect(JSON.stringify(check(h))).toBe(JSON.stringify(check(h)));
  });
});
