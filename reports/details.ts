// Run details: seed, when, the command that started the run and the one that replays it,
// versions, the spec, and links to the stored history, results and node logs (relative, so they
// work from the run directory and from a CI artifact that keeps its layout).
import type { Results } from "../checkers/index.ts";
import { flagWords, RUN_SETTINGS, specValue } from "../checkers/settings.ts";
import { type Clock, clockNote } from "./clock.ts";
import { esc } from "./escape.ts";
import type { SpecLike } from "./verdict.ts";

export interface ReportMeta {
  /** The command line that started the run, and the one that replays it. */
  command?: string | null;
  replay?: string | null;
  startedAt?: string;
  runId?: string;
  /** Component → version (harness, node, kafka, ...). */
  versions?: Record<string, string>;
  /** Files beside the report, relative to it. */
  files?: { history?: string; results?: string; spec?: string; logs?: string[] };
  [extra: string]: unknown;
}

/** The meta block the runner stores inside spec.json (spec.meta), overridden by explicit meta. */
export function mergedMeta(spec: SpecLike | undefined, meta: ReportMeta | undefined): ReportMeta {
  const inner = spec && typeof spec.meta === "object" && spec.meta !== null ? (spec.meta as ReportMeta) : {};
  const top: ReportMeta = {};
  for (const k of ["command", "replay", "startedAt", "runId"] as const) {
    if (spec && typeof spec[k] === "string") top[k] = spec[k] as string;
  }
  return { ...top, ...inner, ...(meta ?? {}) };
}

/** A `kafka-harness run` command line with the spec's settings, for runs that stored none: every
 *  setting of the settings table that has a run flag, so it parses back to the same settings. */
export function reconstructCommand(spec: SpecLike): string {
  return ["kafka-harness run", ...RUN_SETTINGS.flatMap((s) => flagWords(s, specValue(spec, s)))].join(" ");
}

const KNOWN = new Set(["command", "replay", "startedAt", "runId", "versions", "files"]);

export function runDetails(spec: SpecLike | undefined, meta: ReportMeta, results: Results, clock?: Clock): string {
  const rows: Array<[string, string]> = [];
  if (spec?.name) rows.push(["test", esc(spec.name)]);
  rows.push(["seed", spec?.seed !== undefined ? `<code>${esc(spec.seed)}</code>` : `<span class="muted">not recorded</span>`]);
  if (meta.startedAt) rows.push(["started", esc(meta.startedAt)]);
  // The one place the history's own clock shows: every other time counts from the workload's start.
  if (clock)
    rows.push([
      "clock",
      `<span id="clock-offset" data-offset="${(clock.originNs / 1e9).toFixed(3)}" data-source="${clock.source}">${esc(clockNote(clock))}</span>`,
    ]);
  if (meta.runId) rows.push(["run id", `<code>${esc(meta.runId)}</code>`]);
  if (meta.command) rows.push(["started by", `<code class="cmd">${esc(meta.command)}</code>`]);
  if (meta.replay) rows.push(["replay", `<code class="cmd" id="replay">${esc(meta.replay)}</code>`]);
  else if (spec)
    rows.push([
      "replay",
      `<code class="cmd" id="replay">${esc(reconstructCommand(spec))}</code> <span class="muted">(reconstructed from the spec)</span>`,
    ]);
  const versions = Object.entries(meta.versions ?? {});
  if (versions.length) rows.push(["versions", versions.map(([k, v]) => `${esc(k)} <code>${esc(v)}</code>`).join(" · ")]);
  const f = meta.files ?? {};
  const links: string[] = [];
  if (f.history) links.push(`<a href="${esc(encodeURI(f.history))}">history</a>`);
  if (f.results) links.push(`<a href="${esc(encodeURI(f.results))}">results</a>`);
  if (f.spec) links.push(`<a href="${esc(encodeURI(f.spec))}">spec</a>`);
  if (links.length) rows.push(["files", links.join(" · ")]);
  if (f.logs?.length)
    rows.push([
      "node logs",
      f.logs.map((l) => `<a href="${esc(encodeURI(l))}">${esc(l.replace(/^.*\//, "").replace(/\.log$/, ""))}</a>`).join(" · "),
    ]);
  // Anything else the runner noted (workload counters, final reads, ...), as compact JSON.
  for (const [k, v] of Object.entries(meta)) {
    if (KNOWN.has(k) || v === undefined || v === null) continue;
    const text = JSON.stringify(v) ?? String(v);
    rows.push([esc(k), `<code class="note">${esc(text.length > 400 ? `${text.slice(0, 399)}…` : text)}</code>`]);
  }
  const s = results.stats;
  rows.push([
    "history",
    `${s.ops.toLocaleString("en")} ops (${s.clientOps.toLocaleString("en")} client ops, ${s.otherOps.toLocaleString("en")} others, ${s.unfinished} never completed)`,
  ]);
  const table = `<table class="kv">${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join("")}</table>`;
  const specJson = spec ? `<details><summary>spec</summary><pre class="json">${esc(JSON.stringify(spec, null, 2))}</pre></details>` : "";
  const cfg = `<details><summary>checked configuration</summary><pre class="json">${esc(JSON.stringify(results.config, null, 2))}</pre></details>`;
  return table + specJson + cfg;
}
