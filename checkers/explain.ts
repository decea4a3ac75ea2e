// Explanation, kept apart from detection (Elle's rule): findings and results to plain sentences
// for the command line and the report.
import { ANOMALY_KIND_LABEL, ANOMALY_KIND_MEANING, byKind } from "./anomaly-kinds.ts";
import type { Results } from "./check.ts";
import type { AnomalyType, Finding, TxnSend } from "./findings.ts";
import type { CheckConfig } from "./guarantees.ts";
import type { Key, Value } from "./history.ts";
import { lossOf, lossSentence } from "./loss-summary.ts";
import { describeSettings } from "./settings.ts";
import { verdictWord } from "./verdict.ts";

const show = (x: Key | Value): string => JSON.stringify(x);
const op = (i: number): string => `op ${i}`;

/** One sentence saying what a finding is and where its evidence is. */
export function explainFinding(f: Finding): string {
  switch (f.type) {
    case "lost-write":
      return `key ${show(f.key)}: value ${show(f.value)} (offset ${f.offset}, index ${f.index}), written by ${op(f.writer)} which must have committed, was never read, although ${op(f.boundReader)} read up to index ${f.bound} (value ${show(f.boundValue)})`;
    case "unseen":
      return f.readBefore === undefined
        ? `key ${show(f.key)}: value ${show(f.value)} was acknowledged by ${op(f.writer)} and never read by an ok read`
        : `key ${show(f.key)}: value ${show(f.value)} was acknowledged by ${op(f.writer)} and read by ${op(f.readBefore)}, but the final reads did not return it: it is gone from the log`;
    case "committed-lost":
      return `key ${show(f.key)}: value ${show(f.value)} (offset ${f.offset}), written by ${op(f.writer)}, was read by ${op(f.reader)}, so committed, and is gone: ${
        f.gone === "final-reads" ? "the final reads did not return it" : "another value took its offset"
      }${f.reusedBy ? ` (${show(f.reusedBy.value)}, seen there by ${op(f.reusedBy.op)})` : ""}`;
    case "duplicate":
      return `key ${show(f.key)}: value ${show(f.value)} is at ${f.offsets.length} offsets (${f.offsets.join(", ")})${f.writer === null ? "" : `; written by ${op(f.writer)}`}`;
    case "inconsistent-offsets":
      return `key ${show(f.key)}: offset ${f.offset} holds ${f.values.length} values (${f.values.map(show).join(", ")}), seen by ${f.ops.map(op).join(", ")}`;
    case "G1a":
      return `key ${show(f.key)}: ${op(f.reader)} read value ${show(f.value)}${f.offset === undefined ? "" : ` at offset ${f.offset}`}, whose send ${op(f.writer)} failed`;
    case "precommitted-read":
      return `key ${show(f.key)}: ${op(f.op)} read value ${show(f.value)} that it sent itself`;
    case "torn-txn": {
      const at = (s: TxnSend) => `${show(s.value)} to key ${show(s.key)}${s.offset === null ? "" : ` (offset ${s.offset})`}`;
      return `transaction ${op(f.op)} (${f.outcome === "ok" ? "committed" : "unknown outcome, shown committed by a read"}) is partly visible: ${f.seen
        .map((s) => `${at(s)} read by ${op(s.reader!)}`)
        .join(", ")}; never read: ${f.never.map(at).join(", ")}`;
    }
    case "copy-loss":
    case "copy-duplicate": {
      const copies = f.outputOffsets.length
        ? `at output offsets ${f.outputOffsets.join(", ")} (values ${f.outputValues.join(", ")})`
        : "nowhere in the output";
      const input = f.inputOffsets.length ? `input offsets ${f.inputOffsets.join(", ")}` : "acknowledged, not in the input's log";
      const writer = f.type === "copy-loss" && f.writer !== null ? `, written by ${op(f.writer)},` : "";
      return `key ${show(f.key)}: value ${f.value} (${input})${writer} is ${copies} of ${show(f.outputKey)}${f.copiers.length ? `; copied by ${f.copiers.map(op).join(", ")}` : "; no copier sent it"}`;
    }
    case "poll-skip":
      return `key ${show(f.key)}: process ${f.process} read index ${f.prevIndex} (${op(f.prevOp)}) then index ${f.index} (${op(f.op)}), skipping ${f.skippedCount} (${(f.skipped ?? []).map(show).join(", ")})`;
    case "nonmonotonic-poll":
      return `key ${show(f.key)}: process ${f.process} read index ${f.prevIndex} (${op(f.prevOp)}) then went back to index ${f.index} (${op(f.op)})`;
    case "nonmonotonic-send":
      return `key ${show(f.key)}: process ${f.process} sent ${show(f.prevValue)} to index ${f.prevIndex} (${op(f.prevOp)}), then ${show(f.value)} landed before it, at index ${f.index} (${op(f.op)})`;
    case "int-poll-skip":
    case "int-send-skip":
      return `key ${show(f.key)}: within ${op(f.op)}, ${show(f.prevValue)} (index ${f.prevIndex}) is followed by ${show(f.value)} (index ${f.index}), skipping ${f.skippedCount}`;
    case "int-nonmonotonic-poll":
    case "int-nonmonotonic-send":
      return `key ${show(f.key)}: within ${op(f.op)}, ${show(f.prevValue)} (index ${f.prevIndex}) is followed by ${show(f.value)} at index ${f.index}, not after it`;
    case "group-loss":
      return `group ${show(f.group)}, key ${show(f.key)}: value ${show(f.value)} at offset ${f.offset} lies below offset ${f.commit}, which process ${f.committer} committed (${op(f.ops[0]!)}), and no member of the group ever polled it`;
    case "group-rewind":
    case "group-jump":
      return `group ${show(f.group)}, key ${show(f.key)}: member ${f.member}, handed the key (${op(f.ops[f.ops.length - 2]!)}), started reading at offset ${f.start} (${op(f.ops[f.ops.length - 1]!)}), ${
        f.commit === null
          ? "although the group had committed nothing (the log starts lower)"
          : `${f.type === "group-rewind" ? "below" : "above"} offset ${f.commit}, which process ${f.committer} committed (${op(f.ops[0]!)})`
      }${f.skipped === undefined ? "" : `, skipping ${f.skipped} record${f.skipped === 1 ? "" : "s"} the group had not read`}`;
    case "group-duplicate":
      return `group ${show(f.group)}, key ${show(f.key)}: value ${show(f.value)} (offset ${f.offset}) was handed out twice, to process ${f.readers[0]} (${op(f.ops[0]!)}) and process ${f.readers[1]} (${op(f.ops[1]!)})`;
    default:
      return `cycle of ${f.steps.length} ops: ${f.steps
        .map((s) => `${op(s.from)} -${s.rel}${s.key === undefined ? "" : ` ${show(s.key)}:${show(s.value!)}`}->`)
        .join(" ")} ${op(f.steps[0]?.from ?? -1)}`;
  }
}

/** The settings given, in Kafka's words (the settings table's); the rest are assumed at their strongest. */
export function describeConfig(c: CheckConfig): string {
  const parts = describeSettings(c);
  return parts.length === 0
    ? "none given: every setting assumed at its strongest"
    : `${parts.join(", ")} (settings not given assumed at their strongest)`;
}

/** A readable summary of results, for the terminal. */
/** The verdict's first line: why unknown, what is forbidden, or (valid) what was lost. */
export function verdictLine(r: Results): string {
  const verdict = verdictWord(r.valid);
  if (r.valid === "unknown") return `${verdict}: ${r.unknownReason ?? "no reason given"}`;
  if (r.valid === false) return `${verdict}: forbidden ${r.forbidden.join(", ")}`;
  return `${verdict}: ${lossSentence(lossOf(r))}`;
}

export function summarize(r: Results, maxExamples = 3): string {
  const lines: string[] = [];
  lines.push(verdictLine(r));
  // Did the run lose data: on the first line of a valid run, on the second otherwise.
  if (r.valid !== true) lines.push(`loss: ${lossSentence(lossOf(r))}`);
  lines.push(`configuration: ${describeConfig(r.config)}`);
  const s = r.stats;
  lines.push(
    `${s.ops} ops, ${s.keys} keys, ${s.processes} processes; sends ok/info/fail ${s.sends.ok}/${s.sends.info}/${s.sends.fail}, polls ${s.polls.ok}/${s.polls.info}/${s.polls.fail}, txns ${s.txns.ok}/${s.txns.info}/${s.txns.fail}; ${s.valuesSent} values sent, ${s.valuesRead} read`,
  );
  const t = s.txns;
  if (t.ok + t.info + t.fail > 0) {
    const iso = r.config.isolation ?? "read_committed (assumed)";
    lines.push(
      `transactions: ${t.ok} committed (ok), ${t.fail} aborted (fail), ${t.info} unknown (info); consumers ${iso}, final reads read_committed`,
    );
  }
  const f = r.faults;
  if (f && f.applied + f.refused + f.uncertain > 0) {
    const kinds = Object.entries(f.byKind)
      .filter(([, c]) => c.applied > 0)
      .map(([k, c]) => `${k} ${c.applied}`)
      .join(", ");
    // Stored results from before effective faults were counted lack the field.
    const effective = f.effective === undefined ? "" : `, ${f.effective} effective`;
    lines.push(`faults: ${f.applied} applied${kinds ? ` (${kinds})` : ""}${effective}, ${f.refused} refused, ${f.uncertain} uncertain`);
  }
  const x = r.exercised;
  if (x)
    lines.push(
      `exercised: ${x.acknowledged} writes acknowledged (${x.acknowledgedAfterFault} after the first effective fault), ${x.read} values read by the workload`,
    );
  const g = x?.group;
  if (g)
    lines.push(
      `groups: ${g.members} members, ${g.handoffs} partition handoffs, commits ${g.commits.ok} ok / ${g.commits.fail} fail / ${g.commits.unknown} unknown${g.commits.auto ? ` (${g.commits.auto} auto)` : ""}, ${g.crashes} member crashes, ${g.leaves} leaves${g.gaveUp ? `, ${g.gaveUp} members whose library gave up` : ""}`,
    );
  if (r.anomalyTypes.length === 0) lines.push("no anomalies found");
  // By kind, loss first and ordering noise last, each under its heading: int-send-skip, in almost
  // every run, is not read as loss.
  const groups = byKind(r.anomalyTypes);
  const count = (t: AnomalyType) => `${t} ${r.anomalies[t]!.count.toLocaleString("en")}`;
  if (groups.length)
    lines.push(`anomalies: ${groups.map((g) => `${ANOMALY_KIND_LABEL[g.kind]}: ${g.types.map(count).join(", ")}`).join("; ")}`);
  for (const g of groups) {
    lines.push("", `== ${ANOMALY_KIND_LABEL[g.kind]} (${ANOMALY_KIND_MEANING[g.kind]})`);
    for (const type of g.types) {
      const a = r.anomalies[type]!;
      lines.push("");
      lines.push(`${type}: ${a.count} (${a.forbidden ? "FORBIDDEN" : "permitted"}: ${a.reason})`);
      for (const f of a.examples.slice(0, maxExamples)) lines.push(`  - ${explainFinding(f)}`);
      if (a.count > maxExamples) lines.push(`  ... and ${a.count - Math.min(maxExamples, a.examples.length)} more`);
    }
  }
  return lines.join("\n");
}
