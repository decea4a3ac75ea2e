// Benchmark of the HTML report: render time and file size for generated histories of about 10k,
// 100k and 1M ops (with faults and every family of anomaly injected, so every section is full).
// Run: npx tsx bench/reports.ts
import { pathToFileURL } from "node:url";
import { type CheckConfig, check, type History } from "../checkers/index.ts";
import { renderReport } from "../reports/index.ts";
import { type FaultPlan, generateHistory, type Injection } from "../test/fixtures/reports/generate.ts";

const CONFIG: CheckConfig = {
  acks: "all",
  minInsyncReplicas: 2,
  uncleanLeaderElection: false,
  idempotent: true,
  maxInFlight: 5,
  consumerMode: "assign",
};
const INJECT: Injection[] = ["loss", "duplicate", "inconsistent", "reorder", "poll-skip", "g1a", "precommitted", "cycle"];

/** A history of about `ops` ops: a steady workload whose length is scaled from a short sample. */
export function benchHistory(ops: number): History {
  const base = { seed: 42, producers: 8, consumers: 3, keys: 6, sendsPerSecond: 300 };
  const perSecond = generateHistory({ ...base, seconds: 20 }).length / 20;
  const seconds = Math.max(10, Math.round(ops / perSecond));
  const faults: FaultPlan[] = [];
  for (let at = 9, i = 0; at < seconds - 10; at += Math.max(15, seconds / 8), i++) {
    faults.push({
      f: i % 2 ? "pause" : "kill",
      at,
      duration: 6,
      targets: [`kafka${(i % 3) + 1}`],
      leaderOf: i === 0 ? "t-0" : undefined,
      failoverMs: 3000,
      recoveryMs: 4000,
    });
  }
  return generateHistory({ ...base, seconds, faults, inject: INJECT });
}

export async function benchReports(sizes = [10_000, 100_000, 1_000_000]): Promise<void> {
  console.log("report: ops, check ms, render ms, size");
  for (const n of sizes) {
    const history = benchHistory(n);
    let t = performance.now();
    const results = check(history, CONFIG);
    const checkMs = performance.now() - t;
    t = performance.now();
    const html = renderReport({ spec: { name: `bench-${n}`, seed: 42 }, history, results });
    const renderMs = performance.now() - t;
    const bytes = Buffer.byteLength(html);
    console.log(
      `report: ${history.length.toLocaleString("en")} ops, check ${Math.round(checkMs)} ms, render ${Math.round(renderMs)} ms, ${(bytes / 1024).toFixed(0)} KiB (${results.anomalyTypes.length} anomaly types)`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await benchReports();
