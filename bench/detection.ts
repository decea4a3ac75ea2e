// Detection rates (`npm run bench -- detection [--runs N] [--only a,b]`): each scenario of the
// known-answer suite that must find something, and each control that must never find something,
// run N times (default 5) with fresh seeds on one shared cluster. Prints, per scenario: in how many
// runs the expected anomaly was found, the median time from the first applied fault to the first
// acknowledged-then-lost write, the forbidden findings of the controls, the faults effective and
// applied in each run, and in how many runs the scenario's expectation (suite/judge.ts) was met.
// Needs a Docker engine; takes about a minute per run. Prints figures; asserts nothing.

import { faultIntervals } from "../checkers/faults.ts";
import type { AnomalyType, History, Results } from "../checkers/index.ts";
import { readHistoryFile } from "../checkers/index.ts";
import { DEFAULT_SUITE } from "../harness/cli.ts";
import { executeRun } from "../harness/run/runner.ts";
import { sharedClusters } from "../harness/run/shared-cluster.ts";
import { judge, scenarioRunOf } from "../harness/suite/judge.ts";
import { readSuiteFile, scenarioSpec } from "../harness/suite/suite-file.ts";

interface Row {
  scenario: string;
  kind: "detection" | "control";
  runs: number;
  found: number;
  lossDelays: number[];
  forbidden: number;
  /** Per run: faults effective / applied. */
  faults: string[];
  /** Runs that met the scenario's expectation on their own (a detection's finds aside). */
  met: number;
  seeds: number[];
}

const LOSS: AnomalyType[] = ["lost-write", "unseen", "committed-lost"];

/** ms from the first applied fault to the earliest acknowledgement among the lost values the
 *  checker kept as examples (up to 32 per type: an upper bound on the first loss). */
export function firstLossDelayMs(history: History, results: Results): number | undefined {
  const applied = faultIntervals(history).faults.filter((f) => f.type === "ok");
  if (applied.length === 0) return undefined;
  const firstFault = Math.min(...applied.map((f) => f.start));
  const byIndex = new Map(history.map((op) => [op.index, op]));
  let first = Infinity;
  for (const t of LOSS) {
    for (const ex of results.anomalies[t]?.examples ?? []) {
      for (const i of ex.ops) {
        const op = byIndex.get(i);
        if (op && op.type !== "invoke" && (op.f === "send" || op.f === "txn") && op.time < first) first = op.time;
      }
    }
  }
  return Number.isFinite(first) ? Math.round((first - firstFault) / 1e6) : undefined;
}

const median = (xs: number[]) => {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function benchDetection(args: string[]): Promise<void> {
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const runs = Number(flag("--runs") ?? 5);
  const only = flag("--only")?.split(",");
  const suite = await readSuiteFile(DEFAULT_SUITE);
  const progress = (m: string) => console.error(m);
  const clusters = sharedClusters({ share: true, progress });
  const rows: Row[] = [];
  const base = Date.now() % 2 ** 30; // fresh seeds each time the bench runs
  try {
    for (const [index, s] of suite.scenarios.entries()) {
      if (only && !only.includes(s.name)) continue;
      const kind = s.expect.finds.length ? "detection" : s.expect.never.length ? "control" : undefined;
      if (!kind) continue;
      const row: Row = { scenario: s.name, kind, runs: 0, found: 0, lossDelays: [], forbidden: 0, faults: [], met: 0, seeds: [] };
      rows.push(row);
      for (let k = 0; k < runs; k++) {
        const seed = (base + index * 7919 + k * 104_729) % 2 ** 31;
        const spec = scenarioSpec(suite, index, seed);
        progress(`detection: ${s.name} run ${k + 1}/${runs} (seed ${seed})`);
        const out = await executeRun(spec, {
          storeRoot: "store/bench-detection",
          progress,
          cluster: await clusters.clusterFor(spec.cluster),
          command: `npm run bench -- detection (${s.name})`,
        });
        const history = await readHistoryFile(out.historyPath);
        row.runs++;
        row.seeds.push(seed);
        const f = out.results.faults;
        row.faults.push(`${f?.effective ?? 0}/${f?.applied ?? 0}`);
        // Judged alone, a detection run need not find anything: only the other expectations count here.
        if (judge({ ...s, expect: { ...s.expect, finds: [] } }, [scenarioRunOf(out)]).met) row.met++;
        const targets = kind === "detection" ? s.expect.finds : s.expect.never;
        const hit = targets.some((t) => out.results.anomalies[t as AnomalyType]);
        if (kind === "detection" && hit) {
          row.found++;
          const delay = firstLossDelayMs(history, out.results);
          if (delay !== undefined) row.lossDelays.push(delay);
        }
        if (kind === "control") row.forbidden += out.results.forbidden.reduce((a, t) => a + out.results.anomalies[t]!.count, 0);
      }
    }
  } finally {
    await clusters.stop();
  }
  const table = [
    [
      "scenario",
      "kind",
      "found in",
      "median first fault → first lost ack",
      "forbidden findings",
      "runs met",
      "faults effective/applied per run",
      "seeds",
    ],
  ];
  for (const r of rows) {
    const m = median(r.lossDelays);
    table.push([
      r.scenario,
      r.kind,
      r.kind === "detection" ? `${r.found}/${r.runs}` : "-",
      r.kind === "detection" ? (m === undefined ? "-" : `${(m / 1000).toFixed(1)} s`) : "-",
      r.kind === "control" ? String(r.forbidden) : "-",
      `${r.met}/${r.runs}`,
      r.faults.join(","),
      r.seeds.join(","),
    ]);
  }
  console.log(
    `| ${table[0]!.join(" | ")} |\n|${table[0]!.map(() => "---").join("|")}|\n${table
      .slice(1)
      .map((r) => `| ${r.join(" | ")} |`)
      .join("\n")}`,
  );
}
