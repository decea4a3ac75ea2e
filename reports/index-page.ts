// store/index.html: every run in the store, newest first, with its configuration, faults, verdict
// and anomaly counts, each row linking to the run's report. Pure: runs in, HTML out.
import { type AnomalyType, type CheckConfig, type Results, verdictName, verdictWord } from "../checkers/index.ts";
import { type LossSummary, lossSentence, lossState, lostShare } from "../checkers/loss-summary.ts";
import { assets } from "./assets.ts";
import { esc, styleText } from "./escape.ts";
import { faultChips } from "./fault-chips.ts";
import { configChips, type SpecLike } from "./verdict.ts";

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
}

/** "272 / 1,340 (20%)": acknowledged writes lost, with the sentence as its title. */
function lostCell(loss: LossSummary | undefined): string {
  if (!loss) return "";
  const text =
    loss.lost === 0
      ? `0 / ${loss.acknowledged.toLocaleString("en")}`
      : `${loss.lost.toLocaleString("en")} / ${loss.acknowledged.toLocaleString("en")} (${lostShare(loss.lost, loss.acknowledged)})`;
  return `<span class="lost${loss.lost > 0 ? (loss.permitted ? " permitted" : " forbidden") : ""}" title="${esc(lossSentence(loss))}">${esc(text)}</span>`;
}

export function renderIndex(runs: IndexEntry[], generatedAt = new Date()): string {
  const sorted = [...runs].sort((a, b) => b.when - a.when || b.path.localeCompare(a.path));
  const n = (v: IndexEntry["valid"]) => sorted.filter((r) => r.valid === v).length;
  const lossy = sorted.filter((r) => r.valid === true && lossState(r.valid, r.loss) === "permitted-loss").length;
  const rows = sorted.map((r) => {
    const cls = r.valid === undefined ? "unchecked" : verdictName(r.valid);
    const word = r.valid === undefined ? "NOT CHECKED" : verdictWord(r.valid);
    const state = r.valid === undefined ? undefined : lossState(r.valid, r.loss);
    const href = `${r.path}/${r.hasReport ? "report.html" : ""}`;
    const faults = faultChips(r.spec?.faults, r.faults);
    const anomalies = r.anomalies.length
      ? r.anomalies
          .map(
            (a) =>
              `<span class="chip${a.forbidden ? " forbidden" : ""}" title="${a.forbidden ? "forbidden" : "permitted"}">${esc(a.type)} ${a.count.toLocaleString("en")}</span>`,
          )
          .join("")
      : r.valid === undefined
        ? ""
        : `<span class="muted">none</span>`;
    return `<tr class="run ${cls}" data-verdict="${cls}"><td><a href="${esc(encodeURI(href))}">${esc(
      new Date(r.when)
        .toISOString()
        .replace("T", " ")
        .replace(/\.\d+Z$/, " UTC"),
    )}</a></td>
<td>${esc(r.test)}${r.spec?.seed !== undefined ? `<div class="muted">seed ${esc(r.spec.seed)}</div>` : ""}</td>
<td><span class="verdict ${cls}${state ? ` ${state}` : ""}" title="${esc(r.unknownReason ?? (r.loss ? lossSentence(r.loss) : ""))}">${word}${state === "permitted-loss" ? " · LOSS" : ""}</span></td>
<td>${[...(typeof r.spec?.client === "string" ? [`client: ${r.spec.client}`] : []), ...configChips(r.config)].map((c) => `<span class="chip">${esc(c)}</span>`).join("")}</td>
<td>${faults.length ? faults.map((f) => `<span class="chip">${esc(f)}</span>`).join("") : `<span class="muted">?</span>`}</td>
<td>${r.ops === undefined ? "" : r.ops.toLocaleString("en")}</td>
<td>${lostCell(r.loss)}</td>
<td>${anomalies}</td>
<td><a href="${esc(encodeURI(href))}">${r.hasReport ? "report" : "files"}</a></td></tr>`;
  });
  const body = sorted.length
    ? `<input id="filter" type="search" placeholder="filter: test, verdict, config, fault, anomaly…" autocomplete="off">
<table id="runs"><thead><tr><th>started</th><th>test</th><th>verdict</th><th>configuration</th><th>faults</th><th>ops</th><th>lost</th><th>anomalies</th><th></th></tr></thead><tbody>${rows.join("\n")}</tbody></table>`
    : `<p class="muted" id="empty">No runs in the store yet.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kafka-harness runs (${sorted.length})</title>
<style>${styleText(assets().indexCss)}</style></head><body>
<header><h1>kafka-harness runs</h1><div class="counts"><span>${sorted.length} run${sorted.length === 1 ? "" : "s"}</span><span class="c-valid">${n(true) - lossy} valid, nothing lost</span><span class="c-lossy">${lossy} valid with permitted loss</span><span class="c-invalid">${n(false)} invalid</span><span class="c-unknown">${n("unknown")} unknown</span>${n(undefined) ? `<span>${n(undefined)} not checked</span>` : ""}<span class="muted">generated ${esc(generatedAt.toISOString())}</span></div></header>
<main>${body}</main>
<script>
(function () {
  var input = document.getElementById("filter");
  if (!input) return;
  input.addEventListener("input", function () {
    var q = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    document.querySelectorAll("tr.run").forEach(function (tr) {
      var text = tr.textContent.toLowerCase();
      tr.hidden = !q.every(function (w) { return text.indexOf(w) >= 0; });
    });
  });
})();
</script>
</body></html>
`;
}
