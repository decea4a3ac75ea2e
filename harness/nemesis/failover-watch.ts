// Failover and recovery times, measured from the cluster's own metadata and recorded in the history
// as nemesis ops of type "info" (they report an observation, not an action):
//
//   {"process":"nemesis","type":"info","f":"failover","value":{"fault":12,"partitions":["t-0","t-1"],
//     "leaderless":["t-0"],"leaderAfterMs":6234,"isrShrunkAfterMs":6234,"leaders":{"t-0":3,"t-1":1},"ended":"settled"}}
//   {"process":"nemesis","type":"info","f":"recovery","value":{"fault":15,"partitions":["t-0","t-1"],
//     "leaderAfterMs":0,"isrWholeAfterMs":8120,"ended":"settled"}}
//
// - failover, after a fault's ok op (value.fault = that op's index): `partitions` are those with a
//   replica on a broker the fault hit; `leaderless` those whose leader it hit. leaderAfterMs: time
//   from the ok op until every leaderless partition has a leader outside the hit brokers (null when
//   none lost its leader, or not seen before the watch ended); isrShrunkAfterMs: until every affected
//   partition's ISR is smaller than before the fault (the cluster noticed).
// - recovery, after an undo's (or heal-all's) ok op: leaderAfterMs until every watched partition has
//   a leader; isrWholeAfterMs until every watched partition has all its replicas in the ISR (both as
//   every answering broker sees it: a broker just resumed or healed still has its stale view).
// - ended: "settled" (everything seen), "timeout", "undone" (the fault was undone first),
//   "interrupted" (a new fault began before recovery), "closed" (the nemesis was closed).
//
// Metadata comes from every broker that answers, polled every pollMs, and a condition counts only
// when it holds in all their views; the failover watch never asks a broker the fault hit (an
// isolated leader keeps reporting itself as leader).
import { sleep } from "../util/wait.ts";
import { keyOfPartition, type PartitionMetadata } from "./broker-metadata.ts";
import type { ClusterProbe } from "./probe.ts";
import type { Recorder } from "../history/recorder.ts";

export type WatchEnd = "settled" | "timeout" | "undone" | "interrupted" | "closed";

export interface WatchOptions {
  /** Topics to watch; default: every topic whose name does not start with "__". */
  topics?: readonly string[];
  pollMs?: number;
  /** Give up after this long (the op is still recorded, with ended "timeout"). */
  timeoutMs?: number;
}

export const isWatched = (p: PartitionMetadata, topics?: readonly string[]) =>
  topics ? topics.includes(p.topic) : !p.topic.startsWith("__");

/** Partitions with a replica on a hit broker, and those whose leader is a hit broker. */
export function affectedBy(before: readonly PartitionMetadata[], hit: ReadonlySet<number>) {
  return {
    partitions: before.filter((p) => p.replicas.some((r) => hit.has(r))),
    leaderless: before.filter((p) => hit.has(p.leader)),
  };
}

const find = (ps: readonly PartitionMetadata[], p: PartitionMetadata) => ps.find((x) => x.topic === p.topic && x.partition === p.partition);

export function newLeaderElected(leaderless: readonly PartitionMetadata[], now: readonly PartitionMetadata[], hit: ReadonlySet<number>) {
  return leaderless.every((p) => {
    const q = find(now, p);
    return q !== undefined && q.leader >= 0 && !hit.has(q.leader);
  });
}

export function isrShrunk(partitions: readonly PartitionMetadata[], now: readonly PartitionMetadata[]) {
  return partitions.every((p) => {
    const q = find(now, p);
    return q !== undefined && q.isr.length < p.isr.length;
  });
}

export const allLed = (ps: readonly PartitionMetadata[]) => ps.length > 0 && ps.every((p) => p.leader >= 0);
export const allWhole = (ps: readonly PartitionMetadata[]) => ps.length > 0 && ps.every((p) => p.leader >= 0 && p.isr.length === p.replicas.length);


/**
 * Polls every broker not avoided until `step` holds for each answering broker's view, the signal
 * aborts (reason = the WatchEnd) or the timeout passes. Every view, because a broker that was
 * isolated or paused answers from a stale cache: one broker's word is not the cluster's.
 */
export async function pollMetadata(
  probe: ClusterProbe,
  o: { avoid: ReadonlySet<string>; topics?: readonly string[]; pollMs: number; timeoutMs: number; t0: number; signal: AbortSignal },
  step: (views: PartitionMetadata[][], elapsedMs: number) => boolean,
): Promise<WatchEnd> {
  for (;;) {
    if (o.signal.aborted) return (o.signal.reason as WatchEnd) ?? "closed";
    const elapsed = performance.now() - o.t0;
    if (elapsed > o.timeoutMs) return "timeout";
    const answers = await probe.metadataAll({ avoid: o.avoid, topics: o.topics }).catch(() => []);
    if (answers.length && step(answers.map((md) => md.partitions.filter((p) => isWatched(p, o.topics))), Math.round(elapsed))) return "settled";
    await sleep(o.pollMs, o.signal);
  }
}

export interface FailoverWatch {
  recorder: Recorder;
  probe: ClusterProbe;
  /** Index of the fault's ok op. */
  fault: number;
  t0: number;
  before: readonly PartitionMetadata[];
  hitBrokers: ReadonlySet<number>;
  hitNames: ReadonlySet<string>;
  options: WatchOptions;
  signal: AbortSignal;
}

export async function watchFailover(w: FailoverWatch): Promise<void> {
  const { partitions, leaderless } = affectedBy(w.before.filter((p) => isWatched(p, w.options.topics)), w.hitBrokers);
  if (partitions.length === 0) return;
  let leaderAfterMs: number | null = null;
  let isrShrunkAfterMs: number | null = null;
  let last: PartitionMetadata[] = [];
  const ended = await pollMetadata(
    w.probe,
    { avoid: w.hitNames, topics: w.options.topics, pollMs: w.options.pollMs ?? 250, timeoutMs: w.options.timeoutMs ?? 60_000, t0: w.t0, signal: w.signal },
    (views, ms) => {
      last = views[0]!;
      if (leaderAfterMs === null && leaderless.length && views.every((v) => newLeaderElected(leaderless, v, w.hitBrokers))) leaderAfterMs = ms;
      if (isrShrunkAfterMs === null && views.every((v) => isrShrunk(partitions, v))) isrShrunkAfterMs = ms;
      return (leaderless.length === 0 || leaderAfterMs !== null) && isrShrunkAfterMs !== null;
    },
  );
  w.recorder.record({
    process: "nemesis",
    type: "info",
    f: "failover",
    value: {
      fault: w.fault,
      partitions: partitions.map(keyOfPartition),
      leaderless: leaderless.map(keyOfPartition),
      leaderAfterMs,
      isrShrunkAfterMs,
      leaders: Object.fromEntries(partitions.map((p) => [keyOfPartition(p), find(last, p)?.leader ?? null])),
      ended,
    },
  });
}

export interface RecoveryWatch {
  recorder: Recorder;
  probe: ClusterProbe;
  /** Index of the undo's (or heal-all's) ok op. */
  fault: number;
  t0: number;
  options: WatchOptions;
  signal: AbortSignal;
}

export async function watchRecovery(w: RecoveryWatch): Promise<void> {
  let leaderAfterMs: number | null = null;
  let isrWholeAfterMs: number | null = null;
  let watched: string[] = [];
  const ended = await pollMetadata(
    w.probe,
    { avoid: new Set(), topics: w.options.topics, pollMs: w.options.pollMs ?? 250, timeoutMs: w.options.timeoutMs ?? 120_000, t0: w.t0, signal: w.signal },
    (views, ms) => {
      watched = views[0]!.map(keyOfPartition);
      if (leaderAfterMs === null && views.every(allLed)) leaderAfterMs = ms;
      if (isrWholeAfterMs === null && views.every(allWhole)) isrWholeAfterMs = ms;
      return isrWholeAfterMs !== null;
    },
  );
  w.recorder.record({
    process: "nemesis",
    type: "info",
    f: "recovery",
    value: { fault: w.fault, partitions: watched, leaderAfterMs, isrWholeAfterMs, ended },
  });
}
