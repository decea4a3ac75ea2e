// The copier's promise (workload kind "copy"): every record of the input topic appears in the output
// topic exactly once, at the output key of the same partition. Pure, on the derived structures.
//
// The output topic is the input's name plus ".out" (outputTopicOf), so an input key "t-2" is copied
// to "t.out-2". Values are unique per key (docs/design.md, History), and a copier may write one
// input value more than once (an aborted transaction and its retry, or an at-least-once copier that
// crashed before committing its offsets): so each copy attempt writes a value of its own,
// `input * COPY_ATTEMPTS + attempt` (copyValue), and the output log is read back to input values
// here (copiedFrom). An attempt is then one write like any other: a read of an aborted attempt is
// G1a, a committed attempt gone is unseen, and one attempt at two offsets is `duplicate` (the
// copier's producer is idempotent, so that is forbidden in both modes). Two attempts of one input
// record both in the output is `copy-duplicate`, which only this module sees.
//
//   copy-loss       a record of the input (an acknowledged input value, or one the input's log holds)
//                   with fewer copies in the output log than the input has records of it: decided
//                   only with complete final reads (or in a history without phase markers)
//   copy-duplicate  an input value at more output offsets than the input holds it at (at least one)
import { acknowledgedValues } from "./acked.ts";
import { type Derived, F_SEND, F_TXN, opIndex } from "./derive.ts";
import type { Findings } from "./findings.ts";
import type { Key, Value } from "./history.ts";
import { slotValues } from "./log.ts";

/** Copy attempts told apart per input value: the output value's low digits. */
export const COPY_ATTEMPTS = 1000;

export const OUTPUT_SUFFIX = ".out";

export const outputTopicOf = (topic: string): string => `${topic}${OUTPUT_SUFFIX}`;

/** The output key of an input key: same partition, the output topic. */
export function outputKeyOf(inputKey: string): string {
  const dash = inputKey.lastIndexOf("-");
  return `${outputTopicOf(inputKey.slice(0, dash))}${inputKey.slice(dash)}`;
}

/** The value attempt `attempt` (0-based) of copying `input` writes to the output. */
export function copyValue(input: number, attempt: number): number {
  if (!Number.isInteger(attempt) || attempt < 0 || attempt >= COPY_ATTEMPTS)
    throw new Error(`copy attempt ${attempt} of value ${input}: at most ${COPY_ATTEMPTS} attempts per value`);
  return input * COPY_ATTEMPTS + attempt;
}

/** The input value and attempt an output value stands for; undefined for a value no copier wrote. */
export function copiedFrom(output: Value): { value: number; attempt: number } | undefined {
  if (typeof output !== "number" || !Number.isSafeInteger(output) || output < 0) return undefined;
  return { value: Math.floor(output / COPY_ATTEMPTS), attempt: output % COPY_ATTEMPTS };
}

/** One input record's copies, as a finding shows them. */
interface CopyEvidence {
  /** The input key and value, and the offsets the input's log holds it at. */
  key: Key;
  value: number;
  inputOffsets: number[];
  outputKey: Key;
  /** The offsets of its copies in the output log, with the output value (the attempt) at each. */
  outputOffsets: number[];
  outputValues: number[];
  /** History indexes of the ops that wrote a copy of it (any outcome). */
  copiers: number[];
}

export interface CopyLoss extends CopyEvidence {
  type: "copy-loss";
  /** The input value was acknowledged (its writer, history index), or only read from the input's log. */
  writer: number | null;
  acknowledged: boolean;
  ops: number[];
}

export interface CopyDuplicate extends CopyEvidence {
  type: "copy-duplicate";
  ops: number[];
}

/** Input value -> offsets (of one key's log). */
function logByValue(d: Derived, k: number, decode: (v: Value) => number | undefined): Map<number, Array<[number, number]>> {
  const out = new Map<number, Array<[number, number]>>();
  for (const s of d.keySlots[k] ?? []) {
    const offset = d.slotOffset[s]!;
    // An inconsistent offset holds several values: each is in the log there.
    for (const val of slotValues(d, s)) {
      const orig = d.valOrig[val]!;
      const input = decode(orig);
      if (input === undefined) continue;
      let list = out.get(input);
      if (!list) out.set(input, (list = []));
      list.push([offset, orig as number]);
    }
  }
  return out;
}

const asInt = (v: Value): number | undefined => (typeof v === "number" && Number.isSafeInteger(v) ? v : undefined);

/**
 * copy-loss and copy-duplicate for every input key and its output key. `lossDecidable`: the
 * history's final reads completed (or it has no phase markers), so a copy missing from the output
 * log is missing from the output.
 */
export function findCopyAnomalies(d: Derived, out: Findings, lossDecidable: boolean): void {
  const keyIds = new Map(d.keys.map((k, i) => [String(k), i]));
  const acked = acknowledgedValues(d);
  // The ops that sent a copy, per output key number and input value.
  const copiers = new Map<number, Map<number, Set<number>>>();
  for (let o = 0; o < d.nOps; o++) {
    if (d.opF[o] !== F_SEND && d.opF[o] !== F_TXN) continue;
    for (let r = d.opRecStart[o]!; r < d.opRecEnd[o]!; r++) {
      if (d.recPoll[r] === 1) continue;
      const v = d.recVal[r]!;
      const from = copiedFrom(d.valOrig[v]!);
      if (!from) continue;
      const k = d.valKey[v]!;
      let byValue = copiers.get(k);
      if (!byValue) copiers.set(k, (byValue = new Map()));
      let ops = byValue.get(from.value);
      if (!ops) byValue.set(from.value, (ops = new Set()));
      ops.add(opIndex(d, o));
    }
  }
  const valuesOf = new Map<number, number[]>();
  for (let v = 0; v < d.nVals; v++) {
    const k = d.valKey[v]!;
    let list = valuesOf.get(k);
    if (!list) valuesOf.set(k, (list = []));
    list.push(v);
  }
  const inputKeys = d.keys.map((k, i) => [String(k), i] as const).filter(([name]) => isInputKey(name));
  inputKeys.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [name, k] of inputKeys) {
    const ok = keyIds.get(outputKeyOf(name));
    const input = logByValue(d, k, asInt);
    const output = ok === undefined ? new Map<number, Array<[number, number]>>() : logByValue(d, ok, (v) => copiedFrom(v)?.value);
    // Every input value the input's log holds or that was acknowledged, in value order.
    const values = new Map<number, { writer: number | null; acknowledged: boolean }>();
    for (const v of valuesOf.get(k) ?? []) {
      const value = asInt(d.valOrig[v]!);
      if (value === undefined) continue;
      const w = d.valWriter[v]!;
      if (acked[v] === 1 || input.has(value)) values.set(value, { writer: w >= 0 ? opIndex(d, w) : null, acknowledged: acked[v] === 1 });
    }
    for (const value of [...values.keys()].sort((a, b) => a - b)) {
      const inputOffsets = (input.get(value) ?? []).map(([o]) => o);
      const copies = (output.get(value) ?? []).slice().sort((a, b) => a[0] - b[0]);
      const expected = Math.max(inputOffsets.length, 1);
      const lost = lossDecidable && copies.length < expected;
      const duplicated = copies.length > expected;
      if (!lost && !duplicated) continue;
      const { writer, acknowledged } = values.get(value)!;
      const copyOps = [...(ok === undefined ? [] : (copiers.get(ok)?.get(value) ?? []))].sort((a, b) => a - b);
      const evidence = (): CopyEvidence => ({
        key: d.keys[k]!,
        value,
        inputOffsets,
        outputKey: ok === undefined ? outputKeyOf(name) : d.keys[ok]!,
        outputOffsets: copies.map(([o]) => o),
        outputValues: copies.map(([, v]) => v),
        copiers: copyOps,
      });
      const ops = [...new Set([...(writer === null ? [] : [writer]), ...copyOps])];
      if (lost) out.add("copy-loss", () => ({ type: "copy-loss", ...evidence(), writer, acknowledged, ops }));
      if (duplicated) out.add("copy-duplicate", () => ({ type: "copy-duplicate", ...evidence(), ops }));
    }
  }
}

/** A key of the input topic: not itself an output key. */
function isInputKey(name: string): boolean {
  const dash = name.lastIndexOf("-");
  return dash > 0 && !name.slice(0, dash).endsWith(OUTPUT_SUFFIX);
}
