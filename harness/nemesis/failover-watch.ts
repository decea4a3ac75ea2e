// Failover and recovery times, measured from the cluster's own records and recorded in the history
// as nemesis ops of type "info" (they report an observation, not an action):
//
//   {"process":"nemesis","type":"info","f":"failover","value":{"fault":12,"partitions":["t-0","t-1"],
//     "leaderless":["t-0"],"leaderAfterMs":6234,"isrShrunkAfterMs":6234,"leaders":{"t-0":3,"t-1":1},
//     "ended":"settled","from":"zookeeper"}}
//   {"process":"nemesis","type":"info","f":"recovery","value":{"fault":15,"partitions":["t-0","t-1"],
//     "leaderAfterMs":0,"isrWholeAfterMs":8120,"ended":"settled","from":"zookeeper"}}
//
// - failover, after a fault's ok op (value.fault = that op's index): `partitions` are those with a
//   replica on a broker the fault hit; `leaderless` those whose leader it hit. leaderAfterMs: time
//   from the ok op until every leaderless partition has a leader outside the hit brokers (null when
//   none lost its leader, or not seen before the watch ended); isrShrunkAfterMs: until no affected
//   partition's ISR holds a hit broker that it held before the fault (the cluster noticed; older
//   histories, those without `from`, measured until every affected partition's ISR was smaller,
//   which a replica rejoining the ISR after an earlier fault kept from ever holding).
// - recovery, after an undo's (or heal-all's) ok op: leaderAfterMs until every watched partition has
//   a leader; isrWholeAfterMs until every watched partition has all its replicas in the ISR.
// - ended: "settled" (everything seen), "timeout", "undone" (the fault was undone first),
//   "interrupted" (a new fault began before recovery), "closed" (the nemesis was closed).
// - from (absent in older histories, which also measured isrShrunkAfterMs the older way): where the times were read.
//   "zookeeper": every time set was read from ZooKeeper's partition state nodes; "metadata": from the
//   brokers' metadata; "mixed": some from each; null: no time was set.
//
// Where leader and ISR are read: in ZooKeeper mode, from ZooKeeper's partition state nodes
// (/brokers/topics/<t>/partitions/<p>/state, probe.ts), which the controller writes: the truth.
// Brokers' metadata caches follow it only when the controller's UpdateMetadata reaches them, so
// during a network cut they lag (a broker cut off, or one just healed, answers from its old view).
// Replicas (which ZooKeeper keeps elsewhere) come from metadata.
// When ZooKeeper cannot say (no probe support, no ZooKeeper node serving, a partition without a
// state node), a poll falls back to metadata: every broker that answers, polled every pollMs, a
// condition counting only when it holds in all their views (a broker just resumed or healed still
// has its stale view); the failover watch never asks a broker the fault hit (an isolated leader
// keeps reporting itself as leader), nor a ZooKeeper node it hit.

import type { Recorder } from "../history/recorder.ts";
import { sleep } from "../util/wait.ts";
import { keyOfPartition, type PartitionMetadata } from "./broker-metadata.ts";
import type { ClusterProbe, PartitionState } from "./probe.ts";

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

/**
 * The cluster noticed: with `hit`, no affected partition's ISR still holds a hit broker it held
 * before the fault (a replica catching up from an earlier fault may join the ISR meanwhile, so a
 * smaller ISR is not the test; a partition whose ISR held no hit broker has nothing to notice).
 * Without `hit`: every partition's ISR is smaller than before.
 */
export function isrShrunk(partitions: readonly PartitionMetadata[], now: readonly PartitionMetadata[], hit?: ReadonlySet<number>) {
  return partitions.every((p) => {
    const q = find(now, p);
    if (q === undefined) return false;
    return hit ? !p.isr.some((r) => hit.has(r) && q.isr.includes(r)) : q.isr.length < p.isr.length;
  });
}

export const allLed = (ps: readonly PartitionMetadata[]) => ps.length > 0 && ps.every((p) => p.leader >= 0);
export const allWhole = (ps: readonly PartitionMetadata[]) =>
  ps.length > 0 && ps.every((p) => p.leader >= 0 && p.isr.length === p.replicas.length);

export type ViewSource = "zookeeper" | "metadata";

/**
 * The partitions with leader and ISR as ZooKeeper states them (replicas and the rest from `ps`), or
 * undefined when ZooKeeper has no state for one of them: then ZooKeeper is not the whole answer.
 */
export function withZooKeeperStates(
  ps: readonly PartitionMetadata[],
  states: ReadonlyMap<string, PartitionState | null>,
): PartitionMetadata[] | undefined {
  const out: PartitionMetadata[] = [];
  for (const p of ps) {
    const s = states.get(keyOfPartition(p));
    if (!s) return undefined;
    out.push({ ...p, leader: s.leader, isr: s.isr });
  }
  return out;
}

/** How a set of measurements was read, from the source of each poll that set one. */
export function sourceOf(sources: readonly ViewSource[]): ViewSource | "mixed" | null {
  if (sources.length === 0) return null;
  return sources.every((s) => s === sources[0]) ? sources[0]! : "mixed";
}

/**
 * Polls until `step` holds, the signal aborts (reason = the WatchEnd) or the timeout passes. Each
 * poll reads ZooKeeper's partition states (when the probe can) and the metadata of every broker not
 * avoided, in parallel. ZooKeeper's states, when it has them all, make the one view; otherwise every
 * answering broker's metadata is a view, because a broker that was isolated or paused answers from
 * a stale cache: one broker's word is not the cluster's. The partitions read from ZooKeeper are
 * `partitions` when given (with their replicas), else those in the previous poll's metadata.
 */
export async function pollMetadata(
  probe: ClusterProbe,
  o: {
    avoid: ReadonlySet<string>;
    topics?: readonly string[];
    partitions?: readonly PartitionMetadata[];
    pollMs: number;
    timeoutMs: number;
    t0: number;
    signal: AbortSignal;
  },
  step: (views: PartitionMetadata[][], elapsedMs: number, source: ViewSource) => boolean,
): Promise<WatchEnd> {
  let known: readonly PartitionMetadata[] = o.partitions ?? [];
  return pollUntil(o, async (elapsed) => {
    const metadata = probe.metadataAll({ avoid: o.avoid, topics: o.topics }).catch(() => []);
    const toViews = (answers: Awaited<typeof metadata>) => answers.map((md) => md.partitions.filter((p) => isWatched(p, o.topics)));
    let ask = known;
    let views: PartitionMetadata[][] | undefined;
    if (ask.length === 0 && probe.partitionStates) {
      // First poll of a recovery watch: which partitions to ask ZooKeeper about comes from metadata.
      views = toViews(await metadata);
      ask = views[0] ?? [];
    }
    const [answers, states] = await Promise.all([
      metadata,
      probe.partitionStates && ask.length ? probe.partitionStates(ask, o.avoid).catch(() => undefined) : undefined,
    ]);
    views ??= toViews(answers);
    // The watched set: fixed when given, else what the brokers list now (what ZooKeeper was asked otherwise).
    const watched = o.partitions ?? (views.length ? views[0]! : ask);
    const fromZk = states ? withZooKeeperStates(watched, states) : undefined;
    if (!o.partitions && views.length) known = views[0]!;
    const ms = Math.round(elapsed);
    if (fromZk && fromZk.length) return step([fromZk], ms, "zookeeper");
    return !fromZk && views.length > 0 && step(views, ms, "metadata");
  });
}

/** The loop of every watch: polls until `poll` holds ("settled"), the signal aborts (its reason is
 *  the WatchEnd) or timeoutMs passes since t0 ("timeout"), sleeping pollMs between polls. */
export async function pollUntil(
  o: { pollMs: number; timeoutMs: number; t0: number; signal: AbortSignal },
  poll: (elapsedMs: number) => Promise<boolean>,
): Promise<WatchEnd> {
  for (;;) {
    if (o.signal.aborted) return (o.signal.reason as WatchEnd) ?? "closed";
    const elapsed = performance.now() - o.t0;
    if (elapsed > o.timeoutMs) return "timeout";
    if (await poll(elapsed)) return "settled";
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
  const { partitions, leaderless } = affectedBy(
    w.before.filter((p) => isWatched(p, w.options.topics)),
    w.hitBrokers,
  );
  if (partitions.length === 0) return;
  let leaderAfterMs: number | null = null;
  let isrShrunkAfterMs: number | null = null;
  let last: PartitionMetadata[] = [];
  const from: ViewSource[] = [];
  const ended = await pollMetadata(
    w.probe,
    {
      avoid: w.hitNames,
      topics: w.options.topics,
      partitions,
      pollMs: w.options.pollMs ?? 250,
      timeoutMs: w.options.timeoutMs ?? 60_000,
      t0: w.t0,
      signal: w.signal,
    },
    (views, ms, source) => {
      last = views[0]!;
      if (leaderAfterMs === null && leaderless.length && views.every((v) => newLeaderElected(leaderless, v, w.hitBrokers))) {
        leaderAfterMs = ms;
        from.push(source);
      }
      if (isrShrunkAfterMs === null && views.every((v) => isrShrunk(partitions, v, w.hitBrokers))) {
        isrShrunkAfterMs = ms;
        from.push(source);
      }
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
      from: sourceOf(from),
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
  const from: ViewSource[] = [];
  const ended = await pollMetadata(
    w.probe,
    {
      avoid: new Set(),
      topics: w.options.topics,
      pollMs: w.options.pollMs ?? 250,
      timeoutMs: w.options.timeoutMs ?? 120_000,
      t0: w.t0,
      signal: w.signal,
    },
    (views, ms, source) => {
      watched = views[0]!.map(keyOfPartition);
      if (leaderAfterMs === null && views.every(allLed)) {
        leaderAfterMs = ms;
        from.push(source);
      }
      if (isrWholeAfterMs === null && views.every(allWhole)) {
        isrWholeAfterMs = ms;
        from.push(source);
      }
      return isrWholeAfterMs !== null;
    },
  );
  w.recorder.record({
    process: "nemesis",
    type: "info",
    f: "recovery",
    value: { fault: w.fault, partitions: watched, leaderAfterMs, isrWholeAfterMs, ended, from: sourceOf(from) },
  });
}
