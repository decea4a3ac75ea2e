// The index's columns, groups and comparison fields (pure: entries in, text and sort keys out). Each
// column renders its cell and the key the page sorts it by: numbers and times as numbers (the page
// compares them as such), text compared with digits read as numbers, an absent key sorting last.
import { verdictWord } from "../checkers/index.ts";
import { type LossState, lossSentence, lossState, lostShare } from "../checkers/loss-summary.ts";
import { esc } from "./escape.ts";
import { faultChips } from "./fault-chips.ts";
import type { IndexEntry } from "./index-page.ts";
import { configChips } from "./verdict.ts";

export type SortKey = number | string | undefined;

export interface Column {
  id: string;
  label: string;
  /** Sorted as numbers (times, counts, durations) rather than as text. */
  numeric: boolean;
  key(e: IndexEntry): SortKey;
  cell(e: IndexEntry): string;
}

const num = (n: number) => n.toLocaleString("en");
const chip = (text: string, cls = "") => `<span class="chip${cls ? ` ${cls}` : ""}">${esc(text)}</span>`;
const muted = (text: string) => `<span class="muted">${esc(text)}</span>`;

/** "2025-11-25 13:19:00 UTC". */
export const startedText = (when: number) =>
  new Date(when)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");

/** "45.2 s", "12 min 3 s". */
export function durationText(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - 60 * m)} s`;
}

/** The run's state: its verdict and, when valid, whether it lost writes; "unchecked" without results. */
export const runState = (e: IndexEntry): LossState | "unchecked" => (e.valid === undefined ? "unchecked" : lossState(e.valid, e.loss));

const STATE_WORD: Record<LossState | "unchecked", string> = {
  invalid: "INVALID",
  unknown: "UNKNOWN",
  "permitted-loss": "VALID · LOSS",
  clean: "VALID",
  unchecked: "NOT CHECKED",
};
/** The verdict column's order: the runs that need a look first. */
const STATE_RANK: Record<LossState | "unchecked", number> = { invalid: 0, unknown: 1, "permitted-loss": 2, clean: 3, unchecked: 4 };

export const stateWord = (e: IndexEntry) => STATE_WORD[runState(e)];

/** The verdict's class on the page: valid, invalid, unknown or unchecked (the row's data-verdict). */
export const verdictClass = (e: IndexEntry) =>
  e.valid === undefined ? "unchecked" : e.valid === true ? "valid" : e.valid === false ? "invalid" : "unknown";

/** The suite and scenario a run belongs to ("known-answer · acks1-leader-killed"), or its test name. */
export const scenarioOf = (e: IndexEntry) => (e.expectation ? e.expectation.scenario : e.test);

/** "272 / 1,340 (20%)": acknowledged writes lost. */
export function lostText(e: IndexEntry): string {
  const l = e.loss;
  if (!l) return "";
  return l.lost === 0 ? `0 / ${num(l.acknowledged)}` : `${num(l.lost)} / ${num(l.acknowledged)} (${lostShare(l.lost, l.acknowledged)})`;
}

/** "3 applied · 2 effective · 1 refused", from the history (results.faults). */
export function faultCountsText(e: IndexEntry): string {
  const f = e.faults;
  return f ? `${f.applied} applied · ${f.effective} effective · ${f.refused} refused` : "";
}

/** The configuration's chips: the settings that decide the guarantees. */
export const configText = (e: IndexEntry) => configChips(e.config).join(", ");

const anomalyTotal = (e: IndexEntry) => e.anomalies.reduce((a, x) => a + x.count, 0);

/** In the order shown: what was run and its verdict, the writes it lost (a user's first question)
 *  beside the verdict, then how it was run and what it found. */
export const COLUMNS: Column[] = [
  {
    id: "started",
    label: "started",
    numeric: true,
    key: (e) => e.when,
    // The date above the time: the column stays narrow.
    cell: (e) => {
      const text = startedText(e.when);
      const at = text.indexOf(" ");
      return `<a href="${esc(encodeURI(reportHref(e)))}">${esc(text.slice(0, at))} <span class="time">${esc(text.slice(at + 1))}</span></a>`;
    },
  },
  {
    id: "scenario",
    label: "suite · scenario",
    numeric: false,
    key: (e) => (e.expectation ? `${e.expectation.suite} ${e.expectation.scenario}` : e.test),
    cell: (e) =>
      `${e.expectation ? `<div class="muted suite">${esc(e.expectation.suite)}</div>` : ""}${esc(scenarioOf(e))}${
        e.spec?.seed !== undefined ? `<div class="muted">seed ${esc(e.spec.seed)}</div>` : ""
      }`,
  },
  {
    id: "verdict",
    label: "verdict",
    numeric: true,
    key: (e) => STATE_RANK[runState(e)],
    cell: (e) => {
      const state = runState(e);
      const title = e.unknownReason ?? (e.loss ? lossSentence(e.loss) : "");
      return `<span class="verdict ${verdictClass(e)}${state === "unchecked" ? "" : ` ${state}`}" title="${esc(title)}">${STATE_WORD[state]}</span>`;
    },
  },
  {
    id: "lost",
    label: "lost",
    numeric: true,
    key: (e) => e.loss?.lost,
    cell: (e) =>
      e.loss
        ? `<span class="lost${e.loss.lost > 0 ? (e.loss.permitted ? " permitted" : " forbidden") : ""}" title="${esc(lossSentence(e.loss))}">${esc(lostText(e))}</span>`
        : "",
  },
  {
    id: "expectation",
    label: "expectation",
    numeric: true,
    key: (e) => (e.expectation ? (e.expectation.met ? 1 : 0) : undefined),
    cell: (e) => expectationCell(e.expectation),
  },
  {
    id: "kafka",
    label: "Kafka",
    numeric: false,
    key: (e) => e.kafkaVersion,
    // "3.9.1 (ZooKeeper mode)": the version, its metadata mode under it.
    cell: (e) => {
      const [version, mode] = (e.kafkaVersion ?? "").split(/ \((.*)\)$/);
      return `${esc(version ?? "")}${mode ? `<div class="muted">${esc(mode)}</div>` : ""}`;
    },
  },
  { id: "client", label: "client", numeric: false, key: (e) => e.client, cell: (e) => esc(e.client ?? "") },
  {
    id: "config",
    label: "configuration",
    numeric: false,
    key: (e) => configText(e) || undefined,
    cell: (e) =>
      configChips(e.config)
        .map((c) => chip(c))
        .join(""),
  },
  {
    id: "duration",
    label: "duration",
    numeric: true,
    key: (e) => e.durationSeconds,
    cell: (e) => (e.durationSeconds === undefined ? "" : esc(durationText(e.durationSeconds))),
  },
  {
    id: "faults",
    label: "faults",
    numeric: true,
    // Applied first, effective breaking ties: the runs that tested the most come together.
    key: (e) => (e.faults ? e.faults.applied * 10_000 + e.faults.effective : undefined),
    cell: (e) => {
      const chips = faultChips(e.spec?.faults, e.faults);
      const counts = e.faults ? `<div class="counts muted" title="applied · effective · refused">${esc(faultCountsText(e))}</div>` : "";
      return `${chips.length ? chips.map((f) => chip(f)).join("") : muted("?")}${counts}`;
    },
  },
  { id: "ops", label: "ops", numeric: true, key: (e) => e.ops, cell: (e) => (e.ops === undefined ? "" : num(e.ops)) },
  {
    id: "anomalies",
    label: "anomalies",
    numeric: true,
    key: (e) => (e.valid === undefined ? undefined : anomalyTotal(e)),
    cell: (e) =>
      e.anomalies.length
        ? e.anomalies
            .map(
              (a) =>
                `<span class="chip${a.forbidden ? " forbidden" : ""}" title="${a.forbidden ? "forbidden" : "permitted"}">${esc(a.type)} ${a.count.toLocaleString("en")}</span>`,
            )
            .join("")
        : e.valid === undefined
          ? ""
          : muted("none"),
  },
];

export const reportHref = (e: IndexEntry) => `${e.path}/${e.hasReport ? "report.html" : ""}`;

function expectationCell(x: IndexEntry["expectation"]): string {
  if (!x) return "";
  const title = x.met ? `met (suite ${x.suite}, judged with ${x.runs.length} run(s))` : x.problems.join("\n");
  return `<span class="expect ${x.met ? "met" : "not-met"}" title="${esc(title)}">${x.met ? "✓ met" : "✗ NOT MET"}</span>`;
}

/** A group of runs: one suite's scenario, or the runs of one test made without a suite. */
export interface IndexGroup {
  key: string;
  suite?: string;
  scenario: string;
  runs: number;
  /** The newest judgement's, with how many distinct judgements were met of how many (absent: no suite). */
  met?: boolean;
  judgements: { met: number; of: number };
  newest: IndexEntry;
  /** Runs that say what they lost (results with a loss summary), those that lost acknowledged
   *  writes, and the writes they lost in all. */
  measured: number;
  lossyRuns: number;
  lost: number;
}

/** The group a run belongs to (the row's data-group). */
export const groupKey = (e: IndexEntry) => (e.expectation ? `suite:${e.expectation.suite}/${e.expectation.scenario}` : `test:${e.test}`);

/** The groups, newest run first, each summarised from its runs. */
export function groupsOf(entries: readonly IndexEntry[]): IndexGroup[] {
  const byKey = new Map<string, IndexEntry[]>();
  for (const e of [...entries].sort((a, b) => b.when - a.when || b.path.localeCompare(a.path))) {
    const k = groupKey(e);
    byKey.set(k, [...(byKey.get(k) ?? []), e]);
  }
  return [...byKey].map(([key, runs]) => {
    const newest = runs[0]!;
    // A judgement names every run it judged, so each distinct one counts once.
    const judgements = new Map<string, boolean>();
    for (const r of runs) if (r.expectation) judgements.set(`${r.expectation.judgedAt} ${r.expectation.runs.join(",")}`, r.expectation.met);
    const newestJudged = [...runs]
      .filter((r) => r.expectation)
      .sort((a, b) => (b.expectation!.judgedAt > a.expectation!.judgedAt ? 1 : -1))[0];
    return {
      key,
      ...(newest.expectation ? { suite: newest.expectation.suite } : {}),
      scenario: scenarioOf(newest),
      runs: runs.length,
      ...(newestJudged ? { met: newestJudged.expectation!.met } : {}),
      judgements: { met: [...judgements.values()].filter(Boolean).length, of: judgements.size },
      newest,
      measured: runs.filter((r) => r.loss).length,
      lossyRuns: runs.filter((r) => (r.loss?.lost ?? 0) > 0).length,
      lost: runs.reduce((a, r) => a + (r.loss?.lost ?? 0), 0),
    };
  });
}

/** A run as the comparison shows it: labelled fields (compared as text), anomaly counts by type. */
export interface CompareData {
  path: string;
  href: string;
  title: string;
  fields: Array<[label: string, value: string]>;
  anomalies: Record<string, number>;
}

export function compareData(e: IndexEntry): CompareData {
  const f = e.faults;
  const fields: Array<[string, string]> = [
    ["scenario", e.expectation ? `${e.expectation.suite} · ${e.expectation.scenario}` : e.test],
    ["started", startedText(e.when)],
    ["seed", e.spec?.seed === undefined ? "" : String(e.spec.seed)],
    ["configuration", configText(e)],
    ["client", e.client ?? ""],
    ["Kafka version", e.kafkaVersion ?? ""],
    ["duration", e.durationSeconds === undefined ? "" : durationText(e.durationSeconds)],
    ["verdict", stateWord(e)],
    ["expectation", e.expectation ? (e.expectation.met ? "met" : "NOT met") : ""],
    ["lost", e.loss ? lossSentence(e.loss) : ""],
    ["faults", faultChips(e.spec?.faults, e.faults).join(", ")],
    ["faults applied", f ? String(f.applied) : ""],
    ["faults effective", f ? String(f.effective) : ""],
    ["faults refused", f ? String(f.refused) : ""],
    ["ops", e.ops === undefined ? "" : num(e.ops)],
    // Runs stored before latencies were kept have none: no rows then.
    ...Object.entries(e.latency ?? {}).map(([f, l]): [string, string] => [
      `latency ${f} p50 / p95 / p99 / max`,
      `${[l.p50, l.p95, l.p99, l.max].map((ms) => num(ms)).join(" / ")} ms (${num(l.count)} ops)`,
    ]),
  ];
  return {
    path: e.path,
    href: reportHref(e),
    title: `${scenarioOf(e)} · ${startedText(e.when)}`,
    fields,
    anomalies: Object.fromEntries(e.anomalies.map((a) => [`${a.type}${a.forbidden ? " (forbidden)" : ""}`, a.count])),
  };
}

/** Text for a group's header row: "3 runs · expectation met (2 of 2 judgements) · newest VALID · 272 lost in 1 run". */
export function groupSummary(g: IndexGroup): { expectation: string; newest: string; lost: string } {
  return {
    expectation:
      g.met === undefined
        ? ""
        : `${g.met ? "met" : "NOT met"}${g.judgements.of > 1 ? ` (met in ${g.judgements.met} of ${g.judgements.of} suite runs)` : ""}`,
    newest: stateWord(g.newest),
    lost: g.lossyRuns
      ? `${num(g.lost)} lost in ${g.lossyRuns} of ${g.runs} run${g.runs === 1 ? "" : "s"}`
      : g.measured
        ? "nothing lost"
        : "",
  };
}
