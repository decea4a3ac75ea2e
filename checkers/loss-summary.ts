// Loss, stated plainly (pure): how many acknowledged writes a run lost, of how many, and whether
// the configuration permits it. A verdict answers "did Kafka keep what this configuration
// promises?"; a user's first question is "did I lose data?". Every verdict carries both, so a VALID
// run that lost writes under acks=1 says so at the top.
import type { AnomalyType } from "./findings.ts";
import type { Guarantees } from "./guarantees.ts";

export interface LossSummary {
  /** Writes the broker acknowledged (exercised.acknowledged); under acks=0, where the broker
   *  acknowledges nothing, the writes whose send completed ok (`basis` "sent"). */
  acknowledged: number;
  /** What `acknowledged` counts: acknowledged writes, or (acks=0) writes sent. Absent: acknowledged. */
  basis?: "sent";
  /** Acknowledged writes shown lost: gone from the complete final reads (`unseen`); without complete
   *  final reads, those no later read can have missed (`lost-write`, `committed-lost`). */
  lost: number;
  /** Of `lost`, values some read had returned before they were gone (`committed-lost`). */
  readBeforeLost: number;
  /** Of `lost`, those acknowledged below where the complete final reads began on their key: the log
   *  start moved past them (retention, deleteRecords), not a replica losing them (loss.ts
   *  lostBelowLogStart). Absent when there are none. */
  belowLogStart?: { count: number; startOffsets: Record<string, number> };
  /** Without complete final reads: acknowledged values never read, so maybe lost (not decided). */
  undecided: number;
  /** Whether every loss found is permitted by the configuration (true when nothing was lost). */
  permitted: boolean;
  /** The rule that permits the loss, or the promise it breaks, as the promise table says it. */
  reason?: string;
  /** Records a consumer group committed past and no member of it read (`group-loss`): lost to the
   *  application though still in the log. Absent when there are none. */
  group?: { skipped: number; permitted: boolean; reason: string };
}

const LOSS_TYPES: AnomalyType[] = ["unseen", "lost-write", "committed-lost"];

interface Counted {
  anomalies: Partial<Record<AnomalyType, { count: number; forbidden: boolean }>>;
  guarantees: Guarantees;
}

/** How far the history's reads go: complete final reads (every acknowledged value not in them is
 *  gone), final reads that did not complete (a value never read may still be there), or a history
 *  without phase markers (judged by its reads as they stand, as `unseen` is). */
export type ReadsCoverage = "complete" | "incomplete" | "unmarked";

export function lossSummary(r: Counted, acknowledged: number, reads: ReadsCoverage, basis?: "sent"): LossSummary {
  const count = (t: AnomalyType) => r.anomalies[t]?.count ?? 0;
  const unseen = count("unseen");
  const readBeforeLost = count("committed-lost");
  // Complete final reads: unseen holds every loss, committed-lost included (a value read, then not
  // in them). Otherwise unseen counts only values never read, and committed-lost (another value at
  // a read value's offset) comes on top; without final reads unseen may still be there.
  const lost =
    reads === "complete"
      ? Math.max(unseen, readBeforeLost)
      : reads === "unmarked"
        ? unseen + readBeforeLost
        : count("lost-write") + readBeforeLost;
  const found = LOSS_TYPES.filter((t) => count(t) > 0 && (reads !== "incomplete" || t !== "unseen"));
  const forbidden = found.find((t) => r.anomalies[t]!.forbidden);
  const reasonOf = forbidden ?? found[0];
  const skipped = r.anomalies["group-loss"];
  return {
    acknowledged,
    ...(basis ? { basis } : {}),
    ...(skipped ? { group: { skipped: skipped.count, permitted: !skipped.forbidden, reason: r.guarantees["group-loss"].reason } } : {}),
    lost,
    readBeforeLost,
    undecided: reads === "incomplete" ? Math.max(0, unseen - count("lost-write")) : 0,
    permitted: forbidden === undefined,
    ...(lost > 0 && reasonOf ? { reason: r.guarantees[reasonOf].reason } : {}),
  };
}

/** The loss of results, also of results stored before it was counted: made from their anomaly
 *  counts then (acknowledged: ok sends and committed transactions; final reads taken as complete
 *  unless the verdict is unknown). */
export function lossOf(
  r: Counted & {
    loss?: LossSummary;
    valid: boolean | "unknown";
    exercised?: { acknowledged: number };
    stats: { sends: { ok: number }; txns: { ok: number } };
  },
): LossSummary {
  return (
    r.loss ??
    lossSummary(r, r.exercised?.acknowledged ?? r.stats.sends.ok + r.stats.txns.ok, r.valid === "unknown" ? "incomplete" : "complete")
  );
}

/** "acks=1" of "acks=1: a leader may acknowledge…": the rule's name, before its explanation. */
export const ruleName = (reason: string): string => reason.split(":")[0]!.trim();

const n = (x: number) => x.toLocaleString("en");

/** The share lost, to a precision that never rounds a loss to 0%. */
export function lostShare(lost: number, acknowledged: number): string {
  if (acknowledged <= 0) return "";
  const p = (100 * lost) / acknowledged;
  return p >= 10 || p === 0 ? `${Math.round(p)}%` : p >= 1 ? `${p.toFixed(1)}%` : `${p.toPrecision(1)}%`;
}

/** One sentence: "272 of 1,340 acknowledged writes lost (20%), permitted by acks=1", and what a
 *  consumer group skipped. */
export function lossSentence(l: LossSummary): string {
  const g = l.group;
  if (!g) return logLossSentence(l);
  const rule = ruleName(g.reason);
  const judged = g.permitted ? `permitted by ${rule}` : `forbidden (${rule})`;
  return `${logLossSentence(l)}; ${n(g.skipped)} record${g.skipped === 1 ? "" : "s"} skipped by a consumer group (committed past, never read by a member), ${judged}`;
}

/** "; 448 of them below the log start (...)": the part of a loss that retention explains. */
function belowStart(l: LossSummary): string {
  const b = l.belowLogStart;
  if (!b) return "";
  const starts = Object.entries(b.startOffsets)
    .map(([k, o]) => `${k} from ${n(o)}`)
    .join(", ");
  return `; ${n(b.count)} of them below the log start (the final reads, asked from offset 0, began at ${starts}): deleted by retention or deleteRecords, not lost by a replica`;
}

function logLossSentence(l: LossSummary): string {
  const what = l.basis === "sent" ? "sent" : "acknowledged";
  const of = l.lost > l.acknowledged ? "" : ` of ${n(l.acknowledged)}`;
  const undecided = l.undecided > 0 ? `; ${n(l.undecided)} more never read, not decided (the final reads did not complete)` : "";
  if (l.lost === 0) {
    if (l.acknowledged === 0) return `nothing ${what}, so no loss could be shown${undecided}`;
    return `nothing lost (0 of ${n(l.acknowledged)} ${what} write${l.acknowledged === 1 ? "" : "s"})${undecided}`;
  }
  const share = of ? ` (${lostShare(l.lost, l.acknowledged)})` : "";
  const read = l.readBeforeLost > 0 ? `, ${n(l.readBeforeLost)} of them after a consumer had read them` : "";
  const rule = l.reason ? ruleName(l.reason) : undefined;
  const judged = l.permitted ? (rule ? `permitted by ${rule}` : "permitted") : `forbidden${rule ? ` (${rule})` : ""}`;
  const plural = (of ? l.acknowledged : l.lost) === 1 ? "" : "s";
  return `${n(l.lost)}${of} ${what} write${plural} lost${share}${read}, ${judged}${undecided}${belowStart(l)}`;
}

/** The four states a reader tells apart at a glance (more than by colour: a word and a mark too). */
export type LossState = "clean" | "permitted-loss" | "invalid" | "unknown";

export function lossState(valid: boolean | "unknown", loss: LossSummary | undefined): LossState {
  if (valid === false) return "invalid";
  if (valid === "unknown") return "unknown";
  return loss && (loss.lost > 0 || (loss.group?.skipped ?? 0) > 0) ? "permitted-loss" : "clean";
}
