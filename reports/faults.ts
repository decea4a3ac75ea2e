// Faults as the timeline shows them: the nemesis ops of a history (docs/design.md, History) turned into shaded
// intervals (from a fault's invocation to the completion of the undo that ended it) and marks (the
// failover and recovery times the nemesis measured). Unknown fault names are shown generically:
// an invoke→completion interval labelled with f and targets.
import { faultIntervals, targetsOf } from "../checkers/faults.ts";
import type { History } from "../checkers/index.ts";
import { cut } from "./ops.ts";

export interface FaultBand {
  f: string;
  /** What the label says: the fault, its targets, what they were chosen as. */
  label: string;
  targets: string[];
  /** Seconds on the page's clock (clock.ts); `to` is the undo's completion, or the end of the history. */
  from: number;
  to: number;
  /** ok, info (may have happened) or fail (refused: drawn as a thin mark). */
  type: string;
  /** History indexes of the invocation, the completion, and the undo's completion. */
  index: number;
  doneIndex: number;
  undoIndex?: number;
  undoF?: string;
  /** True when no undo was seen before the end of the history. */
  open: boolean;
  /** Measurements tied to this fault (failover) or to its undo (recovery). */
  measures: Measure[];
  reason?: string;
  /** What the fault took, in words (power-loss: the records each broker lost at the cut). */
  detail?: string;
}

export interface Measure {
  kind: string;
  /** The field, e.g. leaderAfterMs, and its value. */
  field: string;
  ms: number | null;
  /** When it happened: the measured op's time plus ms (seconds). */
  at: number | null;
  label: string;
  ended?: string;
  index: number;
  /** The fault it measures, e.g. "kill kafka2" (when the op it names is a known fault or undo). */
  of?: string;
}

const MEASURE_NAMES: Record<string, string> = {
  leaderAfterMs: "new leader",
  isrShrunkAfterMs: "ISR shrunk",
  isrWholeAfterMs: "ISR whole",
};

/** 3600000 → "1 h", 1500 → "1.5 s". */
const clockSpan = (ms: number) =>
  ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;

export function faultLabel(f: string, value: unknown): string {
  const v = (value ?? {}) as Record<string, unknown>;
  const parts = [f];
  const t = targetsOf(v);
  if (t.length) parts.push(t.join(", "));
  const extra: string[] = [];
  if (typeof v.leaderOf === "string") extra.push(`leader of ${v.leaderOf}`);
  else if (typeof v.selector === "string" && v.selector !== "nodes") extra.push(String(v.selector));
  if (typeof v.topology === "string") extra.push(String(v.topology));
  // Clock faults: the jump, and a strobe's period.
  if (typeof v.deltaMs === "number")
    extra.push(
      `${v.deltaMs > 0 ? "+" : "-"}${clockSpan(Math.abs(v.deltaMs))}${typeof v.periodMs === "number" ? ` every ${clockSpan(v.periodMs)}` : ""}`,
    );
  // corrupt-segment: which file of the segment, and how.
  if (typeof v.file === "string" && typeof v.mode === "string") extra.push(`${v.file} ${v.mode}`);
  // power-loss: how much the cut took.
  const cutLost = powerLoss(v);
  if (cutLost)
    extra.push(
      `${cutLost.records.toLocaleString("en")} records cut off ${cutLost.nodes.length} broker${cutLost.nodes.length === 1 ? "'s" : "s'"} logs`,
    );
  return cut(`${parts.join(" ")}${extra.length ? ` (${extra.join(", ")})` : ""}`, 120);
}

type NodeCut = { segmentBytes?: number; partitions?: Record<string, { records?: number; bytes?: number }> };

/** A power-loss value's losses: records in all, and per broker per partition (families/power.ts). */
function powerLoss(v: Record<string, unknown>): { records: number; nodes: [string, NodeCut][] } | undefined {
  if (typeof v.lost !== "object" || v.lost === null) return undefined;
  const nodes = Object.entries(v.lost as Record<string, NodeCut>);
  let records = 0;
  for (const [, n] of nodes) for (const p of Object.values(n.partitions ?? {})) records += p.records ?? 0;
  return { records, nodes };
}

const kb = (bytes: number) => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`);

/** What a power cut took from each broker, per partition, and whose whole ISR it cut. */
export function powerLossDetail(value: unknown): string | undefined {
  const v = (value ?? {}) as Record<string, unknown>;
  const lost = powerLoss(v);
  if (!lost) return undefined;
  const nodes = lost.nodes.map(([name, n]) => {
    const parts = Object.entries(n.partitions ?? {})
      .filter(([, p]) => (p.records ?? 0) > 0)
      .map(([k, p]) => `${k} ${p.records} records (${kb(p.bytes ?? 0)})`);
    return `${name}: ${parts.length ? parts.join(", ") : "no records"}, ${kb(n.segmentBytes ?? 0)} of segments in all`;
  });
  const whole = Array.isArray(v.wholeIsrCut)
    ? `whole ISR cut: ${v.wholeIsrCut.length ? v.wholeIsrCut.join(", ") : "none (a replica of each partition kept its power)"}`
    : "the ISR at the cut is unknown";
  const kept = v.elrKeptPower && typeof v.elrKeptPower === "object" ? Object.entries(v.elrKeptPower as Record<string, unknown>) : [];
  const elr = kept.length
    ? `; eligible leader replicas that kept their power: ${kept.map(([k, names]) => `${k} ${[names].flat().join(", ")}`).join("; ")}`
    : "";
  return `lost at the cut: ${nodes.join("; ")}. ${whole}${elr}`;
}

/** `originNs`: the history time the page's clock counts from (clock.ts). */
export function faultTimeline(history: History, endNs: number, originNs = 0): { bands: FaultBand[]; measures: Measure[] } {
  const s = (ns: number) => (ns - originNs) / 1e9;
  // The checker's fault intervals (checkers/faults.ts): what the report shades is what was counted.
  const { faults, lone } = faultIntervals(history);
  // A measurement counts from the nemesis op it names (a fault, or any undo, heal-all included).
  const timeOf = new Map<number, number>();
  for (const op of history) if (op.process === "nemesis" && op.type !== "invoke") timeOf.set(op.index, op.time);
  const bands: FaultBand[] = faults.map((f) => {
    const v = f.value as Record<string, unknown> | undefined;
    const open = f.end === undefined && f.type !== "fail";
    const band: FaultBand = {
      f: f.f,
      label: faultLabel(f.f, v),
      targets: f.targets,
      from: s(f.start),
      to: s(open ? endNs : (f.end ?? f.done)),
      type: f.type,
      index: f.index,
      doneIndex: f.doneIndex,
      open,
      measures: [],
      ...(f.undoIndex !== undefined ? { undoIndex: f.undoIndex, undoF: f.undoF } : {}),
    };
    if (typeof v?.reason === "string") band.reason = cut(v.reason, 200);
    const detail = f.f === "power-loss" ? powerLossDetail(v) : undefined;
    if (detail) band.detail = cut(detail, 600);
    return band;
  });

  // Measurements: numeric *Ms fields, counted from the op they name (value.fault) or from themselves.
  const measures: Measure[] = [];
  for (const op of lone) {
    const v = op.value;
    if (typeof v !== "object" || v === null) continue;
    const rec = v as Record<string, unknown>;
    const ref = typeof rec.fault === "number" ? rec.fault : undefined;
    const base = ref !== undefined && timeOf.has(ref) ? timeOf.get(ref)! : op.time;
    for (const [field, ms] of Object.entries(rec)) {
      if (!field.endsWith("Ms") || !(typeof ms === "number" || ms === null)) continue;
      // No partition lost its leader: there was no election to time.
      if (field === "leaderAfterMs" && ms === null && Array.isArray(rec.leaderless) && rec.leaderless.length === 0) continue;
      const name =
        MEASURE_NAMES[field] ??
        field
          .replace(/Ms$/, "")
          .replace(/([A-Z])/g, " $1")
          .toLowerCase();
      const m: Measure = {
        kind: String(op.f),
        field,
        ms,
        at: ms === null ? null : s(base) + ms / 1000,
        label: ms === null ? `${name} not seen` : `${name} after ${fmtMs(ms)}`,
        index: op.index,
      };
      if (typeof rec.ended === "string") m.ended = rec.ended;
      measures.push(m);
      const owner = bands.find((b) => b.doneIndex === ref || b.undoIndex === ref);
      if (owner) {
        owner.measures.push(m);
        m.of = `${owner.f} ${owner.targets.join(", ")}`.trim();
      }
    }
  }
  return { bands, measures };
}

export function fmtMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
