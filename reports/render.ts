// renderReport: (spec, history, results, meta) → one self-contained HTML page. Pure apart from
// reading the inlined assets once. The evidence is rendered as HTML on the server side (readable
// even before the script runs); the charts are drawn in the page from embedded data.

import { FAULT_VOCABULARY, type FaultWords, faultRgb } from "../checkers/fault-vocabulary.ts";
import { groupTraceOf } from "../checkers/group-trace.ts";
import { type Derived, deriveChecked, type History, type Op, opPairs, type Results, verdictWord } from "../checkers/index.ts";
import { assets } from "./assets.ts";
import { pageClock } from "./clock.ts";
import { mergedMeta, type ReportMeta, runDetails } from "./details.ts";
import { esc, jsonForScript, scriptText, styleText } from "./escape.ts";
import { anomalySections } from "./evidence.ts";
import { type FaultBand, fmtMs } from "./faults.ts";
import { groupSection } from "./group-section.ts";
import { type CommitMark, commitMarks, groupCharts, groupView, hasGroups } from "./group-view.ts";
import { keyLogs } from "./key-logs.ts";
import { logViews, marksByKey } from "./log-view.ts";
import type { LossMarks } from "./loss-marks.ts";
import { opInfos } from "./ops.ts";
import type { PhaseSpan } from "./phases.ts";
import { Refs } from "./refs.ts";
import { chartData, timeSpan } from "./timeline.ts";
import { hasTxns, txnView } from "./txn-view.ts";
import { faultsSummary, promisesSection, type SpecLike, verdictBanner } from "./verdict.ts";

export interface ReportInput {
  spec?: SpecLike | null;
  /** A recorder's ops may be passed as they are (read-only). */
  history: History | readonly Op[];
  results: Results;
  meta?: ReportMeta;
  /**
   * The checker's derived structures of this same history, when the caller built them to check it
   * (`checkDerived(derive(history, …), …)`): a million-op history's take seconds to build again.
   */
  derived?: Derived;
}

export function renderReport(input: ReportInput): string {
  const history = input.history as History;
  const results = input.results;
  const spec = input.spec ?? undefined;
  const meta = mergedMeta(spec, input.meta);
  // The checker's own derived structures of this history: its op pairs and key logs are what the
  // page shows, so the page cannot disagree with what was judged.
  const derived = input.derived ?? deriveChecked(history, results.config ?? {});
  const pairs = opPairs(derived, history);
  // One clock for every time on the page: from the workload's start (clock.ts).
  const clock = pageClock(history);

  // Keys with findings: their logs, around what the findings name, feed the evidence and the log views.
  const marks = marksByKey(results);
  // A consumer group's commits: beside the records of the key logs; a group-loss's commit is shown.
  // One trace of the groups for the commit marks and the groups view.
  const groups = hasGroups(history) ? groupTraceOf(history) : undefined;
  const commits = groups ? commitMarks(groups) : new Map<string, CommitMark[]>();
  const bounds = groupLossBounds(results);
  const logs = keyLogs(
    derived,
    new Map([...marks].map(([k, m]) => [k, { values: m.values.keys(), offsets: [...m.offsets.keys(), ...(bounds.get(k) ?? [])] }])),
  );
  const logIds = new Map([...marks.keys()].map((k, i) => [k, `log-${i}`]));
  const at = (i: number) => (history[i]?.index === i ? history[i] : undefined);
  const refs = new Refs((i) => {
    const op = at(i);
    return op ? { process: op.process, type: op.type, f: op.f } : undefined;
  });

  const title = [spec?.name ?? "kafka-harness run", meta.startedAt].filter(Boolean).join(" · ");
  const banner = verdictBanner(results, spec, title);
  const promises = promisesSection(results);
  const anomalies = anomalySections(results, { refs, logs, logIds });
  const logsHtml = logViews(results, logs, refs, logIds, commits);
  const details = runDetails(spec, meta, results, clock);
  // Before the op data is gathered: the view links the ops that read each transaction's sends.
  const txns = hasTxns(results) ? txnView({ derived, history, results, refs, at }) : "";
  const view = groups ? groupView(history, clock, timeSpan(history).end, undefined, groups) : undefined;
  const groupsHtml = view ? groupSection(view, refs) : "";
  for (const t of results.anomalyTypes) for (const f of results.anomalies[t]!.examples) for (const i of f.ops) refs.linked.add(i);

  const charts = chartData(history, pairs, results, refs.linked, derived, clock);
  // Before the op data is gathered: the table links the fault ops.
  const faultsHtml = faultTable(charts.faults, refs);
  const ops = Object.fromEntries(opInfos(history, pairs, refs.linked, clock.originNs));
  const data = {
    charts: view ? { ...charts, groups: groupCharts(view) } : charts,
    ops,
    faultRgb: Object.fromEntries(charts.faults.map((b) => [b.f, faultRgb(b.f)])),
  };
  const a = assets();
  const sampledNote = charts.scatter.sampled
    ? `<span class="muted">${charts.scatter.x.length.toLocaleString("en")} of ${charts.scatter.total.toLocaleString("en")} ops drawn: per time slice the fastest and slowest of each outcome, every info and fail op when they are few, and every op a finding names.</span>`
    : `<span class="muted">${charts.scatter.total.toLocaleString("en")} client ops.</span>`;

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(verdictWord(results.valid))} · ${esc(title)}</title>
<style>${styleText(a.uplotCss)}</style>
<style>${styleText(a.reportCss)}</style>
</head><body>
${banner}
<nav class="toc"><a href="#verdict">verdict</a><a href="#timeline">timeline</a><a href="#promises">promises</a><a href="#anomalies">anomalies (${results.anomalyTypes.length})</a>${txns ? `<a href="#txns">transactions (${results.stats.txns.ok + results.stats.txns.info + results.stats.txns.fail})</a>` : ""}${view ? `<a href="#groups">consumer groups (${view.groups.length})</a>` : ""}<a href="#faults">faults</a><a href="#unseen">unseen</a><a href="#logs">logs</a><a href="#details">run details</a></nav>
<main>
<section id="timeline"><h2>Timeline <span class="muted small">seconds from the workload's start</span></h2>
<p class="legend"><span class="dot ok"></span> ok <span class="dot info"></span> info (unknown outcome) <span class="dot fail"></span> fail <span class="band-swatch"></span> fault in force (<a href="#faults">each fault's colour</a>) <span class="mark-swatch"></span> failover / recovery measured${view ? ` <span class="rebalance-swatch"></span> consumer group rebalance` : ""} ${lossLegend(charts.loss, results)} · ${sampledNote} Drag to zoom, double-click to reset; click an op for its details.</p>
${phaseList(charts.phases)}
<div id="chart-latency" class="chart" data-highlight=""></div>
<div id="op-detail" class="op-detail" hidden></div>
<div id="chart-quantiles" class="chart"></div>
<div id="chart-lanes" class="chart"></div>
<div id="chart-rate" class="chart"></div>
</section>
${promises}
<section id="anomalies"><h2>Anomalies</h2>${anomalies}</section>
${txns ? `<section id="txns"><h2>Transactions</h2>${txns}</section>` : ""}
${view ? `<section id="groups"><h2>Consumer groups</h2>${groupsHtml}</section>` : ""}
<section id="faults"><h2>Faults</h2>${faultsHtml}</section>
<section id="unseen"><h2>Unseen writes over time</h2>
<p class="muted">Acknowledged values not yet returned by any ok read, per key. A value read once counts as seen here, even if it is gone from the log later. When nothing is lost this falls to zero during the final reads.</p>
<div id="chart-unseen" class="chart"></div>
${unseenEnd(results)}
</section>
<section id="logs"><h2>Logs of the keys with findings</h2>${logsHtml}</section>
<section id="details"><h2>Run details</h2>${details}</section>
</main>
<noscript><p class="noscript">Charts need JavaScript; the evidence above does not.</p></noscript>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>/*! uPlot: The MIT License (MIT), Copyright (c) 2022 Leon Sorokin */
${scriptText(a.uplotJs)}</script>
<script>${scriptText(a.reportJs)}</script>
</body></html>
`;
}

/** Per key: the commit each group-loss finding lies below, for its key log to show. */
function groupLossBounds(results: Results): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const f of results.anomalies["group-loss"]?.examples ?? []) {
    if (f.type !== "group-loss") continue;
    const k = String(f.key);
    out.set(k, [...(out.get(k) ?? []), f.commit]);
  }
  return out;
}

/** The chart's last count, and what the `unseen` finding adds to it: values read once, then gone
 *  from the final reads, are seen for the chart but unseen at the end. */
function unseenEnd(results: Results): string {
  const never = results.unseenSeries?.points.at(-1)?.total ?? 0;
  const unseen = results.anomalies.unseen?.count ?? 0;
  const gone = unseen - never;
  const more =
    gone > 0
      ? ` and <b>${gone.toLocaleString("en")}</b> read once, then gone from the final reads: <a href="#anomaly-unseen">${unseen.toLocaleString("en")} unseen</a> in all`
      : "";
  return `<p class="unseen-end">At the end: <b>${never.toLocaleString("en")}</b> never read${more}.</p>`;
}

/** The phases the history's markers show, with their times on the page's clock. */
function phaseList(phases: PhaseSpan[]): string {
  if (phases.length === 0) return "";
  const items = phases.map(
    (p) =>
      `<li class="phase" data-phase="${esc(p.name)}" data-from="${p.from}" data-to="${p.to}"><b>${esc(p.name)}</b> ${p.from.toFixed(2)}–${p.to.toFixed(2)} s${p.open ? " (not ended)" : ""}</li>`,
  );
  return `<ol class="phases" id="phases">${items.join("")}</ol>`;
}

/** The legend's entry for the marks of lost and unseen values, with how many there are. */
function lossLegend(m: LossMarks, results: Results): string {
  const parts: string[] = [];
  const kinds = [
    ["lost-write", "lost", "lost write (acknowledged at)"],
    ["unseen", "unseen", "unseen value (acknowledged at)"],
  ] as const;
  kinds.forEach(([type, cls, text], k) => {
    const count = results.anomalies[type]?.count ?? 0;
    if (count === 0) return;
    const drawn = m.k.filter((x) => x === k).length;
    const of =
      drawn < count ? ` (${drawn.toLocaleString("en")} of ${count.toLocaleString("en")} marked)` : ` × ${count.toLocaleString("en")}`;
    parts.push(`<span class="loss-swatch ${cls}"></span> ${text}${of}`);
  });
  return parts.join(" ");
}

/** What each fault of this run does to a node, in its band's colour (checkers/fault-vocabulary.ts). */
function faultLegend(bands: readonly FaultBand[]): string {
  const names = [...new Set(bands.map((b) => b.f))];
  const items = names.map((f) => {
    const words = (FAULT_VOCABULARY as Record<string, FaultWords | undefined>)[f];
    const rgb = faultRgb(f);
    return `<li><span class="fault-swatch" style="background: rgba(${rgb},0.18); border-top-color: rgba(${rgb},0.55)"></span> <b>${esc(f)}</b>${words ? ` <span class="muted">(${esc(words.family)})</span>: ${esc(words.does)}` : ""}</li>`;
  });
  return `<ul class="fault-legend">${items.join("")}</ul>`;
}

function faultTable(bands: FaultBand[], refs: Refs): string {
  if (bands.length === 0) return `<p class="none" id="no-faults">No faults were injected.</p>`;
  const rows = bands.map((b) => {
    const dur = b.open ? `until the end` : fmtMs((b.to - b.from) * 1000);
    const measures = b.measures
      .map((m) => `<span class="measure" title="${esc(m.ended ?? "")}">${esc(m.kind)}: ${esc(m.label)}</span>`)
      .join(" ");
    const undo =
      b.undoIndex !== undefined
        ? `${esc(b.undoF ?? "")} ${refs.op(b.undoIndex, false)}`
        : b.open
          ? `<span class="muted">not undone</span>`
          : "";
    return `<tr class="fault t-${esc(b.type)}"><td>${refs.op(b.index, false)}</td><td><b>${esc(b.label)}</b>${b.reason ? `<div class="muted small">${esc(b.reason)}</div>` : ""}${b.detail ? `<div class="small fault-detail">${esc(b.detail)}</div>` : ""}</td><td>${esc(b.type)}</td><td>${b.from.toFixed(2)} s</td><td>${dur}</td><td>${undo}</td><td>${measures}</td></tr>`;
  });
  return `${faultLegend(bands)}<p class="muted small">Times count from the workload's start.</p><table class="faults"><thead><tr><th>op</th><th>fault</th><th>outcome</th><th>at</th><th>lasted</th><th>undone by</th><th>measured</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}
