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
  | { kind: "partial"; uncovered?: { key: string; time: number } };

interface CutValue {
  wholeIsrCut?: unknown;
  isrUnknown?: unknown;
}

/** The run's power cuts against its lost writes (key, ns of the acknowledgement); undefined: no cut. */
export function powerCutOf(faults: readonly FaultInterval[], lost: ReadonlyArray<{ key: string; time: number }>): PowerCut | undefined {
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
  const uncovered = lost.find((l) => !cuts.some((c) => l.time <= c.done && covers(c, l.key)));
  return uncovered ? { kind: "partial", uncovered } : { kind: "whole-isr", partitions: whole };
}
