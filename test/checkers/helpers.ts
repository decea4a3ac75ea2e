// Tiny builders so a test reads like the history it checks.
import { expect } from "vitest";
import type { History, Key, Op, OpType, Process, Results, Value } from "../../checkers/index.ts";

type Draft = Omit<Op, "index" | "time">;

const op =
  (type: OpType) =>
  (process: Process, f: string, value?: unknown): Draft => ({ process, type, f, ...(value === undefined ? {} : { value }) });

export const invoke = op("invoke");
export const ok = op("ok");
export const info = op("info");
export const fail = op("fail");

/** ["send", k, v] or, with an offset, ["send", k, [offset, v]]. */
export const send = (k: Key, v: Value, offset?: number): unknown[] => (offset === undefined ? ["send", k, v] : ["send", k, [offset, v]]);
/** ["poll"] or ["poll", {k: [[offset, value], ...]}]. */
export const poll = (result?: Record<string, Array<[number, Value]>>): unknown[] => (result ? ["poll", result] : ["poll"]);

/** Numbers the ops: index = position, time = 10 * position. */
export function history(...drafts: Draft[]): History {
  return drafts.map((d, i) => ({ index: i, time: i * 10, ...d }) as Op);
}

/** An invoke/ok pair for a send op (the invocation carries no offsets). */
export function sendOk(p: Process, ...sends: Array<[Key, Value, number]>): Draft[] {
  return [
    invoke(
      p,
      "send",
      sends.map(([k, v]) => send(k, v)),
    ),
    ok(
      p,
      "send",
      sends.map(([k, v, o]) => send(k, v, o)),
    ),
  ];
}

/** An invoke/ok pair for a poll op. */
export function pollOk(p: Process, result: Record<string, Array<[number, Value]>>): Draft[] {
  return [invoke(p, "poll", [poll()]), ok(p, "poll", [poll(result)])];
}

/** A correct history is valid, unless nothing in it was acknowledged: then its verdict is vacuous,
 *  so unknown with that reason (checkers/exercised.ts). */
export function expectCleanVerdict(r: Results): void {
  if (r.exercised!.acknowledged > 0) expect(r.valid).toBe(true);
  else {
    expect(r.valid).toBe("unknown");
    expect(r.unknownReason).toMatch(/^nothing was acknowledged/);
  }
}
