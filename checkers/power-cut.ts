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
}

/** A lost write: its key and when its acknowledgement completed (ns). */
export interface LostWrite {
  key: string;
  time: number;
}

/** The run's power cuts against its lost writes; undefined: no cut. A lost write is a cut's when
 *  its partition's whole ISR lost power in that cut and its acknowledgement completed before the
 *  power came back: while every in-sync replica is down (and unclean election is off) nothing is
 *  appended to the partition, so such a write was appended before the cut. Its acknowledgement may
 *  complete after the cut op does: the broker sends what it appended until it dies, and the
 *  client's op completes later still. */
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
  const uncovered = lost.find((l) => !cuts.some((c) => covers(c, l.key) && l.time <= (c.end ?? Number.POSITIVE_INFINITY)));
  return uncovered ? { kind: "partial", uncovered } : { kind: "whole-isr", partitions: whole };
}
