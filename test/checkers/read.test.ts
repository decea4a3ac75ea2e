// Readers and the line format: JSON Lines (whole, streamed, as an array), Jepsen EDN, errors that
// name the line, and formatted ops that read back unchanged.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  check,
  forEachHistoryOp,
  formatHistory,
  formatOp,
  HistoryError,
  parseEdnHistory,
  parseJsonlHistory,
  readHistoryFile,
  streamJsonlHistory,
} from "../../checkers/index.ts";

const fixture = (name: string) => new URL(`../fixtures/histories/${name}`, import.meta.url).pathname;
const line = (o: object) => JSON.stringify(o);
const op0 = { index: 0, time: 1, process: 0, type: "invoke", f: "send", value: [["send", "x", 1]] };

describe("JSON Lines", () => {
  it("reads ops, keeps unknown fields, skips blank lines", () => {
    const h = parseJsonlHistory(
      `${line(op0)}\n\n${line({ ...op0, index: 1, type: "ok", value: [["send", "x", [0, 1]]], extra: { a: 1 } })}\n`,
    );
    expect(h).toHaveLength(2);
    expect(h[1]!.extra).toEqual({ a: 1 });
  });

  it("names the line of invalid JSON (a complete line: followed by a newline)", () => {
    expect(() => parseJsonlHistory(`${line(op0)}\n\n{"index": 2,\n`)).toThrow(/^line 3: invalid JSON/);
    expect(() => parseJsonlHistory(`${line(op0)}\n{"index": 1,\n${line({ ...op0, index: 2 })}`)).toThrow(/^line 2: invalid JSON/);
  });

  it("skips and reports a torn last line (no newline, not JSON): a run killed while writing it", async () => {
    const torn: string[] = [];
    const onTornLastLine = (where: string) => torn.push(where);
    const text = `${line(op0)}\n${line({ ...op0, index: 1, type: "ok", value: [["send", "x", [0, 1]]] })}\n{"index":2,"time":3,"proc`;
    expect(parseJsonlHistory(text, "h.jsonl", { onTornLastLine })).toHaveLength(2);
    const file = join(mkdtempSync(join(tmpdir(), "kh-torn-")), "h.jsonl");
    writeFileSync(file, text);
    expect(await readHistoryFile(file, { onTornLastLine })).toHaveLength(2);
    const seen: number[] = [];
    await forEachHistoryOp(file, (op) => seen.push(op.index), { onTornLastLine });
    expect(seen).toEqual([0, 1]);
    expect(torn).toEqual(["h.jsonl:3", "h.jsonl:3", "h.jsonl:3"]);
    // A last line that is whole JSON but no op is still an error, torn or not.
    expect(() => parseJsonlHistory(`${line(op0)}\n{"index":1}`)).toThrow(/line 2: missing field/);
  });

  it("names the line and the missing field", async () => {
    await expect(readHistoryFile(fixture("missing-process.jsonl"))).rejects.toThrow('missing-process.jsonl:17: missing field "process"');
  });

  it("says what is wrong with a bad field or micro-op", () => {
    const bad = (o: object) => () => parseJsonlHistory([line(o)]);
    expect(bad({ ...op0, type: "done" })).toThrow(/line 1: field "type" must be one of invoke, ok, fail, info/);
    expect(bad({ ...op0, f: undefined })).toThrow(/line 1: missing field "f"/);
    expect(bad({ ...op0, value: [["send", "x"]] })).toThrow(/micro-op 0: expected \["send", key, value\]/);
    expect(bad({ ...op0, value: [["send", "x", [-1, 2]]] })).toThrow(/non-negative integer offset/);
    expect(bad({ ...op0, f: "poll", value: [["poll", { x: [[0]] }]] })).toThrow(/poll record 0 of key "x" must be \[offset, value\]/);
    expect(bad({ ...op0, f: "poll", value: [["get"]] })).toThrow(/unknown micro-op "get"/);
    expect(bad({ ...op0, f: "assign", value: [{}] })).toThrow(/key 0 of an assign op/);
    expect(bad([1, 2])).toThrow(/expected an object/);
    try {
      bad({ ...op0, process: 1.5 })();
    } catch (e) {
      expect(e).toBeInstanceOf(HistoryError);
      expect((e as HistoryError).where).toBe("line 1");
    }
  });

  it("streams across chunk boundaries", async () => {
    const text = [0, 1, 2, 3].map((i) => line({ ...op0, index: i })).join("\n");
    async function* chunks() {
      for (let i = 0; i < text.length; i += 7) yield text.slice(i, i + 7);
    }
    const ops = [];
    for await (const op of streamJsonlHistory(chunks())) ops.push(op);
    expect(ops.map((o) => o.index)).toEqual([0, 1, 2, 3]);
  });

  it("accepts a .json file holding one array of ops", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kh-read-"));
    const file = join(dir, "h.json");
    writeFileSync(file, JSON.stringify([op0, { ...op0, index: 1, type: "ok" }], null, 2));
    expect(await readHistoryFile(file)).toHaveLength(2);
    const seen: number[] = [];
    await forEachHistoryOp(file, (op) => seen.push(op.index));
    expect(seen).toEqual([0, 1]);
  });

  it("hands every op to a callback, the same ops readHistoryFile returns", async () => {
    for (const name of ["jepsen-small.jsonl", "jepsen-small.edn"]) {
      const ops: unknown[] = [];
      await forEachHistoryOp(fixture(name), (op) => ops.push(op));
      expect(ops).toEqual(await readHistoryFile(fixture(name)));
    }
    await expect(forEachHistoryOp(fixture("missing-process.jsonl"), () => {})).rejects.toThrow("missing-process.jsonl:17:");
  });

  it("rejects an unknown extension", async () => {
    await expect(readHistoryFile("history.txt")).rejects.toThrow(/unknown history format ".txt"/);
  });
});

describe("EDN", () => {
  it("reads a Jepsen-style history: keywords become strings, integer keys stay integers", async () => {
    const h = await readHistoryFile(fixture("jepsen-small.edn"));
    expect(h).toHaveLength(12);
    expect(h[0]).toEqual({ index: 0, time: 1000, type: "invoke", process: 0, f: "send", value: [["send", 3, 1]] });
    expect(h[4]!.process).toBe("nemesis");
    expect(h[9]!.value).toEqual([["poll", { "3": [[1, 2]] }]]);
    expect(h[11]!.error).toEqual(["timeout", "no answer; gave up"]);
    const r = check(h);
    expect(r.anomalyTypes).toEqual(["lost-write", "unseen"]);
    expect(r.anomalies["lost-write"]!.examples[0]).toMatchObject({ key: 3, value: 1, writer: 1, boundReader: 9 });
  });

  it("gives the same results as the same history in JSON Lines", async () => {
    const edn = check(await readHistoryFile(fixture("jepsen-small.edn")));
    const jsonl = check(await readHistoryFile(fixture("jepsen-small.jsonl")));
    expect(JSON.stringify(edn)).toBe(JSON.stringify(jsonl));
  });

  it("reads a history wrapped in one vector", () => {
    const h = parseEdnHistory(
      "[{:index 0 :time 0 :type :invoke :process 0 :f :poll :value [[:poll]]}\n {:index 1 :time 1 :type :ok :process 0 :f :poll :value [[:poll {}]]}]",
    );
    expect(h.map((o) => o.type)).toEqual(["invoke", "ok"]);
  });

  it("names the line of a malformed form", () => {
    expect(() =>
      parseEdnHistory('{:index 0 :type :invoke :process 0 :f :poll :value [[:poll]]}\n{:index 1 :type :ok\n :f "x"', "h.edn"),
    ).toThrow(/^h\.edn:2: unterminated form/);
    expect(() => parseEdnHistory("{:index 0 :type :invoke :f :poll :value [[:poll]]}", "h.edn")).toThrow(
      'h.edn:1: missing field "process"',
    );
    expect(() => parseEdnHistory("{:index 0 :type :invoke :process 0 :f :poll :value [[:poll]]}\n 42", "h.edn")).toThrow(
      /h\.edn:2: expected an op map/,
    );
  });
});

describe("writer", () => {
  it("writes canonical field order and reads back unchanged", () => {
    const op = { value: [["send", "x", [0, 1]]], f: "send", extra: true, type: "ok", process: 2, time: 5, index: 3 } as const;
    expect(formatOp(op as never)).toBe('{"index":3,"time":5,"process":2,"type":"ok","f":"send","value":[["send","x",[0,1]]],"extra":true}');
    const text = formatHistory([op as never, op0 as never]);
    expect(parseJsonlHistory(text)).toEqual([JSON.parse(formatOp(op as never)), op0]);
  });
});
