// The checked configuration of a test spec: the one mapping from a spec (a validated TestSpec, or a
// stored spec.json read back by the report) to what the checkers judge against, made from the
// settings table (checkers/settings.ts). Read tolerantly: a spec from an older or newer runner may
// lack fields or hold values outside a field's domain, and a setting left out is judged at its
// strongest by the checkers. Structural, so the checkers import nothing of the harness.
import type { CheckConfig } from "./guarantees.ts";
import { checkValue, configLabels, SETTINGS, specValue, VERDICT_SETTINGS } from "./settings.ts";

/** A spec as it sits in spec.json: only the settings table's paths are read. */
export type SpecSettings = object;

export function checkConfigOfSpec(spec: SpecSettings | undefined): CheckConfig {
  const c: Record<string, unknown> = {};
  for (const s of VERDICT_SETTINGS) {
    // A spec from before workload kinds says nothing: left out, not taken for a queue.
    const value = s.path ? checkValue(s.verdict, specValue(spec, s)) : undefined;
    if (value !== undefined) c[s.verdict.key] = value;
  }
  return c as CheckConfig;
}

/** "kafkajs acks=all minISR=2 idempotent inflight=5 txn read_committed": the client, then every
 *  setting that decides the verdict (a switch when on; the isolation level in txn runs), for the
 *  suite table. Two specs whose checked configurations can judge a history differently get
 *  different labels. */
export function specLabel(spec: SpecSettings): string {
  const run = SETTINGS.flatMap((s) => ("label" in s && !("verdict" in s) ? [s.label(specValue(spec, s))] : []));
  return [...run, ...configLabels(checkConfigOfSpec(spec))].join(" ");
}
