// A run's live page (served by serve.ts): a shell that polls the run's live state once a second
// and shows it without a reload: test and seed, phase, the workload's time against its limit,
// faults in force, client ops and their rate, anomalies found live; once the run has finished, its
// verdict and a link to its report. Pure: the run's path in, HTML out.
import { ANOMALY_KIND, ANOMALY_KIND_LABEL } from "../checkers/anomaly-kinds.ts";
import { esc } from "./escape.ts";

const PHASES: Record<string, string> = {
  setup: "starting the cluster",
  workload: "workload and faults",
  heal: "healing and waiting in sync",
  "final-reads": "final reads",
  checking: "checking",
};

export function renderLivePage(runPath: string, route = "/_serve/live", pollMs = 1000): string {
  const url = `${route}?run=${encodeURIComponent(runPath)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>live: ${esc(runPath)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:1280px;padding:0 1em;color:#1d2430}
h1{font-size:1.35em;margin:.2em 0}.muted{color:#6b7380}
.status{display:inline-block;padding:.15em .6em;border-radius:4px;font-weight:700;color:#fff;background:#5b6575}
.status.running{background:#1f6fd1}.status.finished{background:#2b7a3d}.status.crashed,.status.stopped{background:#b3261e}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:1em;margin:1em 0}
.card{border:1px solid #d7dbe2;border-radius:6px;padding:.7em 1em}.card h2{font-size:.95em;margin:0 0 .4em;color:#4a5260;text-transform:uppercase;letter-spacing:.04em}
.big{font-size:1.6em;font-weight:600}.bar{height:8px;background:#e6e9ee;border-radius:4px;overflow:hidden;margin:.4em 0}
.bar>div{height:100%;background:#1f6fd1;width:0}
table{border-collapse:collapse}td,th{padding:.2em .6em;text-align:left;border-bottom:1px solid #eceef2}
.chip{display:inline-block;border:1px solid #c9ced6;border-radius:3px;padding:0 .4em;margin:0 .3em .3em 0;font-size:.9em}
#done{padding:.7em 1em;border-radius:6px;background:#eef6ef;border:1px solid #b7d7bd;display:none}
#done.crashed{background:#fbeceb;border-color:#e2b4b0}
</style></head><body>
<p><a href="/">index</a> · <a href="history.jsonl">history.jsonl</a> · <a href="spec.json">spec.json</a> · <a href="logs/">logs/</a></p>
<h1><span id="test">${esc(runPath)}</span> <span id="status" class="status">…</span></h1>
<p class="muted"><span id="seed"></span> <span id="client"></span> <span id="started"></span></p>
<div id="done"></div>
<div class="grid">
<div class="card"><h2>phase</h2><div class="big" id="phase">…</div><div class="bar"><div id="progress"></div></div><div id="elapsed" class="muted"></div></div>
<div class="card"><h2>client ops</h2><div class="big" id="ops">0</div><div id="op-types" class="muted"></div><div id="rate" class="muted"></div></div>
<div class="card"><h2>faults in force</h2><div id="faults">none</div><div id="fault-counts" class="muted"></div></div>
</div>
<div class="card"><h2>anomalies found so far</h2><p class="muted">Live: only anomalies that no later op can take back (two values at one offset, one value at two offsets, reads of failed writes, out-of-order or skipping records within one op). Loss needs the final reads: the report says it at the end.</p><table id="anomalies"><tbody><tr><td class="muted">none yet</td></tr></tbody></table></div>
<script>(() => {
  const PHASES = ${JSON.stringify(PHASES)};
  // Each type's kind, so ordering within what the client did is not read as loss.
  const KIND = ${JSON.stringify(Object.fromEntries(Object.entries(ANOMALY_KIND).map(([t, k]) => [t, ANOMALY_KIND_LABEL[k]])))};
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  const n = (x) => Number(x).toLocaleString("en");
  let timer;
  function show(s) {
    const m = s.summary;
    $("test").textContent = s.test ?? s.run;
    $("status").textContent = s.status;
    $("status").className = "status " + s.status;
    $("seed").textContent = s.seed !== undefined ? "seed " + s.seed : "";
    $("client").textContent = s.client ? "· client " + s.client : "";
    $("started").textContent = s.startedAt ? "· started " + s.startedAt + (s.status === "running" ? " (" + s.secondsSinceStart + " s ago)" : "") : "";
    $("phase").textContent = s.status === "finished" ? "finished" : PHASES[m.phase] ?? m.phase;
    const limit = m.timeLimitSeconds ?? s.timeLimitSeconds;
    const ran = m.workloadSeconds ?? 0;
    $("elapsed").textContent = m.workloadSeconds === undefined ? "workload not started" : "workload " + ran.toFixed(1) + " s of " + limit + " s";
    $("progress").style.width = limit ? Math.min(100, (100 * ran) / limit) + "%" : "0";
    $("ops").textContent = n(m.clientOps.total);
    $("op-types").textContent = "ok " + n(m.clientOps.ok) + " · fail " + n(m.clientOps.fail) + " · info " + n(m.clientOps.info) + " · " + n(m.lines) + " history lines";
    $("rate").textContent = m.rate + " ops/s over the last seconds";
    $("faults").innerHTML = m.faultsInForce.length
      ? m.faultsInForce.map((f) => '<span class="chip fault">' + esc(f.f) + " " + esc(f.detail ?? f.targets.join(",")) + " since " + f.since + " s</span>").join("")
      : "none";
    $("fault-counts").textContent = m.faultsApplied + " applied, " + m.faultsRefused + " refused so far";
    const types = Object.keys(m.anomalies.counts).sort();
    $("anomalies").tBodies[0].innerHTML = types.length
      ? types.map((t) => {
          const ex = (m.anomalies.examples[t] ?? [])[0];
          return '<tr class="anomaly" data-type="' + esc(t) + '"><th>' + esc(t) + "</th><td>" + n(m.anomalies.counts[t]) + '</td><td class="kind">' + esc(KIND[t] ?? "") + '</td><td class="muted">' + (ex ? "e.g. key " + esc(ex.key) + ", ops " + esc(ex.ops.join(", ")) : "") + "</td></tr>";
        }).join("")
      : '<tr><td class="muted">none yet</td></tr>';
    const done = $("done");
    if (s.status === "finished") {
      done.className = "";
      done.style.display = "block";
      done.innerHTML = "The run has finished: <b>" + esc(s.verdict ?? "") + "</b>" + (s.loss ? " · " + esc(s.loss) : "") + (s.report ? ' · <a id="report-link" href="' + esc(s.report) + '">open its report</a>' : "");
    } else if (s.status === "crashed" || s.status === "stopped") {
      done.className = "crashed";
      done.style.display = "block";
      done.textContent = s.status === "crashed" ? "The run's process is gone: it crashed or was killed before it finished (check its history with kafka-harness check)." : "The run is not running and left no results.";
    } else done.style.display = "none";
    return s.status === "running";
  }
  async function tick() {
    let again = true;
    try {
      again = show(await (await fetch(${JSON.stringify(url)}, { cache: "no-store" })).json());
    } catch {}
    if (again) timer = setTimeout(tick, ${pollMs});
  }
  tick();
})();</script>
</body></html>`;
}
