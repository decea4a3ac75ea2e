// store/index.html: every run in the store, newest first, with its configuration, faults, verdict,
// loss and anomaly counts, each row linking to the run's report; sortable by any column, grouped by
// suite and scenario on demand, two runs compared side by side (reports/client/index.js). Pure:
// runs in, HTML out; the comparison's data is embedded, so the page needs nothing else.
import type { AnomalyType, CheckConfig, Results } from "../checkers/index.ts";
import { type LossSummary, lossState } from "../checkers/loss-summary.ts";
import { assets } from "./assets.ts";
import { esc, jsonForScript, scriptText, styleText } from "./escape.ts";
import {
  COLUMNS,
  compareData,
  groupKey,
  groupSummary,
  groupsOf,
  type IndexGroup,
  reportHref,
  runState,
  verdictClass,
} from "./index-columns.ts";
import type { LatencySummary } from "./latency-summary.ts";
import type { StoredExpectation } from "./run-folder.ts";
import type { SpecLike } from "./verdict.ts";

export interface IndexEntry {
  test: string;
  /** The run directory relative to the store, with forward slashes. */
  path: string;
  /** ms since the epoch, for sorting and display. */
  when: number;
  spec?: SpecLike;
  config: CheckConfig;
  /** Absent when the run has no results.json (crashed, or still running). */
  valid?: Results["valid"];
  unknownReason?: string;
  anomalies: Array<{ type: AnomalyType; count: number; forbidden: boolean }>;
  /** Acknowledged writes lost (absent without results, or in older results). */
  loss?: LossSummary;
  /** The faults as the history shows them applied (absent without results, or in older results). */
  faults?: Results["faults"];
  ops?: number;
  hasReport: boolean;
  /** "3.9.1 (ZooKeeper mode)": spec.json's meta.versions.kafka, else the spec's cluster (absent in older runs). */
  kafkaVersion?: string;
  /** The client library the run drove (spec.client; absent in runs from before there was a choice). */
  client?: string;
  /** Seconds from the run's start to its check (meta.finishedAt - meta.startedAt; absent in older runs). */
  durationSeconds?: number;
  /** Latency quantiles of the ok ops per f (spec.json's meta.latency; absent in older runs). */
  latency?: LatencySummary;
  /** The suite's judgement of the run's scenario (expectation.json); absent for runs made by `run`. */
  expectation?: StoredExpectation;
}

/** The run's row: a checkbox for the comparison, a cell per column with its sort key, the report link. */
function row(r: IndexEntry): string {
  const cells = COLUMNS.map((c) => {
    const k = c.key(r);
    return `<td class="c-${c.id}"${k === undefined ? "" : ` data-v="${esc(k)}"`}>${c.cell(r)}</td>`;
  });
  const href = esc(encodeURI(reportHref(r)));
  return `<tr class="run ${verdictClass(r)}" data-verdict="${verdictClass(r)}" data-path="${esc(r.path)}" data-group="${esc(groupKey(r))}"><td class="pick"><input type="checkbox" aria-label="compare ${esc(r.path)}"></td>${cells.join("")}<td><a href="${href}">${r.hasReport ? "report" : "files"}</a></td></tr>`;
}

/** A group's header row, shown when the runs are grouped by suite and scenario. */
function groupRow(g: IndexGroup): string {
  const s = groupSummary(g);
  const met = g.met === undefined ? "" : `<span class="expect ${g.met ? "met" : "not-met"}">${esc(s.expectation)}</span>`;
  return `<tr class="group" data-group="${esc(g.key)}"><td colspan="${COLUMNS.length + 2}"><span class="g-name">${g.suite ? `<span class="muted">${esc(g.suite)} · </span>` : ""}${esc(g.scenario)}</span> <span class="g-runs">${g.runs} run${g.runs === 1 ? "" : "s"}</span> ${met} <span class="g-newest">newest: <span class="verdict ${verdictClass(g.newest)} ${runState(g.newest)}">${esc(s.newest)}</span></span> <span class="g-lost">${esc(s.lost)}</span>${g.suite ? "" : ' <span class="muted">(no suite)</span>'}</td></tr>`;
}

export function renderIndex(runs: IndexEntry[], generatedAt = new Date()): string {
  const sorted = [...runs].sort((a, b) => b.when - a.when || b.path.localeCompare(a.path));
  const n = (v: IndexEntry["valid"]) => sorted.filter((r) => r.valid === v).length;
  const lossy = sorted.filter((r) => r.valid === true && lossState(r.valid, r.loss) === "permitted-loss").length;
  const head = COLUMNS.map(
    (c) =>
      `<th class="c-${c.id}" data-col="${c.id}" data-type="${c.numeric ? "num" : "text"}" aria-sort="${c.id === "started" ? "descending" : "none"}"><button type="button" class="sort">${esc(c.label)}<span class="arrow" aria-hidden="true">${c.id === "started" ? "▼" : ""}</span></button></th>`,
  ).join("");
  const data = { runs: Object.fromEntries(sorted.map((r) => [r.path, compareData(r)])) };
  const body = sorted.length
    ? `<div class="toolbar"><input id="filter" type="search" placeholder="filter: test, verdict, config, fault, anomaly…" autocomplete="off">
<label class="toggle"><input type="checkbox" id="group-toggle"> group by suite and scenario</label>
<button type="button" id="compare-button" disabled>compare two runs</button><span id="compare-hint" class="muted">tick two runs to compare them</span></div>
<section id="compare" hidden></section>
<div class="table-wrap"><table id="runs"><thead><tr><th class="pick"><span class="sr">compare</span></th>${head}<th></th></tr></thead><tbody>${sorted.map(row).join("\n")}
${groupsOf(sorted).map(groupRow).join("\n")}</tbody></table></div>
<script type="application/json" id="index-data">${jsonForScript(data)}</script>`
    : `<p class="muted" id="empty">No runs in the store yet.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kafka-harness runs (${sorted.length})</title>
<style>${styleText(assets().indexCss)}</style></head><body>
<header><h1>kafka-harness runs</h1><div class="counts"><span>${sorted.length} run${sorted.length === 1 ? "" : "s"}</span><span class="c-valid">${n(true) - lossy} valid, nothing lost</span><span class="c-lossy">${lossy} valid with permitted loss</span><span class="c-invalid">${n(false)} invalid</span><span class="c-unknown">${n("unknown")} unknown</span>${n(undefined) ? `<span>${n(undefined)} not checked</span>` : ""}<span class="muted">generated ${esc(generatedAt.toISOString())}</span></div></header>
<main>${body}</main>
<script>${scriptText(assets().indexJs)}</script>
</body></html>
`;
}
