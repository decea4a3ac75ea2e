// What `suite` and `merge` print for a suite's outcomes (pure): the same text and JSON from both, so
// a suite merged from shards reads exactly as the one run unsharded.
import { verdictName } from "../../checkers/verdict.ts";
import { formatDetectionRates, type ScenarioAim } from "./detection-rates.ts";
import type { ScenarioOutcome } from "./judge.ts";
import { formatSuiteTable } from "./table.ts";

/** suite --json's object: a suite's verdict is its expectations' (valid when every one is met); each run has its own. */
export function suiteJson(suite: string, outcomes: readonly ScenarioOutcome[]) {
  const met = outcomes.every((x) => x.met);
  return {
    suite,
    verdict: met ? "valid" : "invalid",
    met,
    scenarios: outcomes.map((x) => ({ ...x, runs: x.runs.map((r) => ({ verdict: verdictName(r.valid), ...r })) })),
  };
}

/** The summary table, what made a scenario not met, and the detection-rate table. */
export function suiteText(suite: string, outcomes: ScenarioOutcome[], aims: readonly ScenarioAim[]): string {
  const lines = [`\nsuite ${suite}`, formatSuiteTable(outcomes)];
  for (const x of outcomes) for (const p of x.problems) lines.push(`  ${x.name}: ${p}`);
  const rates = formatDetectionRates(aims, outcomes);
  if (rates) lines.push("", "detection rates", rates);
  return lines.join("\n");
}
