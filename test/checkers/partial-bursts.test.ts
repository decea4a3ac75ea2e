// Partly acknowledged bursts (harness/clients/burst-outcome.ts, checkers/acked.ts): an info send op
// whose [offset, value] records the broker acknowledged and whose plain records are unknown. Valid
// histories with such bursts check clean; when a burst's acknowledged records vanish from every
// read, the checker reports them (unseen, and lost-write where reads got past their offsets), names
// the burst, and says nothing about its unknown records.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { check, type History, type Key, type Op, type Results, type Value } from "../../checkers/index.ts";
import { expectCleanVerdict, history, info, invoke, pollOk, send, sendOk } from "./helpers.ts";
import { type Model, modelArb } from "./model.ts";
import { findingsOf } from "./mutation-kit.ts";

interface Burst {
  /** Position of the completion, and of its invocation. */
  pos: number;
  inv: number;
  key: Key;
  /** Acknowledged records, and the unknown ones (some appended and read, some never appended). */
  acked: Array<[number, Value]>;
  unknown: Value[];
}

const ERROR = "KafkaJSRequestTimeoutError: Request Produce(key: 0, version: 7) timed out";

/**
 * Turns some of the model's ok send ops into partly acknowledged bursts, as the producer records
 * them when some of a burst's records time out: info, the acknowledged records with their offsets,
 * the others plain; some bursts also carry a record that was never appended (fresh, in no log).
 * Each choice decides one send: whether it is turned, which records stay acknowledged (at least
 * one), and where a never-appended record goes.
 */
function withPartialBursts(m: Model, choices: number[]): { h: History; bursts: Burst[] } {
  const h = structuredClone(m.history);
  const bursts: Burst[] = [];
  let fresh = m.nextValue + 5000;
  m.sends.forEach((s, i) => {
    const c = choices[i % choices.length]!;
    if (c % 3 === 0) return;
    const n = s.values.length;
    let mask = (c >> 2) & ((1 << n) - 1);
    if (mask === 0) mask = 1;
    const neverAppended = (c & 2) !== 0 || mask === (1 << n) - 1 ? fresh++ : undefined;
    const at = (c >> 8) % (n + 1);
    const records: Array<{ v: Value; offset?: number }> = s.values.map((v, j) => ((mask >> j) & 1 ? { v, offset: s.offsets[j]! } : { v }));
    if (neverAppended !== undefined) records.splice(at, 0, { v: neverAppended });
    const op = h[s.pos]!;
    const inv = invocationOf(h, s.pos);
    h[inv]!.value = records.map((r) => ["send", s.key, r.v]);
    op.type = "info";
    op.value = records.map((r) => (r.offset === undefined ? ["send", s.key, r.v] : ["send", s.key, [r.offset, r.v]]));
    op.error = ERROR;
    bursts.push({
      pos: s.pos,
      inv,
      key: s.key,
      acked: records.filter((r) => r.offset !== undefined).map((r) => [r.offset!, r.v]),
      unknown: records.filter((r) => r.offset === undefined).map((r) => r.v),
    });
  });
  return { h, bursts };
}

function invocationOf(h: History, pos: number): number {
  for (let i = pos - 1; i >= 0; i--) if (h[i]!.process === h[pos]!.process && h[i]!.type === "invoke") return i;
  throw new Error(`no invocation before op ${pos}`);
}

const pollResults = (op: Op): Array<Record<string, Array<[number, Value]>>> =>
  Array.isArray(op.value)
    ? (op.value as unknown[][])
        .filter((mop) => mop[0] === "poll" && mop.length === 2)
        .map((mop) => mop[1] as Record<string, Array<[number, Value]>>)
    : [];

/** Removes every value of the burst from every read: a truncation no reader saw. */
function vanish(h: History, b: Burst): History {
  const out = structuredClone(h);
  const gone = new Set<Value>([...b.acked.map(([, v]) => v), ...b.unknown]);
  for (const op of out) {
    for (const res of pollResults(op)) {
      const recs = res[String(b.key)];
      if (recs) res[String(b.key)] = recs.filter(([, v]) => !gone.has(v));
    }
  }
  return out;
}

/** The highest offset of the key any ok op read, or -1. */
function highestRead(h: History, key: Key): number {
  let max = -1;
  for (const op of h)
    if (op.type === "ok") for (const res of pollResults(op)) for (const [o] of res[String(key)] ?? []) max = Math.max(max, o);
  return max;
}

const namedValues = (r: Results, type: "unseen" | "lost-write"): Value[] =>
  (r.anomalies[type]?.examples ?? []).map((f) => (f as { value: Value }).value);

const choicesArb = fc.array(fc.nat(), { minLength: 1, maxLength: 8 });

describe("partly acknowledged bursts", () => {
  it("a valid history with partly acknowledged bursts checks clean, under the strictest configuration", () => {
    fc.assert(
      fc.property(modelArb, choicesArb, (m, choices) => {
        const { h } = withPartialBursts(m, choices);
        for (const config of [{}, { acks: "all" as const, minInsyncReplicas: 1 }]) {
          const r = check(h, config);
          expect(r.anomalyTypes).toEqual([]);
          expectCleanVerdict(r);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("a burst whose acknowledged records vanish from every read shows unseen and lost-write naming them, and nothing about its unknown records", () => {
    let lost = 0;
    let bursts = 0;
    fc.assert(
      fc.property(modelArb, choicesArb, fc.nat(), (m, choices, pick) => {
        const made = withPartialBursts(m, choices);
        if (made.bursts.length === 0) return;
        bursts++;
        const b = made.bursts[pick % made.bursts.length]!;
        const h = vanish(made.h, b);
        const r = check(h, { acks: "all", minInsyncReplicas: 2 });
        for (const t of r.anomalyTypes) expect(["unseen", "lost-write"], `unexpected ${t}`).toContain(t);
        expect(r.valid).toBe(false);
        const bound = highestRead(h, b.key);
        for (const [offset, v] of b.acked) {
          findingsOf(r, "unseen", (f) => f.value === v && f.writer === b.pos && String(f.ops) === String([b.pos]));
          if (offset < bound) {
            lost++;
            findingsOf(r, "lost-write", (f) => f.value === v && f.offset === offset && f.writer === b.pos && f.ops.includes(b.pos));
          }
        }
        // Info still means unknown for the rest of the burst.
        for (const v of b.unknown) {
          expect(namedValues(r, "unseen")).not.toContain(v);
          expect(namedValues(r, "lost-write")).not.toContain(v);
        }
        // Loss is permitted under acks=1 and unclean election, and reported the same.
        for (const config of [{ acks: 1 as const }, { acks: "all" as const, minInsyncReplicas: 1, uncleanLeaderElection: true }]) {
          const permitted = check(h, config);
          expect(permitted.anomalyTypes).toEqual(r.anomalyTypes);
          expect(permitted.valid).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
    // The generator does reach both cases (else this test would prove little).
    expect(bursts).toBeGreaterThan(50);
    expect(lost).toBeGreaterThan(10);
  });

  it("the example: a burst cut short, its acknowledged records truncated and their offsets reused", () => {
    const h = history(
      invoke(0, "send", [send("t-0", 17), send("t-0", 18), send("t-0", 19)]), // 0
      { ...info(0, "send", [send("t-0", 17, 42), send("t-0", 18), send("t-0", 19, 44)]), error: ERROR }, // 1
      ...sendOk(1, ["t-0", 30, 42], ["t-0", 31, 43], ["t-0", 32, 44], ["t-0", 33, 45]), // 2, 3: the new leader's log
      ...pollOk(2, {
        "t-0": [
          [42, 30],
          [43, 31],
          [44, 32],
          [45, 33],
        ],
      }), // 4, 5
    );
    const r = check(h, { acks: "all", minInsyncReplicas: 1 });
    expect(r.valid).toBe(false);
    expect(r.forbidden).toEqual(["lost-write", "unseen"]);
    expect(r.anomalies["lost-write"]!.examples).toEqual([
      { type: "lost-write", key: "t-0", value: 17, index: 0, offset: 42, bound: 3, boundValue: 33, writer: 1, boundReader: 5, ops: [1, 5] },
      { type: "lost-write", key: "t-0", value: 19, index: 2, offset: 44, bound: 3, boundValue: 33, writer: 1, boundReader: 5, ops: [1, 5] },
    ]);
    expect(namedValues(r, "unseen")).toEqual([17, 19]);
    expect(r.anomalies["lost-write"]!.reason).toMatch(/only a power-loss fault drops data a broker had not synced/);
    // The unseen chart counts them too.
    expect(r.unseenSeries.points.at(-1)!.total).toBe(2);
  });

  it("an info txn's offsets acknowledge nothing (its commit is unknown), nor do an unfinished invocation's values", () => {
    const h = history(
      invoke(0, "txn", [send("x", 1), send("x", 2)]),
      info(0, "txn", [send("x", 1, 0), send("x", 2, 1)]),
      invoke(1, "send", [send("x", 3)]),
      ...sendOk(3, ["x", 5, 0]),
      ...pollOk(2, { x: [[0, 5]] }),
    );
    expect(check(h).anomalyTypes).toEqual([]);
  });
});

/** The same bursts, their acknowledgements recorded late: each op's acknowledged records plain, and
 *  one late-ack op per record appended after every other op (so no history index moves). */
function withLateAcks(h: History, bursts: Burst[]): History {
  const out = structuredClone(h);
  for (const b of bursts) {
    const op = out[b.pos]!;
    op.value = (op.value as Array<["send", Key, Value | [number, Value]]>).map(([, k, sent]) => [
      "send",
      k,
      Array.isArray(sent) ? sent[1] : sent,
    ]);
    for (const [offset, v] of b.acked)
      out.push({
        index: out.length,
        time: 0,
        process: op.process,
        type: "info",
        f: "late-ack",
        value: [["send", b.key, [offset, v]]],
        op: b.pos,
      });
  }
  return out;
}

/** Every finding as its type and the value it names. */
const findingValues = (r: Results): string[] =>
  r.anomalyTypes
    .flatMap((t) => (r.anomalies[t]?.examples ?? []).map((f) => `${t} ${JSON.stringify((f as { value?: Value }).value)}`))
    .sort();

describe("late acknowledgements (late-ack ops)", () => {
  it("count as the burst's own acknowledgements: the same verdict and the same findings, clean or with the burst vanished", () => {
    let vanished = 0;
    fc.assert(
      fc.property(modelArb, choicesArb, fc.nat(), (m, choices, pick) => {
        const made = withPartialBursts(m, choices);
        const lost = made.bursts.length ? vanish(made.h, made.bursts[pick % made.bursts.length]!) : made.h;
        if (lost !== made.h) vanished++;
        for (const h of [made.h, lost]) {
          const inOp = check(h, { acks: "all", minInsyncReplicas: 2 });
          const late = check(withLateAcks(h, made.bursts), { acks: "all", minInsyncReplicas: 2 });
          expect(late.valid).toBe(inOp.valid);
          expect(late.anomalyTypes).toEqual(inOp.anomalyTypes);
          expect(findingValues(late)).toEqual(findingValues(inOp));
        }
      }),
      { numRuns: 200 },
    );
    expect(vanished).toBeGreaterThan(50);
  });

  it("acknowledge only a value its info send op left unknown: not a txn's, and an ok op's stays as it was", () => {
    const h = history(
      invoke(0, "txn", [send("x", 1)]),
      info(0, "txn", [send("x", 1)]),
      ...sendOk(1, ["x", 2, 0]),
      invoke(2, "send", [send("x", 3)]),
      info(2, "send", [send("x", 3)]),
      ...pollOk(3, { x: [[0, 2]] }),
    );
    const late = (v: Value, offset: number): Op => ({
      index: h.length,
      time: 0,
      process: 0,
      type: "info",
      f: "late-ack",
      value: [["send", "x", [offset, v]]],
    });
    expect(check([...h, late(1, 1)]).anomalyTypes).toEqual([]);
    expect(check([...h, late(2, 5)]).anomalyTypes).toEqual([]);
    expect(namedValues(check([...h, late(3, 1)]), "unseen")).toEqual([3]);
  });
});
