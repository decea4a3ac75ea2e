// The suite's summary table: one row per scenario, its configuration and faults as short labels,
// the faults applied/effective and writes lost/acknowledged/read per run, the anomalies over its runs (forbidden
// ones starred), the verdicts and whether it was met.
import { specLabel } from "../../checkers/spec-config.ts";
import { verdictInList } from "../../checkers/verdict.ts";
import type { TestSpec } from "../spec/test-spec.ts";
import type { ScenarioOutcome } from "./judge.ts";

/** "kafkajs acks=all minISR=2 idempotent inflight=5 txn read_committed": the client and the
 *  settings that decide the verdict, made from the settings table (checkers/settings.ts). */
export function configLabel(spec: TestSpec): string {
  return specLabel(spec);
}

/** "kill,pause @ leader" or an explicit schedule as "cut-from-brokers@controller then kill@controller". */
export function faultsLabel(spec: TestSpec): string {
  const f = spec.faults;
  if (f.schedule) {
    return f.schedule
      .map(
        (e) =>
          `${e.fault === "partition" ? e.topology : e.fault}${"targets" in e && e.targets ? `@${e.targets.kind === "leader" ? `leader(${e.targets.of})` : e.targets.kind}` : ""}`,
      )
      .join(" then ");
  }
  return f.kinds.length ? `${f.kinds.join(",")} @ ${f.targets.join(",")}` : "none";
}

export function formatSuiteTable(outcomes: ScenarioOutcome[]): string {
  const rows = [
    [
      "scenario",
      "configuration",
      "faults",
      "applied/effective/refused",
      "runs",
      "lost/acked/read",
      "anomalies (* forbidden)",
      "verdicts",
      "expectation",
    ],
  ];
  for (const o of outcomes) {
    const totals = new Map<string, number>();
    const forbidden = new Set<string>();
    for (const r of o.runs) {
      for (const [t, n] of Object.entries(r.anomalies)) totals.set(t, (totals.get(t) ?? 0) + (n ?? 0));
      for (const t of r.forbidden) forbidden.add(t);
    }
    const anomalies = [...totals].map(([t, n]) => `${t}${forbidden.has(t) ? "*" : ""}:${n}`).join(" ") || "none";
    const verdicts = o.runs.map((r) => verdictInList(r.valid)).join(",");
    // Faults applied, and those that reached the data path, per run: what the verdicts rest on.
    const applied = o.runs.map((r) => `${r.faults.applied}/${r.faults.effective}/${r.faults.refused}`).join(",");
    // Acknowledged writes lost (! where forbidden), of those acknowledged, and values the workload
    // read, per run: the loss first, then what it could have been seen in.
    const exercised = o.runs
      .map((r) => `${r.loss ? `${r.loss.lost}${r.loss.permitted ? "" : "!"}` : "?"}/${r.exercised.acknowledged}/${r.exercised.read}`)
      .join(",");
    rows.push([
      o.name,
      o.config,
      o.faults,
      applied,
      String(o.runs.length),
      exercised,
      anomalies,
      verdicts,
      `${o.met ? `met${o.found ? ` (found in ${o.found}/${o.runs.length})` : ""}` : "NOT MET"}${o.known?.length ? `; known client finding: ${o.known.join(", ")}` : ""}`,
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.min(60, Math.max(...rows.map((r) => r[c]!.length))));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ")).join("\n");
}
