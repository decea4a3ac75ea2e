// Findings as readable evidence: for each anomaly type its count, whether this configuration
// forbids it and why, what it means, and each example as a sentence naming the value, the key and
// offset, who wrote it and who read it (or should have), every op a link to the timeline.
import type { AnomalyReport, AnomalyType, Finding, Results, Value } from "../checkers/index.ts";
import { ANOMALY_TYPES } from "../checkers/index.ts";
import { esc, showValue } from "./escape.ts";
import type { KeyLog } from "./key-logs.ts";
import { cellId, findingKeys, findingMarks, findingOffset } from "./key-logs.ts";
import { key, offsetsOf, procName, type Refs, val } from "./refs.ts";

export const MEANING: Record<AnomalyType, string> = {
  "lost-write": "An acknowledged write vanished: readers got past its offset and never saw it.",
  unseen:
    "Acknowledged, and not returned by the final reads (which read every key from offset 0 to its end): gone from the log, whether or not some read saw it earlier. In a history without final reads: never returned by any read.",
  "committed-lost":
    "A value some read returned, so committed (below the high watermark, on every in-sync replica), then gone: not returned by the final reads, or (without them) another value read at its offset later.",
  duplicate: "One record appended at more than one offset.",
  "inconsistent-offsets": "Readers disagree about which record sits at one offset.",
  G1a: "A read returned a value whose send had failed (an aborted read): a failed send op, or a transaction that was aborted.",
  "precommitted-read": "An operation read its own write before the write committed.",
  "torn-txn": "A committed transaction is partly visible: some of its sends were read, others never, not even by the final reads.",
  "group-loss":
    "A record in the log below an offset its consumer group committed, which no member of the group ever polled: the group skipped it.",
  "group-rewind":
    "A group member handed a partition started reading below the offset the group had last committed: records read again beyond what at-least-once needs.",
  "group-jump":
    "A group member handed a partition started reading above the offset the group had committed, past records no member had read.",
  "group-duplicate": "A record handed out twice to the members of a consumer group (at-least-once redelivery).",
  "copy-loss": "A record of the copier's input topic with no copy in the output topic (the final reads of its output key).",
  "copy-duplicate": "A record of the copier's input topic copied to more than one offset of the output topic.",
  "poll-skip": "A consumer's next read jumped past records it had not read.",
  "nonmonotonic-poll": "A consumer's next read went back to records it had already read.",
  "nonmonotonic-send": "A producer's later send landed before its earlier one.",
  "int-poll-skip": "One poll returned a range of the log with a hole in it.",
  "int-nonmonotonic-poll": "One poll returned records out of log order.",
  "int-send-skip": "The records of one burst were not adjacent: other producers' records landed between them.",
  "int-nonmonotonic-send": "The records of one burst landed out of the order they were sent in.",
  G0: "A cycle of write-write dependencies between operations.",
  "G0-process": "A cycle of write-write and process-order dependencies.",
  "G0-realtime": "A cycle of write-write and real-time dependencies.",
  G1c: "A cycle of dependencies in which each operation read what another wrote.",
  "G1c-process": "A cycle of write-read and process-order dependencies.",
  "G1c-realtime": "A cycle of write-read and real-time dependencies: an op read a value written by an op that began after it ended.",
  "G1c-ww": "A cycle that needs a write-write dependency inferred from log order (--ww-deps) as well as a write-read one.",
};

/** Examples shown at once; the rest wait behind a "more" toggle. */
export const SHOWN_EXAMPLES = 8;

export interface EvidenceContext {
  refs: Refs;
  logs: Map<string, KeyLog>;
  /** key → id of its log view section. */
  logIds: Map<string, string>;
}

/** The anomaly types found, forbidden first, in the checkers' order. */
export function orderedTypes(results: Results): AnomalyType[] {
  const found = ANOMALY_TYPES.filter((t) => results.anomalies[t]);
  return [...found.filter((t) => results.anomalies[t]!.forbidden), ...found.filter((t) => !results.anomalies[t]!.forbidden)];
}

export function anomalySections(results: Results, ctx: EvidenceContext): string {
  const types = orderedTypes(results);
  if (types.length === 0) {
    return `<p class="none">No anomaly of any kind was found in ${results.stats.clientOps.toLocaleString("en")} client ops.</p>`;
  }
  return types.map((t) => anomalySection(t, results.anomalies[t]!, ctx)).join("\n");
}

function anomalySection(type: AnomalyType, a: AnomalyReport, ctx: EvidenceContext): string {
  const items = a.examples.map((f, i) => `<li class="finding" id="finding-${esc(type)}-${i}">${explain(f, ctx)}${logLinks(f, ctx)}</li>`);
  const shown = items.slice(0, SHOWN_EXAMPLES).join("");
  const rest = items.slice(SHOWN_EXAMPLES);
  const more = rest.length
    ? `<details class="more"><summary>${rest.length} more example${rest.length > 1 ? "s" : ""}</summary><ol start="${SHOWN_EXAMPLES + 1}">${rest.join("")}</ol></details>`
    : "";
  const notKept = a.count - a.examples.length;
  const cap =
    notKept > 0
      ? `<p class="muted">${notKept.toLocaleString("en")} more not kept as examples (the checker keeps the first ${a.examples.length}).</p>`
      : "";
  const verdict = a.forbidden ? `<span class="badge forbidden">forbidden</span>` : `<span class="badge permitted">permitted</span>`;
  return `<article class="anomaly ${a.forbidden ? "is-forbidden" : "is-permitted"}" id="anomaly-${esc(type)}" data-type="${esc(type)}">
<header><h3><code>${esc(type)}</code> <span class="count">${a.count.toLocaleString("en")}</span> ${verdict}</h3>
<p class="meaning">${esc(MEANING[type])}</p>
<p class="why"><b>${a.forbidden ? "Why forbidden" : "Why permitted"}:</b> ${esc(a.reason)}</p></header>
<ol class="findings">${shown}</ol>${more}${cap}
</article>`;
}

/** Links to the key logs, each opening at the finding's offset there (when the view shows it). */
function logLinks(f: Finding, ctx: EvidenceContext): string {
  const marks = new Map(findingMarks(f).map((m) => [m.key, m]));
  const links = findingKeys(f)
    .filter((k) => ctx.logIds.has(k))
    .map((k) => {
      const id = ctx.logIds.get(k)!;
      const log = ctx.logs.get(k);
      const m = marks.get(k);
      const offset = log && m ? findingOffset(log, m) : undefined;
      return offset === undefined
        ? `<a class="to-log" href="#${id}">log of ${esc(keyText(k))}</a>`
        : `<a class="to-log" href="#${cellId(id, offset)}" data-offset="${offset}">log of ${esc(keyText(k))} at offset ${offset}</a>`;
    });
  return links.length ? ` <span class="links">${links.join(" ")}</span>` : "";
}

/** One finding as a sentence of evidence (HTML). */
export function explain(f: Finding, ctx: EvidenceContext): string {
  const r = ctx.refs;
  if ("steps" in f) {
    const chain = f.steps
      .map(
        (s) =>
          `${r.op(s.from)} <span class="rel rel-${s.rel}" title="${esc(REL[s.rel])}">${s.rel}${s.key === undefined ? "" : ` ${esc(keyText(s.key))}:${esc(showValue(s.value ?? ""))}`} →</span>`,
      )
      .join(" ");
    return `A cycle of ${f.steps.length} ops: ${chain} ${r.op(f.steps[0]?.from ?? -1, false)}. <span class="muted">(${f.sccSize} ops in its strongly connected component)</span>`;
  }
  if (f.type === "torn-txn") {
    const at = (x: { key: string | number; value: Value; offset: number | null }) =>
      `${val(x.value)} to ${key(x.key)}${x.offset === null ? "" : ` at offset <b class="off">${x.offset}</b>`}`;
    const seen = f.seen.map((x) => `${at(x)}, read by ${r.op(x.reader!)}`).join("; ");
    const never = f.never.map(at).join("; ");
    const outcome = f.outcome === "ok" ? "committed" : "ended with an unknown outcome but was read, so committed";
    return `Transaction ${r.op(f.op)} ${outcome}: ${seen}; <b class="bad">never read</b>: ${never}. <a href="#txn-${f.op}">its row in the transaction view</a>`;
  }
  if (f.type === "copy-loss" || f.type === "copy-duplicate") {
    const input = f.inputOffsets.length
      ? `at input offset${f.inputOffsets.length > 1 ? "s" : ""} ${f.inputOffsets.map((o) => `<b class="off">${o}</b>`).join(", ")}`
      : "acknowledged, not in the input's log";
    const copies = f.outputOffsets.length
      ? `copied to ${key(f.outputKey)} at ${f.outputOffsets.map((o, i) => `offset <b class="off">${o}</b> (${val(f.outputValues[i]!)})`).join(", ")}`
      : `<b class="bad">not in ${key(f.outputKey)}</b>`;
    const by = f.copiers.length ? `; copies sent by ${f.copiers.map((o) => r.op(o)).join(", ")}` : "; no copier sent it";
    const what = f.type === "copy-duplicate" ? ` <b class="bad">${f.outputOffsets.length} copies</b>` : "";
    return `Value ${val(f.value)} on key ${key(f.key)} (${input}):${what} ${copies}${by}.`;
  }
  const log = ctx.logs.get(String(f.key));
  const k = key(f.key);
  const at = (v: Value) => offsetsOf(log, v);
  switch (f.type) {
    case "lost-write": {
      const last = log?.lastRead;
      const finalRead =
        last && last.index !== f.boundReader
          ? `; the last read of ${k}, ${r.op(last.index)}, reached offset <b class="off">${last.offset}</b> without it`
          : "";
      return `Value ${val(f.value)} on key ${k} at offset <b class="off">${f.offset}</b>, written by ${r.op(f.writer)} (${typeWord(log, f.value)}), <b class="bad">was never read</b>, although ${r.op(f.boundReader)} read past it, up to value ${val(f.boundValue)} (${at(f.boundValue)})${finalRead}.`;
    }
    case "unseen": {
      const last = log?.lastRead;
      const finalRead = last
        ? `; the last read of ${k}, ${r.op(last.index)}, reached offset <b class="off">${last.offset}</b> without it`
        : "";
      if (f.readBefore !== undefined) {
        return `Value ${val(f.value)} on key ${k} was acknowledged to ${r.op(f.writer)} (reported at ${at(f.value)}) and read by ${r.op(f.readBefore)}, but <b class="bad">the final reads did not return it: it is gone from the log</b> (truncated when another replica took over)${finalRead}.`;
      }
      return `Value ${val(f.value)} on key ${k} was acknowledged to ${r.op(f.writer)} (reported at ${at(f.value)}) and <b class="bad">never returned by any ok read</b>${finalRead}.`;
    }
    case "committed-lost": {
      const how =
        f.gone === "final-reads"
          ? "the final reads did not return it: it is gone from the log"
          : "another value later took its offset: it is gone from the log";
      const by = f.reusedBy ? ` (${val(f.reusedBy.value)}, seen there by ${r.op(f.reusedBy.op)})` : "";
      return `Value ${val(f.value)} on key ${k} at offset <b class="off">${f.offset}</b>, written by ${r.op(f.writer)}, was read by ${r.op(f.reader)}, so it was committed, but <b class="bad">${how}</b>${by}.`;
    }
    case "duplicate": {
      const cells = f.offsets.map((o) => `offset <b class="off">${o}</b> ${readersAt(log, o, f.value, r)}`).join("; ");
      return `Value ${val(f.value)} on key ${k} <b class="bad">sits at ${f.offsets.length} offsets</b>: ${cells}. ${f.writer === null ? "No send of it was seen." : `Sent once, by ${r.op(f.writer)}.`}`;
    }
    case "inconsistent-offsets": {
      const vals = f.values.map((v) => `${val(v)} ${writtenBy(log, v, r)}${readersAt(log, f.offset, v, r)}`).join("; ");
      return `Offset <b class="off">${f.offset}</b> of key ${k} <b class="bad">holds ${f.values.length} different values</b>: ${vals}.`;
    }
    case "G1a": {
      const err = log?.writers.get(f.value);
      const where = typeof f.offset === "number" ? `offset <b class="off">${f.offset}</b>` : at(f.value);
      return `${r.op(f.reader)} read value ${val(f.value)} on key ${k} (${where}), <b class="bad">but its send, ${r.op(f.writer)}, failed</b>${err?.type === "fail" ? "" : ` (${esc(err?.type ?? "?")})`}: a failed send (or an aborted transaction's) must never be visible.`;
    }
    case "precommitted-read":
      return `${r.op(f.op)} read value ${val(f.value)} on key ${k} at offset <b class="off">${f.offset}</b>, <b class="bad">which it sent itself</b>, in the same op.`;
    case "poll-skip": {
      const skipped = (f.skipped ?? []).map((v) => val(v)).join(", ");
      return `Process <b>${esc(procName(f.process))}</b> read ${k} up to value ${val(f.prevValue)} (${at(f.prevValue)}) in ${r.op(f.prevOp, false)}, then its next read, ${r.op(f.op, false)}, began at value ${val(f.value)} (${at(f.value)}): <b class="bad">it skipped ${f.skippedCount ?? f.delta - 1} record${(f.skippedCount ?? 2) === 1 ? "" : "s"}</b>${skipped ? ` (${skipped})` : ""}.`;
    }
    case "nonmonotonic-poll":
      return `Process <b>${esc(procName(f.process))}</b> read ${k} up to value ${val(f.prevValue)} (${at(f.prevValue)}) in ${r.op(f.prevOp, false)}, then <b class="bad">went back</b> to value ${val(f.value)} (${at(f.value)}) in ${r.op(f.op, false)}.`;
    case "nonmonotonic-send":
      return `Process <b>${esc(procName(f.process))}</b> sent ${val(f.prevValue)} to ${k} in ${r.op(f.prevOp, false)} (it landed at ${at(f.prevValue)}), then sent ${val(f.value)} in ${r.op(f.op, false)}, <b class="bad">which landed before it</b>, at ${at(f.value)}.`;
    case "int-poll-skip":
    case "int-send-skip": {
      const skipped = (f.skipped ?? []).map((v) => val(v)).join(", ");
      const what = f.type === "int-poll-skip" ? "returned" : "sent";
      return `Within ${r.op(f.op)}, which ${what} ${k}, value ${val(f.prevValue)} (${at(f.prevValue)}) is followed by ${val(f.value)} (${at(f.value)}): <b class="${f.type === "int-poll-skip" ? "bad" : "note"}">${f.skippedCount ?? f.delta - 1} record${(f.skippedCount ?? 2) === 1 ? "" : "s"} between them</b>${skipped ? ` (${skipped})` : ""}.`;
    }
    case "int-nonmonotonic-poll":
    case "int-nonmonotonic-send": {
      const what = f.type === "int-nonmonotonic-poll" ? "returned" : "sent";
      return `Within ${r.op(f.op)}, which ${what} ${k}, value ${val(f.prevValue)} (${at(f.prevValue)}) is followed by ${val(f.value)}, <b class="bad">which sits before it</b> (${at(f.value)}).`;
    }
    case "group-loss":
      return `Value ${val(f.value)} on key ${k} at offset <b class="off">${f.offset}</b> lies below offset <b class="off">${f.commit}</b>, which member <b>${esc(procName(f.committer))}</b> of group <code>${esc(f.group)}</code> committed in ${r.op(f.ops[0]!, false)}, and <b class="bad">no member of the group ever polled it</b>.`;
    case "group-rewind":
    case "group-jump": {
      const assigned = r.op(f.ops[f.ops.length - 2]!, false);
      const first = r.op(f.ops[f.ops.length - 1]!, false);
      const against =
        f.commit === null
          ? "although the group had committed nothing and the log starts lower"
          : `${f.type === "group-rewind" ? "below" : "above"} offset <b class="off">${f.commit}</b>, which <b>${esc(procName(f.committer!))}</b> committed in ${r.op(f.ops[0]!, false)}`;
      const skipped =
        f.skipped === undefined
          ? ""
          : `, <b class="bad">skipping ${f.skipped} record${f.skipped === 1 ? "" : "s"}</b> the group had not read`;
      return `Member <b>${esc(procName(f.member))}</b> of group <code>${esc(f.group)}</code>, handed ${k} in ${assigned}, <b class="bad">started at offset ${f.start}</b> (${first}), ${against}${skipped}.`;
    }
    case "group-duplicate":
      return `Value ${val(f.value)} on key ${k} at offset <b class="off">${f.offset}</b> was handed out twice in group <code>${esc(f.group)}</code>: to <b>${esc(procName(f.readers[0]!))}</b> in ${r.op(f.ops[0]!, false)} and to <b>${esc(procName(f.readers[1]!))}</b> in ${r.op(f.ops[1]!, false)}.`;
  }
}

/** A key as text: keys name partitions ("t-0"), so no quotes unless it is long. */
export const keyText = (k: string | number): string => (String(k).length > 80 ? showValue(k) : String(k));

const REL: Record<string, string> = {
  ww: "write-write: the first op's value precedes the second's in the log",
  wr: "write-read: the second op read a value the first op wrote",
  process: "process order: the same process ran the first op before the second",
  realtime: "real time: the first op completed before the second began",
};

function typeWord(log: KeyLog | undefined, v: Value): string {
  const w = log?.writers.get(v);
  return w
    ? w.type === "ok"
      ? "acknowledged"
      : w.type === "info"
        ? "outcome unknown, but must have committed"
        : w.type
    : "writer unknown";
}

function writtenBy(log: KeyLog | undefined, v: Value, r: Refs): string {
  const w = log?.writers.get(v);
  return w ? `(sent by ${r.op(w.index)}) ` : `<span class="muted">(no send of it seen)</span> `;
}

/** "read by op 3 p1, op 9 p2 and 4 more" for the value at one offset. */
export function readersAt(log: KeyLog | undefined, offset: number, v: Value, r: Refs): string {
  const c = log?.cells.get(offset)?.find((x) => x.value === v);
  if (!c || c.readCount === 0) return `<span class="muted">never read there</span>`;
  const shown = c.readers
    .slice(0, 3)
    .map((i) => r.op(i))
    .join(", ");
  const more = c.readCount - Math.min(3, c.readers.length);
  return `read by ${shown}${more > 0 ? ` and ${more} more` : ""}`;
}
