// The suite's detection-rate table (pure): for each detection (a scenario that must find an
// anomaly) in how many of its runs it found it, and for each control (one that must never find
// some) in how many a forbidden one appeared, beside the faults effective/applied per run: how
// often the harness saw what it looked for, and under how much fault.
import type { AnomalyType } from "../../checkers/findings.ts";
import type { ScenarioOutcome } from "./judge.ts";
import type { Suite } from "./suite-file.ts";

/** What a scenario looks for: the anomalies it must find, and those it must never find. */
export interface ScenarioAim {
  name: string;
  finds: string[];
  never: string[];
}

export const aimsOf = (suite: Suite, indices: readonly number[]): ScenarioAim[] =>
  indices.map((i) => {
    const s = suite.scenarios[i]!;
    return { name: s.name, finds: [...s.expect.finds], never: [...s.expect.never] };
  });

/** Left-aligned columns, two spaces apart (as the suite table's). */
export function columns(rows: readonly string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** The table, one row per detection or control among `outcomes` (in their order); "" when none. */
export function formatDetectionRates(aims: readonly ScenarioAim[], outcomes: readonly ScenarioOutcome[]): string {
  const byName = new Map(aims.map((a) => [a.name, a]));
  const rows = [["scenario", "kind", "looks for", "found in", "forbidden found in", "effective/applied faults"]];
  for (const o of outcomes) {
    const aim = byName.get(o.name);
    if (!aim || (aim.finds.length === 0 && aim.never.length === 0)) continue;
    const forbidden = o.runs.filter((r) => aim.never.some((t) => r.anomalies[t as AnomalyType])).length;
    rows.push([
      o.name,
      aim.finds.length ? "detection" : "control",
      (aim.finds.length ? aim.finds : aim.never).join(","),
      aim.finds.length ? `${o.found}/${o.runs.length}` : "-",
      aim.never.length ? `${forbidden}/${o.runs.length}` : "-",
      o.runs.map((r) => `${r.faults.effective}/${r.faults.applied}`).join(",") || "-",
    ]);
  }
  return rows.length > 1 ? columns(rows) : "";
}
