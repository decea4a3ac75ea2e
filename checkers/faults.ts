// The faults of a history as they took effect (pure): each nemesis op pair (docs/design.md, History) with
// its outcome: `ok` (in force), `info` (may have half-happened) or `fail` (refused, nothing
// happened), from its invocation to the completion of the undo that ended it. A verdict that rests
// on faults must count the ones that were applied, not the ones that were planned.
import { HEAL_ALL, hasUndo, UNDO_OF, undoneBy } from "./fault-names.ts";
import type { Op } from "./history.ts";

export interface FaultInterval {
  f: string;
  targets: string[];
  /** The completion's value (the invocation's when the completion has none). */
  value: unknown;
  type: "ok" | "info" | "fail";
  /** ns: the invocation (the completion when there was none), and the completion. */
  start: number;
  done: number;
  /** ns: the completion of the undo that ended it; undefined while in force at the end of the history. */
  end?: number;
  /** History indexes of the invocation (or completion), the completion, and the undo's completion. */
  index: number;
  doneIndex: number;
  undoIndex?: number;
  undoF?: string;
}

export interface FaultTimeline {
  faults: FaultInterval[];
  /** Nemesis completions with no invocation: measurements (failover, recovery). */
  lone: Op[];
}

/** The `targets` of a nemesis op's value, as node names. */
export const targetsOf = (v: unknown): string[] => {
  const t = (v as { targets?: unknown } | null)?.targets;
  return Array.isArray(t) ? t.map(String) : [];
};

/** The nemesis ops of a history (others are skipped) as fault intervals and lone measurements. */
export function faultIntervals(history: Iterable<Op>): FaultTimeline {
  const actions: Array<{ f: string; inv: Op | undefined; done: Op }> = [];
  const lone: Op[] = [];
  const pending = new Map<string, Op>();
  for (const op of history) {
    if (op.process !== "nemesis") continue;
    const f = String(op.f);
    if (op.type === "invoke") {
      pending.set(f, op);
      continue;
    }
    const inv = pending.get(f);
    pending.delete(f);
    if (inv) actions.push({ f, inv, done: op });
    else lone.push(op);
  }
  const faults: FaultInterval[] = [];
  const open: FaultInterval[] = [];
  for (const a of actions) {
    const undone = undoneBy(a.f);
    if (undone) {
      if (a.done.type === "fail") continue;
      const hit = targetsOf(a.done.value);
      for (const b of [...open]) {
        const kinds = undone.includes("*") || undone.includes(b.f);
        // heal and heal-all end every partition, whichever nodes had rules.
        const overlap = a.f === UNDO_OF.partition || a.f === HEAL_ALL || hit.length === 0 || b.targets.some((t) => hit.includes(t));
        if (kinds && overlap) {
          b.end = a.done.time;
          b.undoIndex = a.done.index;
          b.undoF = a.f;
          open.splice(open.indexOf(b), 1);
        }
      }
      continue;
    }
    const value = a.done.value ?? a.inv?.value;
    const type = a.done.type === "ok" || a.done.type === "fail" ? a.done.type : "info";
    const fault: FaultInterval = {
      f: a.f,
      targets: targetsOf(value),
      value,
      type,
      start: (a.inv ?? a.done).time,
      done: a.done.time,
      index: (a.inv ?? a.done).index,
      doneIndex: a.done.index,
    };
    // Faults without an undo (bounce) end when they complete.
    if (!hasUndo(a.f)) fault.end = a.done.time;
    else if (type !== "fail") open.push(fault);
    faults.push(fault);
  }
  return { faults, lone };
}

export interface FaultCount {
  /** In force: the fault completed ok. */
  applied: number;
  /** Applied and shown to have reached the data path during the workload (effective-faults.ts). */
  effective: number;
  /** Refused before anything happened (fail). */
  refused: number;
  /** May have half-happened (info): not counted as applied. */
  uncertain: number;
}

export interface FaultCounts extends FaultCount {
  byKind: Record<string, FaultCount>;
}

export const noFaultCount = (): FaultCount => ({ applied: 0, effective: 0, refused: 0, uncertain: 0 });

/** Counts faults by outcome; `effective[i]` says whether faults[i] took effect (faultEffects). */
export function countFaults(faults: readonly FaultInterval[], effective: readonly unknown[] = []): FaultCounts {
  const total: FaultCounts = { ...noFaultCount(), byKind: {} };
  faults.forEach((f, i) => {
    const kind = (total.byKind[f.f] ??= noFaultCount());
    const field = f.type === "ok" ? "applied" : f.type === "fail" ? "refused" : "uncertain";
    kind[field]++;
    total[field]++;
    if (f.type === "ok" && effective[i]) {
      kind.effective++;
      total.effective++;
    }
  });
  return total;
}
