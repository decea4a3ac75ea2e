// Whether the run's power cuts can account for its lost writes. A write acknowledged under acks=all
// is in every in-sync replica's memory (page cache), not necessarily on disk: Kafka rests its
// durability on replication, and log.flush.interval.messages is off by default. A power cut loses
// what a broker had not synced, so an acknowledged write can be lost exactly when every replica
// that had it lost power before syncing it: every in-sync replica of its partition cut together
// (families/power.ts records those partitions as wholeIsrCut, from the ISR just before the cut).
// A replica that kept its power has the write, and only an in-sync replica can lead; on KRaft also an
// eligible leader replica (ELR: it left the ISR while the ISR was below min.insync.replicas, with
// every write acknowledged until then), unless it comes back from an unclean shutdown itself.
import type { FaultInterval } from "./faults.ts";

export type PowerCut =
  /** Every lost write's partition had its whole ISR cut after the write was acknowledged (or nothing was lost and some cut took a whole ISR). */
  | { kind: "whole-isr"; partitions: string[] }
  /** Power was cut, but not of a whole ISR (of the partitions that lost writes, before they were
   *  acknowledged), or an eligible leader replica of the partition kept its power and shut down
   *  cleanly throughout (`eligible`: its names). */
  | { kind: "partial"; uncovered?: LostWrite; eligible?: string[] };

interface CutValue {
  wholeIsrCut?: unknown;
  elrKeptPower?: unknown;
}

/** Faults after which a broker comes back from a clean shutdown, or was never shut down: the only
 *  ones that leave it an eligible leader replica (KRaft drops a broker back from an unclean
 *  shutdown from the ELR). A stop is clean when it completed within Docker's grace period (the
 *  nemesis gives 30 s; after it, a SIGKILL). Every other fault may be an unclean shutdown. */
const CLEAN = new Set([
  "stop",
  "pause",
  "partition",
  "packet-loss",
  "slow-link",
  "clock-bump",
  "clock-strobe",
  "reassign",
  "elect-leaders",
]);
const STOP_GRACE_NS = 29e9;
const cleanFault = (f: FaultInterval) => CLEAN.has(f.f) && f.type === "ok" && (f.f !== "stop" || f.done - f.start < STOP_GRACE_NS);

/** The ELR members of `key` that kept their power in cut `c` and had no fault that may have shut them
 *  down uncleanly in the whole run: the controller may elect them with every acknowledged write, so
 *  a loss is not this cut's doing. Empty when the cut recorded no ELR (ZooKeeper mode, none, or
 *  unread): then the ISR alone decides. */
function eligibleHeld(c: FaultInterval, key: string, faults: readonly FaultInterval[]): string[] {
  const kept = ((c.value ?? {}) as CutValue).elrKeptPower;
  const names = kept && typeof kept === "object" ? (kept as Record<string, unknown>)[key] : undefined;
  if (!Array.isArray(names)) return [];
  return names
    .map(String)
    .filter((n) => !faults.some((f) => f.targets.includes(n) && f.f !== "power-loss" && f.type !== "fail" && !cleanFault(f)));
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
  const wholeIsr = (c: FaultInterval, key: string) => {
    const v = (c.value ?? {}) as CutValue;
    return !Array.isArray(v.wholeIsrCut) || v.wholeIsrCut.map(String).includes(key);
  };
  // The cut took the write's whole ISR, and the power came back after its acknowledgement.
  const cutWhole = (c: FaultInterval, l: LostWrite) => wholeIsr(c, l.key) && l.time <= (c.end ?? Number.POSITIVE_INFINITY);
  const covers = (c: FaultInterval, l: LostWrite) => cutWhole(c, l) && eligibleHeld(c, l.key, faults).length === 0;
  const whole = [...new Set(cuts.flatMap((c) => (((c.value ?? {}) as CutValue).wholeIsrCut as string[] | undefined) ?? []))].sort();
  if (lost.length === 0) return whole.length > 0 ? { kind: "whole-isr", partitions: whole } : { kind: "partial" };
  const uncovered = lost.find((l) => !cuts.some((c) => covers(c, l)));
  if (!uncovered) return { kind: "whole-isr", partitions: whole };
  // Which ELR members kept the write, where the ISR alone would have covered it.
  const eligible = [...new Set(cuts.filter((c) => cutWhole(c, uncovered)).flatMap((c) => eligibleHeld(c, uncovered.key, faults)))].sort();
  return { kind: "partial", uncovered, ...(eligible.length ? { eligible } : {}) };
}
