// A plain summary page for a run, written until the full report (reports/) renders it instead.
import { summarize, type Results } from "../checkers/index.ts";
import type { FinalReadResult } from "./clients/final-reads.ts";
import type { WorkloadStats } from "./workload/execute.ts";
import type { TestSpec } from "./workload/spec.ts";

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderRunReport(spec: TestSpec, results: Results, extra: { finalReads?: FinalReadResult; workload: WorkloadStats; dir: string }): string {
  const verdict = results.valid === true ? "VALID" : results.valid === false ? "INVALID" : "UNKNOWN";
  return `<!doctype html><meta charset="utf-8"><title>${escape(spec.name)} — ${verdict}</title>
<h1>${verdict}</h1>
<pre>${escape(summarize(results, 5))}</pre>
<h2>Workload</h2><pre>${escape(JSON.stringify({ workload: extra.workload, finalReads: extra.finalReads }, null, 2))}</pre>
<h2>Spec (seed ${spec.seed})</h2><pre>${escape(JSON.stringify(spec, null, 2))}</pre>
<p><a href="history.jsonl">history.jsonl</a> · <a href="results.json">results.json</a></p>`;
}
