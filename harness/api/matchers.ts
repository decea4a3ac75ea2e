// vitest matchers for runs: `expect(run).toKeepAcknowledgedWrites()` and friends. Importing this
// module registers them (expect.extend) and types them (the Assertion augmentation below). A
// failure names the anomaly, whether the configuration permits it, the first examples in the
// checkers' words (explainFinding), and the run's report.
import { expect } from "vitest";
import { type AnomalyType, explainFinding, type Results } from "../../checkers/index.ts";
import { lossSentence } from "../../checkers/loss-summary.ts";

/** What the matchers accept: a run (anything with `results`, and ideally `reportPath` and
 *  `faultsPlanned`) or Results. */
export type Checked = { results: Results; reportPath?: string; dir?: string; faultsPlanned?: number } | Results;

export const LOSS: readonly AnomalyType[] = ["lost-write", "unseen", "committed-lost"];
export const ORDER: readonly AnomalyType[] = ["nonmonotonic-send", "int-nonmonotonic-send", "nonmonotonic-poll", "int-nonmonotonic-poll"];
export const DUPLICATES: readonly AnomalyType[] = ["duplicate"];

const EXAMPLES = 3;

function unpack(received: unknown): { results: Results; reportPath?: string; faultsPlanned?: number } {
  const r = received as Partial<{ results: Results; reportPath: string; faultsPlanned: number }> & Partial<Results>;
  if (r && typeof r === "object" && r.results && typeof r.results === "object")
    return { results: r.results, reportPath: r.reportPath, faultsPlanned: r.faultsPlanned };
  if (r && typeof r === "object" && Array.isArray(r.anomalyTypes) && r.anomalies) return { results: r as Results };
  throw new TypeError("kafka-harness matchers expect a run (from runTest) or the Results of check()/checkHistory()");
}

function describeAnomalies(results: Results, types: readonly AnomalyType[]): string {
  const lines: string[] = [];
  for (const t of types) {
    const a = results.anomalies[t];
    if (!a) continue;
    lines.push(`${t}: ${a.count} (${a.forbidden ? "FORBIDDEN" : "permitted"} by this configuration: ${a.reason})`);
    for (const f of a.examples.slice(0, EXAMPLES)) lines.push(`  - ${explainFinding(f)}`);
    if (a.count > EXAMPLES) lines.push(`  ... and ${a.count - Math.min(EXAMPLES, a.examples.length)} more`);
  }
  return lines.join("\n");
}

/** What every failure message ends with: the loss, stated plainly, and where the report is. */
const footer = (reportPath?: string, results?: Results) =>
  `${results?.loss ? `\nloss: ${lossSentence(results.loss)}` : ""}${reportPath ? `\nreport: ${reportPath}` : ""}`;

export interface MatcherResult {
  pass: boolean;
  message: () => string;
}

/** Passes when none of `types` was found and the run was decidable (not "unknown"). */
export function absenceOf(received: unknown, types: readonly AnomalyType[], what: string, isNot = false): MatcherResult {
  const { results, reportPath } = unpack(received);
  const found = types.filter((t) => results.anomalies[t]);
  const unknown = results.valid === "unknown";
  const pass = found.length === 0 && !unknown;
  return {
    pass,
    message: () => {
      if (isNot) {
        return `expected the run NOT to ${what}, but it found none of ${types.join(", ")} (verdict ${String(results.valid)})${footer(reportPath, results)}`;
      }
      if (found.length)
        return `expected the run to ${what}, but it found ${found.join(", ")}:\n${describeAnomalies(results, found)}${footer(reportPath, results)}`;
      return `expected the run to ${what}, but the result is unknown, so absence is not shown: ${results.unknownReason ?? "no reason given"}${footer(reportPath, results)}`;
    },
  };
}

export function validity(received: unknown, isNot = false): MatcherResult {
  const { results, reportPath } = unpack(received);
  return {
    pass: results.valid === true,
    message: () => {
      if (isNot)
        return `expected the run NOT to be valid, but it is valid (anomalies: ${results.anomalyTypes.join(", ") || "none"})${footer(reportPath, results)}`;
      if (results.valid === "unknown")
        return `expected the run to be valid, but it is unknown: ${results.unknownReason ?? "no reason given"}${footer(reportPath, results)}`;
      return `expected the run to be valid, but it found anomalies this configuration forbids: ${results.forbidden.join(", ")}\n${describeAnomalies(results, results.forbidden)}${footer(reportPath, results)}`;
    },
  };
}

/** "3 applied (1 effective), 0 refused, 0 uncertain of 4 planned": what a run's faults did. */
function faultTally(results: Results, planned?: number): string {
  const f = results.faults;
  if (!f) return "no fault counts (results stored by an older version)";
  return `${f.applied} applied (${f.effective ?? 0} effective), ${f.refused} refused, ${f.uncertain} uncertain${planned === undefined ? "" : ` of ${planned} planned`}`;
}

/**
 * Why a run's absence of loss would be vacuous, or undefined: nothing was acknowledged (nothing could
 * be lost), or it planned faults and none took effect (nothing was put to the test). Planned faults:
 * the run's `faultsPlanned`; for bare Results, the faults the nemesis attempted.
 */
export function vacuity(results: Results, faultsPlanned?: number): string | undefined {
  const x = results.exercised;
  if (!x) return "the results carry no exercised counts (stored by an older version): whether anything was acknowledged is not known";
  if (x.acknowledged === 0) return "nothing was acknowledged, so no loss could be shown";
  const f = results.faults;
  const planned = faultsPlanned ?? (f ? f.applied + f.refused + f.uncertain : 0);
  if (planned > 0 && (f?.effective ?? 0) === 0)
    return `the run planned faults but none took effect (faults ${faultTally(results, faultsPlanned)}), so nothing was put to the test`;
  return undefined;
}

/** Passes when the run kept every acknowledged write and that says something (vacuity above). */
export function keepsAcknowledgedWrites(received: unknown, isNot = false): MatcherResult {
  const absent = absenceOf(received, LOSS, "keep acknowledged writes", isNot);
  const { results, reportPath, faultsPlanned } = unpack(received);
  const why = absent.pass ? vacuity(results, faultsPlanned) : undefined;
  if (!why) return absent;
  return { pass: false, message: () => `expected the run to keep acknowledged writes, but ${why}${footer(reportPath, results)}` };
}

/** Passes when at least `min` faults took effect (checkers/effective-faults.ts). */
export function effectiveFaults(received: unknown, min: number, isNot = false): MatcherResult {
  const { results, reportPath, faultsPlanned } = unpack(received);
  const effective = results.faults?.effective ?? 0;
  return {
    pass: effective >= min,
    message: () =>
      `expected the run ${isNot ? "NOT " : ""}to have at least ${min} effective fault(s), but it had ${effective}: faults ${faultTally(results, faultsPlanned)}${footer(reportPath, results)}`,
  };
}

/** Floors on what a run exercised: acknowledged writes and values read by the workload (each 1 unless given). */
export interface ExercisedFloor {
  acked?: number;
  read?: number;
}

export function exercised(received: unknown, floor: ExercisedFloor = {}, isNot = false): MatcherResult {
  const { results, reportPath } = unpack(received);
  const x = results.exercised;
  const acked = floor.acked ?? 1;
  const read = floor.read ?? 1;
  const pass = x !== undefined && x.acknowledged >= acked && x.read >= read;
  const got = x
    ? `${x.acknowledged} writes acknowledged (${x.acknowledgedAfterFault} after the first effective fault), ${x.read} values read by the workload`
    : "no exercised counts (results stored by an older version)";
  return {
    pass,
    message: () =>
      `expected the run ${isNot ? "NOT " : ""}to have exercised at least ${acked} acknowledged write(s) and ${read} value(s) read, but it had ${got}${footer(reportPath, results)}`,
  };
}

export const harnessMatchers = {
  /** No acknowledged write lost (no lost-write, no unseen), something was acknowledged, and a run
   *  that planned faults had at least one take effect. */
  toKeepAcknowledgedWrites(this: { isNot: boolean }, received: unknown) {
    return keepsAcknowledgedWrites(received, this.isNot);
  },
  /** At least `min` faults reached the data path (a leader moved, an ISR shrank, clients failed). */
  toHaveEffectiveFaults(this: { isNot: boolean }, received: unknown, min: number) {
    return effectiveFaults(received, min, this.isNot);
  },
  /** At least `acked` writes acknowledged and `read` values read by the workload (each 1 unless given). */
  toHaveExercised(this: { isNot: boolean }, received: unknown, floor?: ExercisedFloor) {
    return exercised(received, floor, this.isNot);
  },
  /** Each partition in send order and each consumer reading forward: no nonmonotonic-send/poll (between or within ops). */
  toPreservePartitionOrder(this: { isNot: boolean }, received: unknown) {
    return absenceOf(received, ORDER, "preserve partition order", this.isNot);
  },
  /** No value at two offsets. */
  toHaveNoDuplicates(this: { isNot: boolean }, received: unknown) {
    return absenceOf(received, DUPLICATES, "have no duplicates", this.isNot);
  },
  /** None of the given anomaly types. */
  toHaveNoAnomalies(this: { isNot: boolean }, received: unknown, ...types: AnomalyType[]) {
    return absenceOf(received, types, `have none of ${types.join(", ")}`, this.isNot);
  },
  /** The verdict is valid: nothing the configuration forbids was found, and the run was decidable. */
  toBeValid(this: { isNot: boolean }, received: unknown) {
    return validity(received, this.isNot);
  },
};

expect.extend(harnessMatchers);

export interface HarnessMatchers<R = unknown> {
  toKeepAcknowledgedWrites(): R;
  toHaveEffectiveFaults(min: number): R;
  toHaveExercised(floor?: ExercisedFloor): R;
  toPreservePartitionOrder(): R;
  toHaveNoDuplicates(): R;
  toHaveNoAnomalies(...types: AnomalyType[]): R;
  toBeValid(): R;
}

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-empty-object-type
  interface Assertion<T = any> extends HarnessMatchers<T> {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AsymmetricMatchersContaining extends HarnessMatchers {}
}
