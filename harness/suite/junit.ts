// JUnit XML for CI: one <testsuite> per suite file, one <testcase> per scenario; a scenario whose
// expectation is not met gets a <failure> listing its problems, and <system-out> carries its row of
// the summary table and the report paths of its runs.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ScenarioOutcome } from "./judge.ts";
import { formatSuiteTable } from "./table.ts";

/** Escapes text for XML content and attribute values; drops characters XML 1.0 cannot hold. */
export function escapeXml(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&apos;")
  );
}

export function suiteToJUnit(suiteName: string, outcomes: ScenarioOutcome[]): string {
  const failures = outcomes.filter((o) => !o.met).length;
  const total = ` time="${Math.round(outcomes.reduce((a, o) => a + o.seconds, 0) * 10) / 10}"`;
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="kafka-harness" tests="${outcomes.length}" failures="${failures}" errors="0"${total}>`,
    `  <testsuite name="${escapeXml(suiteName)}" tests="${outcomes.length}" failures="${failures}" errors="0" skipped="0"${total}>`,
  ];
  for (const o of outcomes) {
    const [header, row] = formatSuiteTable([o]).split("\n");
    lines.push(`    <testcase classname="${escapeXml(`kafka-harness.${suiteName}`)}" name="${escapeXml(o.name)}" time="${o.seconds}">`);
    if (!o.met) {
      const message = o.problems[0] ?? "expectation not met";
      lines.push(`      <failure message="${escapeXml(message)}" type="expectation-not-met">${escapeXml(o.problems.join("\n"))}</failure>`);
    }
    const out = [header, row, "", ...o.runs.map((r) => `seed ${r.seed}: ${join(r.dir, "report.html")}`)].join("\n");
    lines.push(`      <system-out>${escapeXml(out)}</system-out>`);
    lines.push(`    </testcase>`);
  }
  lines.push(`  </testsuite>`, `</testsuites>`, "");
  return lines.join("\n");
}

export async function writeJUnit(path: string, suiteName: string, outcomes: ScenarioOutcome[]): Promise<void> {
  await writeFile(path, suiteToJUnit(suiteName, outcomes));
}
