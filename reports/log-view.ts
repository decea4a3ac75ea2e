// The log view of each key with findings: its offsets left to right, around the ones the findings
// name, with the value at each, who wrote and who read it, and conflicts highlighted (two values at
// one offset, one value at two offsets, a write nobody read, the cells a finding points at).
import type { AnomalyType, Results, Value } from "../checkers/index.ts";
import { lowerBound } from "../checkers/index.ts";
import { esc, showValue } from "./escape.ts";
import { orderedTypes } from "./evidence.ts";
import type { CommitMark } from "./group-view.ts";
import { CONTEXT, cellId, findingMarks, type KeyLog } from "./key-logs.ts";
import type { Refs } from "./refs.ts";
import { procName } from "./refs.ts";

export interface Marks {
  values: Map<Value, Set<AnomalyType>>;
  offsets: Map<number, Set<AnomalyType>>;
}

/** Keys with findings, in the order the anomaly sections show them, with what to highlight. */
export function marksByKey(results: Results): Map<string, Marks> {
  const out = new Map<string, Marks>();
  const add = <K>(m: Map<K, Set<AnomalyType>>, k: K, t: AnomalyType) => {
    let s = m.get(k);
    if (!s) m.set(k, (s = new Set()));
    s.add(t);
  };
  for (const type of orderedTypes(results)) {
    for (const f of results.anomalies[type]!.examples) {
      for (const m of findingMarks(f)) {
        let km = out.get(m.key);
        if (!km) out.set(m.key, (km = { values: new Map(), offsets: new Map() }));
        for (const v of m.values) add(km.values, v, type);
        for (const o of m.offsets) add(km.offsets, o, type);
      }
    }
  }
  return out;
}

export function logViews(
  results: Results,
  logs: Map<string, KeyLog>,
  refs: Refs,
  logIds: Map<string, string>,
  commits: Map<string, CommitMark[]> = new Map(),
): string {
  const marks = marksByKey(results);
  if (marks.size === 0) return `<p class="none">No key has findings.</p>`;
  const committed = [...marks.keys()].some((k) => commits.has(k))
    ? ` · <span class="commit-swatch"></span> a consumer group committed this offset (the next to read: the records left of the mark count as processed) <span class="commit-swatch highest"></span> the group's highest acknowledged commit`
    : "";
  const legend = `<p class="legend"><span class="cell-swatch ok"></span> written and read <span class="cell-swatch lost"></span> written, never read <span class="cell-swatch readonly"></span> read, no send seen <span class="cell-swatch conflict"></span> two values at one offset <span class="cell-swatch dup"></span> one value at two offsets <span class="cell-swatch hit"></span> named by a finding · <b>w</b> the send that put it there (<b>*</b> its acknowledgement named another offset) · <b>r</b> the first ok read of it there, <b>+n</b> more reads${committed}</p>`;
  return legend + [...marks].map(([k, m]) => keyView(k, m, logs.get(k), refs, logIds.get(k) ?? "", commits.get(k) ?? [])).join("\n");
}

function keyView(k: string, m: Marks, log: KeyLog | undefined, refs: Refs, id: string, commits: CommitMark[]): string {
  const title = `<h3>key <code>${esc(k.length > 80 ? showValue(k) : k)}</code></h3>`;
  if (!log || log.offsets.length === 0) {
    return `<section class="keylog" id="${id}" data-key="${esc(k)}">${title}<p class="muted">No record of this key has a known offset.</p>${outside(m, log, refs)}</section>`;
  }
  const { ranges, cut } = log;
  const { before, after, hidden } = placeCommits(log, commits);
  const parts: string[] = [];
  let prev = -1;
  for (const [lo, hi] of ranges) {
    if (lo > prev + 1) parts.push(gap(lo - prev - 1, prev < 0));
    for (let p = lo; p <= hi; p++) {
      for (const c of before.get(p) ?? []) parts.push(commitMark(c, refs));
      parts.push(cell(log.offsets[p]!, log, m, refs, id));
    }
    for (const c of after.get(hi) ?? []) parts.push(commitMark(c, refs));
    prev = hi;
  }
  if (prev < log.offsets.length - 1) parts.push(gap(log.offsets.length - 1 - prev, false));
  const summary = `<p class="muted">${log.offsets.length.toLocaleString("en")} non-empty offsets (${log.offsets[0]}–${log.offsets.at(-1)}); shown: the offsets the findings name, with ${CONTEXT} on each side, in rows.${cut ? " More findings on this key than fit: the first are shown." : ""}${commitNote(commits, hidden)}</p>`;
  return `<section class="keylog" id="${id}" data-key="${esc(k)}">${title}${summary}<div class="strip">${parts.join("")}</div>${outside(m, log, refs)}</section>`;
}

/**
 * Where each commit's mark goes: a commit of offset N is the boundary before the first non-empty
 * offset at or above N, drawn before that cell when it is shown, else after the last cell below N
 * when that one is shown; otherwise it is counted as not shown.
 */
function placeCommits(log: KeyLog, commits: CommitMark[]) {
  const shown = (p: number) => log.ranges.some(([lo, hi]) => p >= lo && p <= hi);
  const before = new Map<number, CommitMark[]>();
  const after = new Map<number, CommitMark[]>();
  const hidden: CommitMark[] = [];
  const put = (m: Map<number, CommitMark[]>, p: number, c: CommitMark) => m.set(p, [...(m.get(p) ?? []), c]);
  for (const c of commits) {
    const p = lowerBound(log.offsets, c.offset);
    if (p < log.offsets.length && shown(p)) put(before, p, c);
    else if (p > 0 && shown(p - 1)) put(after, p - 1, c);
    else hidden.push(c);
  }
  return { before, after, hidden };
}

function commitMark(c: CommitMark, refs: Refs): string {
  const times = c.count > 1 ? ` ×${c.count}` : "";
  const title = `group ${c.group} committed ${c.offset} (the next offset to read)${times ? `${times},` : ""} first by ${procName(c.process)}${c.highest ? ": its highest acknowledged commit of this key" : ""}`;
  return `<div class="commit-mark${c.highest ? " highest" : ""}" data-offset="${c.offset}" data-group="${esc(c.group)}" title="${esc(title)}"><div class="cm-off">⇤${c.offset}</div><div class="cm-who">${esc(c.group.length > 10 ? `${c.group.slice(0, 9)}…` : c.group)}${times}</div>${c.op >= 0 ? refs.op(c.op, false) : ""}</div>`;
}

/** What the marks do not show: the highest commit of each group, when its place is not on the page, and how many others. */
function commitNote(commits: CommitMark[], hidden: CommitMark[]): string {
  if (commits.length === 0) return "";
  const top = hidden
    .filter((c) => c.highest)
    .map((c) => `group ${esc(c.group)}'s highest acknowledged commit is ${c.offset}, among the offsets not shown`);
  const others = hidden.length - top.length;
  return ` ${[...top, ...(others > 0 ? [`${others.toLocaleString("en")} other committed offsets fall among the offsets not shown`] : [])].join("; ")}${top.length + others > 0 ? "." : ""}`;
}

function gap(n: number, leading: boolean): string {
  return `<div class="gap" title="${n} offsets not shown">${leading ? "" : ""}⋯<br>${n.toLocaleString("en")}<br>⋯</div>`;
}

function cell(offset: number, log: KeyLog, m: Marks, refs: Refs, logId: string): string {
  const cs = log.cells.get(offset) ?? [];
  const classes = ["cell"];
  const hits = new Set<AnomalyType>(m.offsets.get(offset) ?? []);
  if (cs.length > 1) classes.push("conflict");
  const rows = cs.map((c) => {
    const rc = ["v"];
    for (const t of m.values.get(c.value) ?? []) hits.add(t);
    if ((m.values.get(c.value)?.size ?? 0) > 0) rc.push("hit");
    if ((log.valueOffsets.get(c.value)?.length ?? 0) > 1) classes.push("dup");
    const read = c.readCount > 0;
    if (!log.readOk.has(c.value) && c.writtenBy !== undefined) rc.push("lost");
    else if (c.writtenBy === undefined && !log.writers.has(c.value)) rc.push("readonly");
    const writer = log.writers.get(c.value);
    // The writer reported this offset, or the value's send reported another one (a duplicate).
    const w = !writer
      ? `<div class="w muted">no send seen</div>`
      : c.writtenBy !== undefined || writer.type !== "ok"
        ? `<div class="w">w ${refs.op(writer.index, false)}</div>`
        : `<div class="w elsewhere" title="sent by this op, which reported another offset">w ${refs.op(writer.index, false)}*</div>`;
    const r = read
      ? `<div class="r">r ${refs.op(c.readers[0]!, false)}${c.readCount > 1 ? ` <span class="muted" title="read ${c.readCount} times">+${c.readCount - 1}</span>` : ""}</div>`
      : `<div class="r muted">never read${c.otherReads ? ` (${c.otherReads} non-ok)` : ""}</div>`;
    return `<div class="${rc.join(" ")}"><div class="value" title="${esc(showValue(c.value, 500))}">${esc(showValue(c.value, 14))}</div>${w}${r}</div>`;
  });
  if (hits.size) classes.push("hit");
  const title = hits.size ? ` title="${esc([...hits].join(", "))}"` : "";
  return `<div class="${[...new Set(classes)].join(" ")}" id="${cellId(logId, offset)}" data-offset="${offset}"${title}><div class="off">${offset}</div>${rows.join("")}</div>`;
}

/**
 * Values named by findings that sit at no offset of the log: unseen under acks=0, failed sends, and
 * records acknowledged within a partly acknowledged burst that no read confirmed (the log holds
 * what must have committed; their acknowledged offset is shown here).
 */
function outside(m: Marks, log: KeyLog | undefined, refs: Refs): string {
  const vs = [...m.values.keys()].filter((v) => !log?.valueOffsets.get(v)?.length);
  if (vs.length === 0) return "";
  const items = vs.slice(0, 40).map((v) => {
    const w = log?.writers.get(v);
    const acked = log?.ackedAt.get(v);
    const sent = !w
      ? "no send seen"
      : acked !== undefined
        ? `acknowledged at offset ${acked} by ${refs.op(w.index)} (a partly acknowledged burst, info), never read`
        : `sent by ${refs.op(w.index)} (${esc(w.type)})`;
    return `<li>${esc(showValue(v))} — ${sent}; ${esc([...(m.values.get(v) ?? [])].join(", "))}</li>`;
  });
  return `<div class="outside"><p>Named by findings but not in the log:</p><ul>${items.join("")}${vs.length > 40 ? `<li class="muted">and ${vs.length - 40} more</li>` : ""}</ul></div>`;
}
