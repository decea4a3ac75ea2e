// A burst's completion from its records' outcomes (harness/clients/burst-outcome.ts): every record
// the broker acknowledged keeps its offset, whatever happened to the rest of the burst, and the op
// is ok / fail only when that is true of every record.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateOp } from "../../checkers/history.ts";
import { check } from "../../checkers/index.ts";
import { completeBurst as completeAnyBurst, type RecordOutcome, resolvedSend } from "../../harness/clients/burst-outcome.ts";
import { classifySendError } from "../../harness/clients/kafkajs/classify.ts";

/** The bursts here carry kafkajs's errors: its rule decides fail or info. */
const completeBurst = (key: string, values: readonly number[], outcomes: readonly RecordOutcome[]) =>
  completeAnyBurst(key, values, outcomes, classifySendError);
const acked = (offset: number | null): RecordOutcome => ({ acked: true, offset });
const timeout: RecordOutcome = {
  acked: false,
  error: { name: "KafkaJSRequestTimeoutError", message: "Request Produce(key: 0, version: 7) timed out" },
};
const tooLarge: RecordOutcome = { acked: false, error: { name: "KafkaJSProtocolError", type: "MESSAGE_TOO_LARGE", message: "too large" } };

describe("completeBurst", () => {
  it("every record acknowledged: ok, every record with its offset", () => {
    expect(completeBurst("t-0", [17, 18], [acked(42), acked(43)])).toEqual({
      type: "ok",
      value: [
        ["send", "t-0", [42, 17]],
        ["send", "t-0", [43, 18]],
      ],
    });
  });

  it("partly acknowledged: info, the acknowledged records keep their offsets, in send order", () => {
    const c = completeBurst("t-0", [17, 18, 19], [acked(42), timeout, acked(44)]);
    expect(c).toEqual({
      type: "info",
      value: [
        ["send", "t-0", [42, 17]],
        ["send", "t-0", 18],
        ["send", "t-0", [44, 19]],
      ],
      error: expect.stringMatching(/^KafkaJSRequestTimeoutError: Request Produce/),
    });
  });

  it("is what the README's history example shows", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const line = readme.split("\n").find((l) => l.startsWith("{") && l.includes('"type":"info","f":"send"'));
    const shown = JSON.parse(line!) as { type: string; value: unknown };
    const c = completeBurst("t-0", [17, 18, 19], [acked(42), timeout, acked(44)]);
    expect(shown.type).toBe(c.type);
    expect(shown.value).toEqual(c.value);
  });

  it("acknowledged records next to definite failures: still info (the op is not all-or-nothing), offsets kept", () => {
    expect(completeBurst("t-1", [5, 6], [acked(9), tooLarge])).toMatchObject({
      type: "info",
      value: [
        ["send", "t-1", [9, 5]],
        ["send", "t-1", 6],
      ],
    });
  });

  it("nothing acknowledged: fail only when every error is definite, otherwise info", () => {
    expect(completeBurst("t-0", [1, 2], [tooLarge, tooLarge])).toMatchObject({
      type: "fail",
      value: [
        ["send", "t-0", 1],
        ["send", "t-0", 2],
      ],
      error: expect.stringMatching(/MESSAGE_TOO_LARGE/),
    });
    expect(completeBurst("t-0", [1, 2], [tooLarge, timeout]).type).toBe("info");
  });

  it("acks=0 (no offset returned): ok with plain values; partly resolved: info with plain values", () => {
    expect(completeBurst("t-0", [1, 2], [acked(null), acked(null)])).toEqual({
      type: "ok",
      value: [
        ["send", "t-0", 1],
        ["send", "t-0", 2],
      ],
    });
    expect(completeBurst("t-0", [1, 2], [acked(null), timeout]).value).toEqual([
      ["send", "t-0", 1],
      ["send", "t-0", 2],
    ]);
  });

  it("refuses outcomes that do not match the burst", () => {
    expect(() => completeBurst("t-0", [1, 2], [acked(0)])).toThrow(/2 records has 1 outcomes/);
  });

  it("for any outcomes: a valid op, the send order kept, an offset exactly on each acknowledged record", () => {
    const outcome = fc.oneof(
      fc.nat(1000).map((o) => acked(o)),
      fc.constant(acked(null)),
      fc.constant(timeout),
      fc.constant(tooLarge),
    );
    fc.assert(
      fc.property(fc.array(outcome, { minLength: 1, maxLength: 6 }), (outcomes) => {
        const values = outcomes.map((_, i) => 100 + i);
        const c = completeBurst("t-2", values, outcomes);
        expect(validateOp({ index: 0, time: 0, process: 0, f: "send", ...c }, 0)).not.toBeTypeOf("string");
        expect(c.value.map((m) => (Array.isArray(m[2]) ? m[2][1] : m[2]))).toEqual(values);
        c.value.forEach((m, i) => {
          const r = outcomes[i]!;
          expect(m[2]).toEqual(r.acked && r.offset !== null ? [r.offset, values[i]] : values[i]);
        });
        const allAcked = outcomes.every((r) => r.acked);
        expect(c.type === "ok").toBe(allAcked);
        expect(c.error === undefined).toBe(allAcked);
        if (c.type === "fail") expect(outcomes.every((r) => r === tooLarge)).toBe(true);
      }),
    );
  });

  it("the checkers hold a partly acknowledged burst to its acknowledged records", () => {
    // The burst's completion as the producer records it; the acknowledged records vanished.
    const c = completeBurst("t-0", [17, 18, 19], [acked(0), timeout, acked(2)]);
    const h = [
      { index: 0, time: 0, process: 0, type: "invoke" as const, f: "send", value: [17, 18, 19].map((v) => ["send", "t-0", v]) },
      { index: 1, time: 1, process: 0, f: "send", ...c },
      { index: 2, time: 2, process: 1, type: "invoke" as const, f: "poll", value: [["poll"]] },
      {
        index: 3,
        time: 3,
        process: 1,
        type: "ok" as const,
        f: "poll",
        value: [
          [
            "poll",
            {
              "t-0": [
                [0, 7],
                [1, 8],
                [2, 9],
              ],
            },
          ],
        ],
      },
    ];
    const r = check(h, { acks: "all", minInsyncReplicas: 2 });
    expect(r.valid).toBe(false);
    expect(r.anomalies["lost-write"]!.examples.map((f) => f.type === "lost-write" && [f.value, f.offset, f.writer])).toEqual([
      [17, 0, 1],
      [19, 2, 1],
    ]);
    expect(r.anomalies.unseen!.examples.map((f) => f.type === "unseen" && f.value)).toEqual([17, 19]);
  });
});

describe("resolvedSend: a send that resolved, for either client", () => {
  it("under acks 1/all: acknowledged at the answer's offset, and no offset is no acknowledgement", () => {
    expect(resolvedSend(-1, "42", "t", 1)).toEqual({ acked: true, offset: 42 });
    expect(resolvedSend(1, 7n, "t", 1)).toEqual({ acked: true, offset: 7 });
    for (const acks of [-1, 1] as const)
      expect(resolvedSend(acks, undefined, "t", 1)).toMatchObject({ acked: false, error: { name: "NoRecordMetadata" } });
  });
  it("under acks=0: acknowledged, offset unknown, whatever came back", () => {
    expect(resolvedSend(0, undefined, "t", 1)).toEqual({ acked: true, offset: null });
    expect(resolvedSend(0, "3", "t", 1)).toEqual({ acked: true, offset: null });
  });
});
