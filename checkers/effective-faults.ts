// Which applied faults took effect (pure). "Applied" says only that the docker or iptables call
// returned: a pause of the controller shorter than its session moves no leader, a `zk` fault may hit
// a ZooKeeper node nobody was talking to, `random-broker` may hit a follower. A fault is EFFECTIVE
// when it completed ok, its window (invocation to the undo's completion, or the end of the history)
// overlapped the workload phase, and one of these shows that it reached the data path:
//
// - its `failover` record (harness/nemesis/failover-watch.ts) shows a workload partition's leader
//   lost and a new one elected (leaderless ∩ keys non-empty, leaderAfterMs set), or the ISR of a
//   workload partition shrunk (partitions ∩ keys non-empty, isrShrunkAfterMs set);
// - its `quorum-failover` record (quorum-watch.ts) shows the KRaft quorum leader moved;
// - client ops (send, poll, txn) on the keys its failover record names failed or went unknown while
//   it was in force (invoked before its window closed, completed after it opened), workload ops only;
// - a write to a key its failover record names was acknowledged while it was in force and is gone
//   from the log at the end: the fault lost data (an isolated acks=1 leader acknowledges alone and
//   is truncated when it rejoins, often after the fault is undone and its watch has ended);
// - it is a rolling restart that completed: every broker was stopped in turn, so every partition's
//   leader moved.
//
// A fault with no failover record (one that hit only ZooKeeper nodes or non-leading controllers, or
// a run whose watch was off) names no partitions, so client trouble cannot be tied to it: it is not
// effective. Unsure means not effective: an effective count is a floor a control can rely on.
import type { FaultInterval, FaultTimeline } from "./faults.ts";
import type { Key, Op, Process } from "./history.ts";

/** A client op that failed or went unknown: when it was in flight, and the keys it named. */
export interface ClientTrouble {
  /** History index of the completion (of the invocation, for one that never completed). */
  index: number;
  /** ns: invocation and completion (Infinity: never completed). */
  start: number;
  end: number;
  keys: string[];
}

/** Keys a send / poll / txn op's micro-ops name: its sends' keys and its poll results' keys. */
function keysOf(value: unknown): string[] {
  const keys = new Set<string>();
  if (!Array.isArray(value)) return [];
  for (const mop of value as unknown[]) {
    if (!Array.isArray(mop)) continue;
    if (mop[0] === "send") keys.add(String(mop[1] as Key));
    else if (mop[0] === "poll" && mop[1] && typeof mop[1] === "object") for (const k of Object.keys(mop[1])) keys.add(k);
  }
  return [...keys];
}

/**
 * Collects client trouble as a history streams by: only the failed and unknown ops are kept (few),
 * each with its invocation's time. One op in flight per process (docs/design.md, History): a process
 * that invokes again gave up on its previous invocation, which counts as unknown until then.
 */
export class TroubleNotes {
  /** Per process, its invocation in flight: by number for the usual small integer processes (a
   *  Map get, set and delete for every op of a million-op history is a tenth of its check), in a
   *  Map for the others. `order` numbers them as a Map's insertion order would, for troubles(). */
  private readonly byNumber: Array<Op | undefined> = [];
  private readonly orderByNumber: number[] = [];
  private readonly byName = new Map<Process, Op>();
  private readonly orderByName = new Map<Process, number>();
  private order = 0;
  private readonly found: ClientTrouble[] = [];

  note(op: Op): void {
    const f = op.f;
    if (f !== "send" && f !== "poll" && f !== "txn") return;
    const inv = this.get(op.process);
    if (op.type === "invoke") {
      if (inv) this.found.push({ index: inv.index, start: inv.time, end: op.time, keys: keysOf(inv.value) });
      this.set(op.process, op, inv === undefined);
      return;
    }
    if (inv?.f === f) this.set(op.process, undefined, false);
    if (op.type === "ok") return;
    const sameOp = inv?.f === f ? inv : undefined;
    this.found.push({ index: op.index, start: sameOp?.time ?? op.time, end: op.time, keys: keysOf(op.value ?? sameOp?.value) });
  }

  /** What note() does with an `ok` completion of a client op (the file check's fast path, which
   *  builds no Op for it): its invocation is no longer in flight. */
  noteOk(process: Process, f: string): void {
    if (this.get(process)?.f === f) this.set(process, undefined, false);
  }

  /** The trouble seen, invocations still open at the end included (in flight until the end). */
  troubles(): ClientTrouble[] {
    const open: Array<{ inv: Op; order: number }> = [];
    for (let p = 0; p < this.byNumber.length; p++) {
      const inv = this.byNumber[p];
      if (inv !== undefined) open.push({ inv, order: this.orderByNumber[p]! });
    }
    for (const [p, inv] of this.byName) open.push({ inv, order: this.orderByName.get(p)! });
    open.sort((a, b) => a.order - b.order);
    return [...this.found, ...open.map(({ inv }) => ({ index: inv.index, start: inv.time, end: Infinity, keys: keysOf(inv.value) }))];
  }

  private get(p: Process): Op | undefined {
    return isSmall(p) ? this.byNumber[p] : this.byName.get(p);
  }

  /** `fresh`: the process had nothing in flight (a new entry, ordered last). */
  private set(p: Process, inv: Op | undefined, fresh: boolean): void {
    if (isSmall(p)) {
      while (this.byNumber.length <= p) {
        this.byNumber.push(undefined);
        this.orderByNumber.push(0);
      }
      this.byNumber[p] = inv;
      if (fresh) this.orderByNumber[p] = this.order++;
    } else if (inv === undefined) {
      this.byName.delete(p);
      this.orderByName.delete(p);
    } else {
      this.byName.set(p, inv);
      if (fresh) this.orderByName.set(p, this.order++);
    }
  }
}

/** A process number kept in an array: a small non-negative integer. */
function isSmall(p: Process): p is number {
  return typeof p === "number" && p >= 0 && p < 65536 && (p | 0) === p;
}

export type FaultEffect =
  | "leader-moved"
  | "isr-shrunk"
  | "quorum-moved"
  | "clients-disturbed"
  | "acknowledged-lost"
  | "rolled"
  | "group-disturbed"
  /** corrupt-segment: the broker logged finding the corruption (recovery truncated it). */
  | "corruption-found"
  /** disk-full / log-dir-failure: the broker took its log directory offline (or halted). */
  | "log-dir-offline"
  /** power-loss: a workload partition's records were cut off a log segment (the layer's own record). */
  | "unsynced-lost";

/** What the history says about the run besides the faults, for effectFaults. */
export interface EffectContext {
  /** The workload's keys (the history's keys): partition names, as the failover records name them. */
  keys: readonly string[];
  /** ns: the workload phase (undefined: the history has no such marker, so from its start / to its end). */
  workloadFrom?: number;
  workloadTo?: number;
  /** History index of the final reads' invocation: client ops after it are no workload. */
  finalReadsFrom?: number;
  troubles: readonly ClientTrouble[];
  /** Acknowledged writes gone from the log at the end: key, and when the acknowledgement completed (ns). */
  lost?: ReadonlyArray<{ key: string; time: number }>;
  /** Consumer groups' offset commits refused or left unknown (ns), group-trace.ts groupTroubles. */
  groupTroubles?: ReadonlyArray<{ start: number; end: number }>;
}

interface FailoverRecord {
  partitions?: unknown;
  leaderless?: unknown;
  leaderAfterMs?: unknown;
  isrShrunkAfterMs?: unknown;
}

const names = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const set = (v: unknown): boolean => typeof v === "number";

/** Each fault's effect (same order as `timeline.faults`), or undefined when it showed none. */
export function faultEffects(timeline: FaultTimeline, ctx: EffectContext): Array<FaultEffect | undefined> {
  // Measurements by the history index of the fault's ok completion (value.fault).
  const failover = new Map<number, FailoverRecord>();
  const quorum = new Map<number, { quorumLeaderAfterMs?: unknown }>();
  for (const op of timeline.lone) {
    const v = op.value as ({ fault?: unknown } & FailoverRecord & { quorumLeaderAfterMs?: unknown }) | null;
    if (typeof v?.fault !== "number") continue;
    if (op.f === "failover") failover.set(v.fault, v);
    else if (op.f === "quorum-failover") quorum.set(v.fault, v);
  }
  const keys = new Set(ctx.keys.map(String));
  const from = ctx.workloadFrom ?? -Infinity;
  const to = ctx.workloadTo ?? Infinity;
  const workloadTroubles = ctx.troubles.filter((t) => ctx.finalReadsFrom === undefined || t.index < ctx.finalReadsFrom);
  return timeline.faults.map((f) => {
    if (f.type !== "ok") return undefined;
    const end = f.end ?? Infinity;
    if (f.start > to || end < from) return undefined;
    const effect = effectOf(f, end, failover.get(f.doneIndex), quorum.get(f.doneIndex), keys, workloadTroubles, ctx.lost ?? []);
    // Off the data path, a fault may still reach a consumer group (its coordinator paused or cut):
    // commits refused or unknown while it was in force.
    if (effect === undefined && (ctx.groupTroubles ?? []).some((t) => t.start <= end && t.end >= f.start)) return "group-disturbed";
    return effect;
  });
}

function effectOf(
  f: FaultInterval,
  end: number,
  failover: FailoverRecord | undefined,
  quorum: { quorumLeaderAfterMs?: unknown } | undefined,
  keys: ReadonlySet<string>,
  troubles: readonly ClientTrouble[],
  lost: ReadonlyArray<{ key: string; time: number }>,
): FaultEffect | undefined {
  if (f.f === "bounce") return "rolled";
  const disk = diskEffect(f);
  if (disk) return disk;
  if (f.f === "power-loss") {
    if (powerCutRecords(f.value, keys) > 0) return "unsynced-lost";
    // A partition whose whole ISR lost power has no replica to lead it until the power is back: a
    // client op on it failing meanwhile shows the cut on the data path, with no failover watch (a
    // whole-cluster cut leaves no broker to ask).
    const cut = names((f.value as { wholeIsrCut?: unknown } | null)?.wholeIsrCut).filter((k) => keys.has(k));
    if (troubles.some((t) => t.start <= end && t.end >= f.start && t.keys.some((k) => cut.includes(k)))) return "clients-disturbed";
  }
  if (quorum && set(quorum.quorumLeaderAfterMs)) return "quorum-moved";
  if (!failover) return undefined;
  const affected = names(failover.partitions).filter((p) => keys.has(p));
  if (set(failover.leaderAfterMs) && names(failover.leaderless).some((p) => keys.has(p))) return "leader-moved";
  if (set(failover.isrShrunkAfterMs) && affected.length > 0) return "isr-shrunk";
  const hit = troubles.some((t) => t.start <= end && t.end >= f.start && t.keys.some((k) => affected.includes(k)));
  if (hit) return "clients-disturbed";
  return lost.some((l) => l.time >= f.start && l.time <= end && affected.includes(l.key)) ? "acknowledged-lost" : undefined;
}

/** Records the power-loss layer cut off the workload partitions' segments (families/power.ts value.lost). */
export function powerCutRecords(value: unknown, keys: ReadonlySet<string>): number {
  const lost = (value as { lost?: Record<string, { partitions?: Record<string, { records?: unknown }> }> } | null)?.lost;
  let n = 0;
  for (const node of Object.values(lost ?? {}))
    for (const [key, p] of Object.entries(node?.partitions ?? {})) if (keys.has(key) && typeof p.records === "number") n += p.records;
  return n;
}

/** The disk family's own measurement (families/disk.ts value.effects: per broker, what it logged). */
function diskEffect(f: FaultInterval): FaultEffect | undefined {
  const effects = (f.value as { effects?: unknown } | null)?.effects;
  if (!Array.isArray(effects)) return undefined;
  const each = effects as { logged?: unknown; offlineAfterMs?: unknown; haltedAfterMs?: unknown }[];
  if (f.f === "corrupt-segment")
    return each.some((e) => names(e.logged).some((l) => /Found invalid|Corruption found|CorruptRecord/i.test(l)))
      ? "corruption-found"
      : undefined;
  if (f.f === "disk-full" || f.f === "log-dir-failure")
    return each.some((e) => set(e.offlineAfterMs) || set(e.haltedAfterMs)) ? "log-dir-offline" : undefined;
  return undefined;
}
