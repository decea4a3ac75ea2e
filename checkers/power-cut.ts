// Whether the run's power cuts can account for its lost writes. A write acknowledged under acks=all
// is in every in-sync replica's memory (page cache), not necessarily on disk: Kafka rests its
// durability on replication, and log.flush.interval.messages is off by default. A power cut loses
// what a broker had not synced, so an acknowledged write can be lost exactly when every replica
// that had it lost power before syncing it: every in-sync replica of its partition cut together
// (families/power.ts records those partitions as wholeIsrCut, from the ISR just before the cut).
// A replica that kept its power has the write, and only an in-sync replica can lead.
import type { FaultInterval } from "./faults.ts";

export type PowerCut =
  /** Every lost write's partition had its whole ISR cut after the write was acknowledged (or nothing was lost and some cut took a whole ISR). */
  | { kind: "whole-isr"; partitions: string[] }
  /** Power was cut, but not of a whole ISR (of the partitions that lost writes, before they were acknowledged). */
  | { kind: "partial"; uncovered?: LostWrite };

interface CutValue {
  wholeIsrCut?: unknown;
  isrUnknown?: unknown;
  /** node → partitions → the offsets of the records the cut took off its segments (families/power.ts). */
  lost?: Record<string, { partitions?: Record<string, { firstOffset?: unknown; lastOffset?: unknown }> }>;
}

/** A lost write: its key, when its acknowledgement completed (ns), the offset it was acknowledged at. */
export interface LostWrite {
  key: string;
  time: number;
  offset?: number;
}

/** Whether the cut's own record says it took this offset of this partition off a broker's log. */
const tookOffset = (v: CutValue, key: string, offset: number | undefined) =>
  offset !== undefined &&
  Object.values(v.lost ?? {}).some((n) => {
    const p = n?.partitions?.[key];
    return typeof p?.firstOffset === "number" && typeof p.lastOffset === "number" && offset >= p.firstOffset && offset <= p.lastOffset;
  });

/** The run's power cuts against its lost writes; undefined: no cut. A write counts as the cut's
 *  when its acknowledgement completed before the cut did, or when the cut's record shows it took
 *  the write's offset off a broker's log (a send whose op completed only after the cut, as a
 *  burst retried across it does, was acknowledged before). */
export function powerCutOf(faults: readonly FaultInterval[], lost: readonly LostWrite[]): PowerCut | undefined {
  // An uncertain cut (info: the nemesis lost track midway) may have happened.
  const cuts = faults.filter((f) => f.f === "power-loss" && f.type !== "fail");
  if (cuts.length === 0) return undefined;
  // A cut with no record of whose ISR it took (its ISR unreadable, or the cut uncertain) is taken to
  // cover every partition: unsure, so the loss is not called a broken promise.
  const covers = (c: FaultInterval, key: string) => {
    const v = (c.value ?? {}) as CutValue;
    return !Array.isArray(v.wholeIsrCut) || v.wholeIsrCut.map(String).includes(key);
  };
  const whole = [...new Set(cuts.flatMap((c) => (((c.value ?? {}) as CutValue).wholeIsrCut as string[] | undefined) ?? []))].sort();
  if (lost.length === 0) return whole.length > 0 ? { kind: "whole-isr", partitions: whole } : { kind: "partial" };
  const uncovered = lost.find(
    (l) => !cuts.some((c) => covers(c, l.key) && (l.time <= c.done || tookOffset((c.value ?? {}) as CutValue, l.key, l.offset))),
  );
  return uncovered ? { kind: "partial", uncovered } : { kind: "whole-isr", partitions: whole };
}
