// The top of the report: the verdict in one glance (valid / invalid / unknown and why), the
// configuration that was judged, and the table of promises it makes, each kept, broken or not
// promised.
import { ANOMALY_KIND_LABEL, byKind } from "../checkers/anomaly-kinds.ts";
import { type AnomalyType, type FaultCounts, type Results, verdictName, verdictWord } from "../checkers/index.ts";
import { type LossState, lossOf, lossSentence, lossState } from "../checkers/loss-summary.ts";
import { configChips } from "../checkers/settings.ts";
import { esc } from "./escape.ts";
import { faultChips } from "./fault-chips.ts";
import { type PromiseRow, promiseTable } from "./promises.ts";

export type SpecLike = Record<string, unknown> & {
  name?: string;
  seed?: number;
  /** The Kafka client library the run drove (absent in runs from before there was a choice: kafkajs). */
  client?: string;
  cluster?: { brokers?: number; zookeepers?: number };
  topic?: { name?: string; partitions?: number; replicationFactor?: number; minInsyncReplicas?: number; uncleanLeaderElection?: boolean };
  producer?: { acks?: 0 | 1 | "all"; idempotent?: boolean; maxInFlight?: number; retries?: number };
  consumer?: { mode?: string; count?: number; isolation?: string };
  workload?: { kind?: string; abortRate?: number; producers?: number; rate?: number; timeLimitSeconds?: number };
  faults?: { kinds?: string[]; schedule?: unknown[] };
};

// The settings that decide the guarantees, as short chips, come from the settings table
// (checkers/settings.ts); a setting not given reads "(assumed)".
export { configChips };

/** The run's shape from the spec (cluster, topic, workload) and the faults the history shows applied. */
export function runChips(spec: SpecLike | undefined, faults?: Results["faults"]): string[] {
  if (!spec) return [];
  const out: string[] = [];
  if (typeof spec.client === "string") out.push(`client: ${spec.client}`);
  if (spec.cluster?.brokers !== undefined) out.push(`${spec.cluster.brokers} broker${spec.cluster.brokers === 1 ? "" : "s"}`);
  if (spec.topic?.partitions !== undefined)
    out.push(`${spec.topic.partitions} partition${spec.topic.partitions === 1 ? "" : "s"} × RF ${spec.topic.replicationFactor ?? "?"}`);
  const applied = faultChips(spec.faults, faults);
  if (applied.length) out.push(applied[0] === "no faults" ? "no faults" : `faults: ${applied.join(", ")}`);
  if (spec.workload?.timeLimitSeconds !== undefined) out.push(`${spec.workload.timeLimitSeconds} s`);
  if (spec.seed !== undefined) out.push(`seed ${spec.seed}`);
  return out;
}

export function headline(results: Results, rows: PromiseRow[]): string {
  if (results.valid === "unknown") return `Could not decide: ${results.unknownReason ?? "no reason given"}.`;
  const broken = rows.filter((r) => r.status === "broken");
  if (results.valid === false) {
    if (broken.length)
      return `Kafka broke ${broken.length === 1 ? "a promise" : `${broken.length} promises`} this configuration makes: ${broken.map((r) => r.text.toLowerCase()).join("; ")}.`;
    return `Forbidden anomalies were found: ${results.forbidden.join(", ")}.`;
  }
  const kept = rows.filter((r) => r.status === "kept").length;
  const permitted = results.anomalyTypes.filter((t) => !results.anomalies[t]!.forbidden);
  const also = permitted.length ? ` Found, and permitted by it: ${permitted.join(", ")}.` : "";
  return `Every promise this configuration makes held (${kept} of ${rows.length}; the others are not promised by it).${also}`;
}

/** The four states apart by a mark and words, not only the banner's colour. */
export const STATE_MARK: Record<LossState, string> = { clean: "✓", "permitted-loss": "⚠", invalid: "✗", unknown: "?" };
export const STATE_LABEL: Record<LossState, string> = {
  clean: "nothing lost",
  "permitted-loss": "with permitted loss",
  invalid: "a promise broken",
  unknown: "not decided",
};
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function verdictBanner(results: Results, spec: SpecLike | undefined, title: string): string {
  const t = results.stats.txns;
  const txns = hasTxns(results);
  const rows = promiseTable(results.guarantees, results, txns);
  const cls = verdictName(results.valid);
  const s = results.stats;
  const chips = (xs: string[], c: string) => xs.map((x) => `<span class="chip ${c}">${esc(x)}</span>`).join("");
  const chip = (t: AnomalyType) => {
    const a = results.anomalies[t]!;
    return `<a class="chip ${a.forbidden ? "forbidden" : "permitted"}" href="#anomaly-${esc(t)}">${esc(t)} <b>${a.count.toLocaleString("en")}</b></a>`;
  };
  // By kind, so ordering noise (int-send-skip in almost every run) never reads as loss.
  const groups = byKind(results.anomalyTypes).map(
    (g) =>
      `<div class="kind-group" data-kind="${g.kind}"><span class="kind-label">${esc(ANOMALY_KIND_LABEL[g.kind])}</span>${g.types.map(chip).join("")}</div>`,
  );
  const found = groups.length
    ? `<div class="found">${groups.join("")}</div>`
    : `<div class="found"><span class="chip clean">no anomalies</span></div>`;
  const txnStats = txns ? ` · transactions committed/unknown/aborted ${t.ok}/${t.info}/${t.fail}` : "";
  const stats = `${s.ops.toLocaleString("en")} ops · ${s.clientOps.toLocaleString("en")} client ops · ${s.keys} keys · ${s.processes} processes · sends ok/info/fail ${s.sends.ok}/${s.sends.info}/${s.sends.fail}${txnStats} · ${s.valuesSent.toLocaleString("en")} values sent, ${s.valuesRead.toLocaleString("en")} read`;
  // Results stored before the loss was counted get it from their anomaly counts.
  const lost = lossOf(results);
  const state = lossState(results.valid, lost);
  const loss = `<p class="loss" id="loss">${STATE_MARK[state]} ${esc(capitalize(lossSentence(lost)))}.</p>`;
  return `<header class="verdict ${cls} ${state}" id="verdict" data-verdict="${cls}" data-state="${state}">
<div class="verdict-body">
<div class="verdict-main"><div class="word">${verdictWord(results.valid)}</div><div class="state-label">${STATE_LABEL[state]}</div><div class="title">${esc(title)}</div></div>
${loss}
<p class="headline">${esc(headline(results, rows))}</p>
${found}
<div class="config">${chips(configChips(results.config, txns), "cfg")}${chips(runChips(spec, results.faults), "run")}</div>
<p class="stats">${esc(stats)}</p>
</div>
${faultsSummary(results.faults)}
</header>`;
}

const hasTxns = (results: Results): boolean => {
  const t = results.stats.txns;
  return t.ok + t.info + t.fail > 0 || results.config.transactional === true;
};

/** The table of promises, each kept, broken or not promised. */
export function promisesSection(results: Results): string {
  const rows = promiseTable(results.guarantees, results, hasTxns(results));
  return `<section id="promises"><h2>What this configuration promises</h2>${promiseTableHtml(rows)}</section>`;
}

/**
 * The faults at a glance, beside the verdict: applied (completed ok), effective (shown to have
 * reached the data path; absent from results stored before it was counted), refused (failed before
 * anything happened) and uncertain (info: may have half-happened), with the applied per kind.
 */
export function faultsSummary(f: (Omit<FaultCounts, "effective"> & { effective?: number }) | undefined): string {
  if (!f)
    return `<aside class="faults-summary" id="faults-summary"><div class="fs-title">Faults</div><div class="muted-w">not counted in these results</div></aside>`;
  if (f.applied + f.refused + f.uncertain === 0)
    return `<aside class="faults-summary" id="faults-summary" data-applied="0"><div class="fs-title">Faults</div><div class="fs-none">none applied</div></aside>`;
  const kinds = Object.entries(f.byKind)
    .filter(([, c]) => c.applied + c.refused + c.uncertain > 0)
    .map(([k, c]) => {
      const eff = c.effective === undefined ? "" : ` · ${c.effective} effective`;
      return `<li data-kind="${esc(k)}"><b>${esc(k)}</b> ${c.applied} applied${eff}${c.refused ? ` · ${c.refused} refused` : ""}${c.uncertain ? ` · ${c.uncertain} uncertain` : ""}</li>`;
    });
  const cell = (name: string, n: number | undefined, title: string) =>
    `<div class="fs-cell" data-count="${name}" title="${esc(title)}"><b>${n === undefined ? "–" : n.toLocaleString("en")}</b><span>${name}</span></div>`;
  const effective =
    f.effective === undefined
      ? cell("effective", undefined, "not counted: these results were stored before effective faults were counted")
      : cell(
          "effective",
          f.effective,
          "applied, and shown to have reached the data path during the workload (a leader moved, the ISR shrank, clients were disturbed)",
        );
  return `<aside class="faults-summary" id="faults-summary" data-applied="${f.applied}"${f.effective === undefined ? "" : ` data-effective="${f.effective}"`}>
<div class="fs-title"><a href="#faults">Faults</a></div>
<div class="fs-cells">${cell("applied", f.applied, "completed ok: in force")}${effective}${cell("refused", f.refused, "failed before anything happened")}${cell("uncertain", f.uncertain, "info: may have half-happened")}</div>
<ul class="fs-kinds">${kinds.join("")}</ul>
</aside>`;
}

const STATUS: Record<PromiseRow["status"], string> = {
  kept: "✔ kept",
  broken: "✘ broken",
  "not-promised": "– not promised",
  "not-tested": "? not tested",
};

export function promiseTableHtml(rows: PromiseRow[]): string {
  const body = rows.map((r) => {
    const evidence = r.broken.length
      ? r.broken
          .map((b) => `<a href="#anomaly-${esc(b.type)}"><code>${esc(b.type)}</code> × ${b.count.toLocaleString("en")}</a>`)
          .join(", ")
      : "";
    const permitted = r.permittedFound.length
      ? `<div class="muted">also found, permitted here: ${r.permittedFound.map((b) => `<a href="#anomaly-${esc(b.type)}"><code>${esc(b.type)}</code> × ${b.count.toLocaleString("en")}</a>`).join(", ")}</div>`
      : "";
    const checked = r.forbidden.length
      ? `<div class="muted small">checked by: ${r.forbidden.map((t) => `<code>${esc(t)}</code>`).join(" ")}</div>`
      : "";
    return `<tr class="promise ${r.status}" data-promise="${r.id}" data-status="${r.status}"><td class="status">${STATUS[r.status]}</td><td class="text">${esc(r.text)}${checked}</td><td class="why">${evidence ? `<div>${evidence}</div>` : ""}<div>${esc(r.reason)}</div>${permitted}</td></tr>`;
  });
  return `<table class="promises"><thead><tr><th>status</th><th>promise</th><th>evidence / reason</th></tr></thead><tbody>${body.join("")}</tbody></table>`;
}
