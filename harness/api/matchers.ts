// vitest matchers for runs: `expect(run).toKeepAcknowledgedWrites()` and friends. Importing this
// module registers them (expect.extend) and types them (the Assertion augmentation below). A
// failure names the anomaly, whether the configuration permits it, the first examples in the
// checkers' words (explainFinding), and the run's report.
import { expect } from "vitest";
import { type AnomalyType, explainFinding, type Results } from "../../checkers/index.ts";

/** What the matchers accept: a run (anything with `results`, and ideally `reportPath`) or Results. */
export type Checked = { results: Results; reportPath?: string; dir?: string } | Results;

export const LOSS: readonly AnomalyType[] = ["lost-write", "unseen"];
export const ORDER: readonly AnomalyType[] = ["nonmonotonic-send", "int-nonmonotonic-send", "nonmonotonic-poll", "int-nonmonotonic-poll"];
export const DUPLICATES: readonly AnomalyType[] = ["duplicate"];

const EXAMPLES = 3;

function unpack(received: unknown): { results: Results; reportPath?: string } {
  const r = received as Partial<{ results: Results; reportPath: string }> & Partial<Results>;
  if (r && typeof r === "object" && r.results && typeof r.results === "object") return { results: r.results, reportPath: r.reportPath };
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

const footer = (reportPath?: string) => (reportPath ? `\nreport: ${reportPath}` : "");

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
        return `expected the run NOT to ${what}, but it found none of ${types.join(", ")} (verdict ${String(results.valid)})${footer(reportPath)}`;
      }
      if (found.length)
        return `expected the run to ${what}, but it found ${found.join(", ")}:\n${describeAnomalies(results, found)}${footer(reportPath)}`;
      return `expected the run to ${what}, but the result is unknown, so absence is not shown: ${results.unknownReason ?? "no reason given"}${footer(reportPath)}`;
    },
  };
}

export function validity(received: unknown, isNot = false): MatcherResult {
  const { results, reportPath } = unpack(received);
  return {
    pass: results.valid === true,
    message: () => {
      if (isNot)
        return `expected the run NOT to be valid, but it is valid (anomalies: ${results.anomalyTypes.join(", ") || "none"})${footer(reportPath)}`;
      if (results.valid === "unknown")
        return `expected the run to be valid, but it is unknown: ${results.unknownReason ?? "no reason given"}${footer(reportPath)}`;
      return `expected the run to be valid, but it found anomalies this configuration forbids: ${results.forbidden.join(", ")}\n${describeAnomalies(results, results.forbidden)}${footer(reportPath)}`;
    },
  };
}

export const harnessMatchers = {
  /** No acknowledged write lost: no lost-write and no unseen. */
  toKeepAcknowledgedWrites(this: { isNot: boolean }, received: unknown) {
    return absenceOf(received, LOSS, "keep acknowledged writes", this.isNot);
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
