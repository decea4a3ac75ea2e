// A correct copier history on top of a model history (model.ts): every string key of the model is
// an input key (`t-0`), and copiers copy each record of its log, in order, to the output key
// (`t.out-0`), each value written as its copy attempt (checkers/copy.ts copyValue). Transactional
// copiers may first try a copy in a transaction that aborts (its records sit at output offsets that
// read_committed readers step over) and then copy it again in one that commits; at-least-once
// copiers may copy a record twice (a crash between produce and the offset commit). The final read
// of the output keys returns what committed. Plus one fresh input key of its own (`m-0`), so even a
// model with integer keys (no input keys) has something copied. Plain data: the mutations
// (copy-mutations.ts) drop or repeat one copy.
import fc from "fast-check";
import { copyValue, outputKeyOf } from "../../checkers/copy.ts";
import type { History, Key, Op, Value } from "../../checkers/index.ts";
import type { Model } from "./model.ts";

export type CopyMode = "transactional" | "at-least-once";

/** One input record to copy: its key, offset and value. */
export interface InputRecord {
  key: string;
  offset: number;
  value: number;
}

/** What happens to each input record's copy: copied once (after `failedFirst` aborted attempts,
 *  transactional only) or, at-least-once, `copies` times. */
export interface CopyPlan {
  mode: CopyMode;
  /** Per record (in input order): aborted attempts first (transactional), extra copies (at-least-once). */
  extra: number[];
}

export interface CopyHistory {
  history: History;
  mode: CopyMode;
  records: InputRecord[];
  /** Per input record: the history indexes of the ops that sent a copy of it (in order). */
  copiers: number[][];
  /** Per input record: the output offsets of its committed copies. */
  outputOffsets: number[][];
  /** The fresh input key's writer (an ok send). */
  freshWriter: number;
}

/** Builds the copy history of a model with a given plan (extra attempts per record, cycled). */
export function copyHistoryOf(m: Model, plan: CopyPlan, drop?: number, repeat?: number): CopyHistory {
  const h: History = structuredClone(m.history);
  const add = (d: Omit<Op, "index" | "time">): number => {
    h.push({ index: h.length, time: h.length * 1000, ...d } as Op);
    return h.length - 1;
  };
  let proc = m.nextProc + 100;
  // The fresh input key: three values sent ok at offsets 0-2.
  const fresh = "m-0";
  const freshValues = [m.nextValue + 5000, m.nextValue + 5001, m.nextValue + 5002];
  const wp = proc++;
  add({ process: wp, type: "invoke", f: "send", value: freshValues.map((v) => ["send", fresh, v]) });
  const freshWriter = add({ process: wp, type: "ok", f: "send", value: freshValues.map((v, i) => ["send", fresh, [i, v]]) });
  const inputs: Array<{ key: string; values: Value[] }> = [
    ...m.keys.flatMap((k, i) => (typeof k === "string" ? [{ key: k, values: m.logs[i]! }] : [])),
    { key: fresh, values: freshValues },
  ];
  const records: InputRecord[] = inputs.flatMap(({ key, values }) => values.map((v, offset) => ({ key, offset, value: v as number })));
  const copiers: number[][] = records.map(() => []);
  const outputOffsets: number[][] = records.map(() => []);
  const nextOut = new Map<string, number>();
  const committed = new Map<string, Array<[number, number]>>();
  const take = (key: string) => {
    const o = nextOut.get(key) ?? 0;
    nextOut.set(key, o + 1);
    return o;
  };
  records.forEach((rec, i) => {
    const out = outputKeyOf(rec.key);
    const extra = plan.extra[i % Math.max(1, plan.extra.length)] ?? 0;
    const attempts = (i === drop ? 0 : 1) + extra + (i === repeat ? 1 : 0);
    for (let a = 0; a < attempts; a++) {
      const value = copyValue(rec.value, a);
      const offset = take(out);
      const p = proc++;
      const poll: [string, Record<string, Array<[number, Value]>>] = ["poll", { [rec.key]: [[rec.offset, rec.value]] }];
      // Transactional: the extra attempts come first and abort; the last one commits.
      const aborted = plan.mode === "transactional" && a < extra;
      if (plan.mode === "transactional") {
        add({ process: p, type: "invoke", f: "txn", value: [["poll"]] });
        copiers[i]!.push(add({ process: p, type: aborted ? "fail" : "ok", f: "txn", value: [poll, ["send", out, [offset, value]]] }));
      } else {
        // At-least-once: the poll, then the copy as a send op (acknowledged whatever came after).
        add({ process: p, type: "invoke", f: "poll", value: [["poll"]] });
        add({ process: p, type: "ok", f: "poll", value: [poll] });
        add({ process: p, type: "invoke", f: "send", value: [["send", out, value]] });
        copiers[i]!.push(add({ process: p, type: "ok", f: "send", value: [["send", out, [offset, value]]] }));
      }
      if (!aborted) {
        outputOffsets[i]!.push(offset);
        committed.set(out, [...(committed.get(out) ?? []), [offset, value]]);
      }
    }
  });
  // The final read of the fresh input key and the output keys (read_committed: aborted copies stepped over).
  const fin = proc++;
  const outKeys = [...nextOut.keys()].sort();
  const read: Record<string, Array<[number, Value]>> = {
    [fresh]: freshValues.map((v, i) => [i, v]),
    ...Object.fromEntries(outKeys.map((k) => [k, committed.get(k) ?? []])),
  };
  add({ process: fin, type: "invoke", f: "assign", value: [fresh, ...outKeys] });
  add({ process: fin, type: "ok", f: "assign", value: [fresh, ...outKeys] });
  add({ process: fin, type: "invoke", f: "poll", value: [["poll"]] });
  add({ process: fin, type: "ok", f: "poll", value: [["poll", read]] });
  return { history: h, mode: plan.mode, records, copiers, outputOffsets, freshWriter };
}

export const copyPlanArb: fc.Arbitrary<CopyPlan> = fc.record({
  mode: fc.constantFrom<CopyMode>("transactional", "at-least-once"),
  extra: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }) }), {
    minLength: 1,
    maxLength: 8,
  }),
});

/** A copy plan with no extra attempt: every record copied once, as both modes must do without faults. */
export const ONCE: CopyPlan = { mode: "transactional", extra: [0] };

export type { Key };
