// The transaction view, shown when the history has txn ops: how many transactions committed,
// aborted (planned or on an error) and ended unknown, and a row per transaction with its micro-ops
// in order, its outcome, where each send landed (key, offset) and which ops read it, and what each
// poll returned. Kept small for big histories: every transaction a finding names, plus the first
// TXN_ROWS in history order.
import type { Derived, History, Op, Results, Value } from "../checkers/index.ts";
import { type TxnCounts, type TxnRow, type TxnSendLanding, txnCounts, txnRows } from "../checkers/txn-ops.ts";
import { esc } from "./escape.ts";
import { cut } from "./ops.ts";
import { key, type Refs, val } from "./refs.ts";

export const TXN_ROWS = 200;

export interface TxnViewInput {
  derived: Derived;
  history: History;
  results: Results;
  refs: Refs;
  /** The op at a history index (undefined when not found). */
  at: (index: number) => Op | undefined;
}

/** Whether the view has anything to show: the history has txn ops. */
export function hasTxns(results: Results): boolean {
  const t = results.stats.txns;
  return t.ok + t.info + t.fail > 0;
}

export function txnView({ derived, history, results, refs, at }: TxnViewInput, first = TXN_ROWS): string {
  const named = new Set<number>();
  for (const t of results.anomalyTypes) for (const f of results.anomalies[t]!.examples) for (const i of f.ops) named.add(i);
  const rows = txnRows(derived, (i) => named.has(i), first);
  const counts = txnCounts(derived);
  const total = counts.ok + counts.info + counts.fail;
  const planned = plannedAborts(history);
  const shown =
    rows.length < total
      ? `Shown: ${rows.length.toLocaleString("en")} of ${total.toLocaleString("en")}, the first ${first} and every one a finding names.`
      : `All ${total.toLocaleString("en")} shown.`;
  const legend = `<p class="muted">Each send: where it landed (key and offset) and the ops that read it; each poll: the offsets it returned per key. Rows a finding names are marked.</p>`;
  const body = rows.map((r) => txnRowHtml(r, at(r.index), named.has(r.index), refs)).join("");
  return `${summary(counts, planned)}<p class="muted">${esc(shown)}</p>${legend}<table class="txns"><thead><tr><th>transaction</th><th>outcome</th><th>micro-ops</th></tr></thead><tbody>${body}</tbody></table>`;
}

function summary(c: TxnCounts, planned: number): string {
  return `<p class="txn-counts" data-ok="${c.ok}" data-fail="${c.fail}" data-info="${c.info}"><b>${c.ok.toLocaleString("en")}</b> committed (ok) · <b>${c.fail.toLocaleString("en")}</b> aborted (fail${planned > 0 ? `, ${planned.toLocaleString("en")} of them planned` : ""}) · <b>${c.info.toLocaleString("en")}</b> unknown outcome (info)</p>`;
}

/** Failed txn ops the workload aborted on purpose (`aborted: "planned"` on the completion). */
function plannedAborts(history: History): number {
  let n = 0;
  for (let i = 0; i < history.length; i++) {
    const op = history[i]!;
    if (op.f === "txn" && op.type === "fail" && op.aborted === "planned") n++;
  }
  return n;
}

const OUTCOME: Record<TxnRow["type"], string> = { ok: "committed", fail: "aborted", info: "unknown" };

function txnRowHtml(r: TxnRow, op: Op | undefined, hit: boolean, refs: Refs): string {
  const planned = op?.aborted === "planned";
  const err = op?.error ?? op?.reason;
  const why = r.unfinished
    ? `<div class="muted small">never completed</div>`
    : planned
      ? `<div class="muted small">planned abort</div>`
      : err !== undefined
        ? `<div class="muted small">${esc(cut(typeof err === "string" ? err : JSON.stringify(err), 120))}</div>`
        : "";
  const txnId = op?.transactionalId ?? op?.["transactional-id"];
  const id = typeof txnId === "string" ? `<div class="muted small">${esc(txnId)}</div>` : "";
  return `<tr class="txn t-${r.type}${hit ? " hit" : ""}" id="txn-${r.index}" data-txn="${r.index}" data-outcome="${r.type}"${planned ? ` data-planned=""` : ""}><td>${refs.op(r.index)}${id}</td><td><b class="outcome">${OUTCOME[r.type]}</b> <span class="muted">(${r.type})</span>${why}</td><td><ol class="mops">${mops(r, op, refs).join("")}</ol></td></tr>`;
}

/** The micro-ops in the order the op lists them; sends matched to the checker's records in order. */
function mops(r: TxnRow, op: Op | undefined, refs: Refs): string[] {
  const value = Array.isArray(op?.value) ? (op!.value as unknown[][]) : undefined;
  const sends = [...r.sends];
  const out: string[] = [];
  if (value) {
    for (const m of value) {
      if (!Array.isArray(m)) continue;
      if (m[0] === "send") {
        const s = sends.shift();
        if (s) out.push(sendHtml(s, r, refs));
      } else if (m[0] === "poll") out.push(pollHtml(m[1] as Record<string, Array<[number, Value]>> | undefined));
    }
  }
  // Without the op's value (not found): the checker's records alone.
  for (const s of sends) out.push(sendHtml(s, r, refs));
  if (!value) for (const p of r.polls) out.push(`<li class="mop poll">poll ${key(p.key)}: ${range(p.from, p.to, p.count)}</li>`);
  return out;
}

function sendHtml(s: TxnSendLanding, r: TxnRow, refs: Refs): string {
  const where =
    s.offset === null
      ? `<span class="muted">offset unknown</span>`
      : `offset <b class="off">${s.offset}</b>${s.offsetFromReads ? ` <span class="muted">(where reads found it)</span>` : ""}`;
  const more = s.readCount - s.readers.length;
  // Read, and the transaction aborted: an aborted read. Never read, and it committed: gone.
  const readers = s.readers.length
    ? `read by ${s.readers.map((i) => refs.op(i)).join(", ")}${more > 0 ? ` and ${more} more` : ""}`
    : `<span class="${r.type === "ok" ? "bad" : "muted"}">never read</span>`;
  const cls = r.type === "fail" && s.readers.length ? " aborted-read" : r.type === "ok" && !s.readers.length ? " unread" : "";
  return `<li class="mop send${cls}">send ${key(s.key)} ${val(s.value)} → ${where} · ${readers}</li>`;
}

function pollHtml(result: Record<string, Array<[number, Value]>> | undefined): string {
  if (!result || typeof result !== "object") return `<li class="mop poll">poll <span class="muted">(no result)</span></li>`;
  const parts = Object.entries(result).map(([k, recs]) => {
    let [lo, hi, n] = [Infinity, -Infinity, 0];
    for (const x of Array.isArray(recs) ? recs : []) {
      if (typeof x?.[0] !== "number") continue;
      lo = Math.min(lo, x[0]);
      hi = Math.max(hi, x[0]);
      n++;
    }
    return `${key(k)}: ${n ? range(lo, hi, n) : `<span class="muted">nothing</span>`}`;
  });
  return `<li class="mop poll">poll ${parts.length ? parts.join(", ") : `<span class="muted">nothing</span>`}</li>`;
}

const range = (from: number, to: number, n: number): string =>
  `offset${from === to ? ` <b class="off">${from}</b>` : `s <b class="off">${from}–${to}</b>`} <span class="muted">(${n} record${n === 1 ? "" : "s"})</span>`;
