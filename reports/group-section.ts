// The consumer groups section, shown when the history has group ops: per group its counts
// (members, rebalances, crashes, leaves, stalls, commits by outcome), two lane charts the page's
// script draws from the embedded data (a lane per key: which member owned it when; a lane per
// member: its join, stalls, crash or leave), and a row per member. Everything from the history is escaped.
import { esc } from "./escape.ts";
import type { CommitCounts, GroupOf, GroupView } from "./group-view.ts";
import type { Refs } from "./refs.ts";

/** Member rows per group at most. */
export const MEMBER_ROWS = 200;
/** Member rows shown without a click. */
export const MEMBER_ROWS_OPEN = 12;

const n = (x: number) => x.toLocaleString("en");

export function groupSection(v: GroupView, refs: Refs): string {
  const left = v.leftOut;
  const cut =
    left.spans + left.events + left.rebalances > 0
      ? `<p class="muted small group-cut">Drawn: the first of each; left out past the page's caps: ${n(left.spans)} spans, ${n(left.events)} member events, ${n(left.rebalances)} rebalances (the counts include them).</p>`
      : "";
  const legend = `<p class="legend"><span class="own-swatch"></span> a member owns the key (from its assignment to its revocation, crash or leave; coloured by member) <span class="join-swatch"></span> joined <span class="crash-swatch">✕</span> crashed <span class="leave-swatch"></span> left <span class="stall-swatch"></span> stalled <span class="rebalance-swatch"></span> rebalance (the assignment changing: from the first key taken away or handed out to every key owned again; also shaded on the timeline)</p>`;
  return `${legend}${cut}${v.groups.map((g, j) => groupHtml(g, j, refs)).join("\n")}`;
}

function groupHtml(g: GroupOf, j: number, refs: Refs): string {
  const c = g.counts;
  const unfinished = g.rebalances.filter((r) => r.unfinished).length;
  const crashes = Object.entries(g.crashesBy)
    .map(([how, k]) => `${n(k)} ${esc(how)}`)
    .join(", ");
  const counts = `<p class="group-counts" data-keys="${g.keys.length}" data-members="${g.members.length}" data-rebalances="${c.rebalances}" data-crashes="${c.crashes}" data-leaves="${c.leaves}" data-stalls="${c.stalls}" data-commits-ok="${g.commits.ok}" data-commits-fail="${g.commits.fail}" data-commits-info="${g.commits.info}" data-commits-unfinished="${g.commits.unfinished}" data-commits-auto="${g.commits.auto}"><b>${n(g.members.length)}</b> members over ${n(g.keys.length)} keys · <b>${n(c.rebalances)}</b> rebalances${unfinished ? ` (${unfinished} unfinished at the end)` : ""} · <b>${n(c.crashes)}</b> crashes${crashes ? ` (${crashes})` : ""} · <b>${n(c.leaves)}</b> leaves · <b>${n(c.stalls)}</b> stalls</p><p class="group-commits">Commits: ${commitText(g.commits)}</p>`;
  return `<article class="group" data-group="${esc(g.name)}"><h3>group <code>${esc(g.name)}</code></h3>${counts}<div id="chart-group-${j}" class="chart group-chart" data-group="${j}"></div><div id="chart-members-${j}" class="chart member-chart" data-group="${j}"></div>${memberTable(g, refs)}</article>`;
}

function commitText(c: CommitCounts): string {
  const total = c.ok + c.fail + c.info + c.unfinished;
  if (total === 0) return `<span class="muted">none</span>`;
  return `<b>${n(c.ok)}</b> acknowledged (ok${c.auto ? `, ${n(c.auto)} of them auto-commits` : ""}) · <b>${n(c.fail)}</b> refused (fail) · <b>${n(c.info)}</b> unknown (info) · <b>${n(c.unfinished)}</b> never completed`;
}

const END_TEXT = {
  open: `<span class="muted">in the group at the end</span>`,
  crash: `<b class="crashed">crashed</b>`,
  leave: "left",
} as const;

function memberTable(g: GroupOf, refs: Refs): string {
  if (g.members.length === 0) return "";
  const spans = new Array<number>(g.members.length).fill(0);
  for (const s of g.spans) spans[s.member]!++;
  const ends = new Map<number, number>();
  for (const e of g.events) if (e.kind === "crash" || e.kind === "leave") ends.set(e.member, e.index);
  const rows = g.members.slice(0, MEMBER_ROWS).map((l, m) => {
    const c = g.memberCommits[m]!;
    const end = ends.get(m);
    const how = l.end === "crash" ? (g.events.find((e) => e.member === m && e.kind === "crash")?.detail ?? "") : "";
    return `<tr class="member e-${l.end}"><td><b>${esc(l.name)}</b></td><td>${l.from.toFixed(2)} s</td><td>${END_TEXT[l.end]}${how ? ` <span class="muted">(${esc(how)})</span>` : ""}${end === undefined ? "" : ` ${l.to.toFixed(2)} s ${refs.op(end, false)}`}</td><td>${n(spans[m]!)}</td><td>${n(c.ok)} / ${n(c.fail)} / ${n(c.info + c.unfinished)}</td></tr>`;
  });
  const more = g.members.length > MEMBER_ROWS ? `<p class="muted small">and ${n(g.members.length - MEMBER_ROWS)} more members</p>` : "";
  const table = `<table class="members"><thead><tr><th>member</th><th>joined</th><th>ended</th><th>spans drawn</th><th>commits ok / fail / unknown</th></tr></thead><tbody>${rows.join("")}</tbody></table>${more}`;
  // A long list is folded: the charts above show the members at a glance.
  return g.members.length > MEMBER_ROWS_OPEN
    ? `<details class="members"><summary>the ${n(g.members.length)} members, one row each</summary>${table}</details>`
    : table;
}
