// Where on the timeline the lost writes and unseen values were acknowledged: every one of them,
// not only the checker's examples, found again by the checker's own functions on the same derived
// structures (checkers/loss.ts) with a larger cap, so the marks count what the verdict counted.

import { Findings } from "../checkers/findings.ts";
import { type Derived, type History, type OpPairs, pairOf } from "../checkers/index.ts";
import { findLostWrites, findUnseen } from "../checkers/loss.ts";
import { HARNESS_PROCESS, noPhaseMarks, notePhase } from "../checkers/phases.ts";
import { type Clock, onClock } from "./clock.ts";
import { showValue } from "./escape.ts";
import { round } from "./ops.ts";

/** Marks per kind at most (the page stays small; the counts say how many there were). */
export const LOSS_MARKS = 2000;

export interface LossMarks {
  /** Per mark: the acknowledgement's time (the writer's completion, s), its invocation, the
   *  writer's history index, 0 lost-write / 1 unseen, and "key value". */
  x: number[];
  s: number[];
  i: number[];
  k: number[];
  v: string[];
  /** Found per kind (may exceed the marks drawn). */
  found: [number, number];
}

export function lossMarks(d: Derived, history: History, pairs: OpPairs, clock: Clock, cap = LOSS_MARKS): LossMarks {
  // The checker's own phase reading decides which reads count as final (checkers/check.ts).
  const marks = noPhaseMarks();
  for (const op of history) if (op.process === HARNESS_PROCESS) notePhase(marks, op);
  const out = new Findings(cap);
  findLostWrites(d, out);
  findUnseen(d, out, marks.finalReadsComplete ? marks.finalReadsFrom : undefined);
  const m: LossMarks = { x: [], s: [], i: [], k: [], v: [], found: [out.counts.get("lost-write") ?? 0, out.counts.get("unseen") ?? 0] };
  const wanted = (["lost-write", "unseen"] as const).flatMap((t, k) =>
    (out.examples.get(t) ?? []).map((f) => ({ k, f: f as { writer: number; key: unknown; value: unknown } })),
  );
  for (const { k, f } of wanted) {
    const p = pairOf(pairs, f.writer);
    if (p < 0) continue;
    m.x.push(round(onClock(clock, pairs.done[p]!), 4));
    m.s.push(round(onClock(clock, pairs.inv[p]!), 4));
    m.i.push(f.writer);
    m.k.push(k);
    m.v.push(`${showValue(f.key as never, 24)} ${showValue(f.value as never, 24)}`);
  }
  return m;
}
