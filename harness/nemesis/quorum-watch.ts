// KRaft: the quorum-leader failover time, recorded like failover-watch.ts's measurements, as a
// nemesis "info" op (an observation, not an action) when a fault hits the active controller:
//
//   {"process":"nemesis","type":"info","f":"quorum-failover","value":{"fault":12,
//     "from":"c2","to":"c3","fromId":102,"toId":103,"epochBefore":4,"epoch":6,
//     "quorumLeaderAfterMs":2840,"ended":"settled"}}
//
// value.fault is the index of the fault's ok op; quorumLeaderAfterMs runs from that op until some
// answer to DescribeQuorum names a leader other than the one hit. Each poll (every 250 ms) asks,
// in parallel, every running dedicated controller on its CONTROLLER port (a voter answers only
// while it leads) and every broker that is up and reaches a voter majority (a broker forwards to
// the controller it knows, which lags an election); the first answer naming a new leader counts.
// null when not seen: a killed majority cannot elect one until it is back, so that watch ends
// "undone" or "timeout".
import type { Recorder } from "../history/recorder.ts";
import type { QuorumState } from "../protocol/describe-quorum.ts";
import { pollUntil } from "./failover-watch.ts";
import type { Grudge } from "./grudge.ts";
import { majoritySize } from "./targets.ts";

/** Whether a node (a voter counts itself) reaches a majority of the voters through a grudge. Pure. */
export function reachesQuorum(node: string, voters: readonly string[], grudge: Grudge): boolean {
  const drops = new Set(grudge[node] ?? []);
  const reach = voters.filter((v) => v === node || (!drops.has(v) && !(grudge[v] ?? []).includes(node)));
  return reach.length >= majoritySize(voters.length);
}

/** Voters a grudge cuts off from a quorum majority: a leader among them loses its quorum. Pure. */
export const votersCutFromMajority = (voters: readonly string[], grudge: Grudge) => voters.filter((v) => !reachesQuorum(v, voters, grudge));

/** The first answer that satisfies `ok`, as soon as it comes; undefined once every ask settled without one. */
export function firstMatch<T>(asks: readonly Promise<T>[], ok: (x: T) => boolean): Promise<T | undefined> {
  return new Promise((resolve) => {
    let left = asks.length;
    if (left === 0) return resolve(undefined);
    for (const a of asks) {
      a.then(
        (x) => (ok(x) ? resolve(x) : undefined),
        () => undefined,
      ).finally(() => {
        if (--left === 0) resolve(undefined);
      });
    }
  });
}

/** A new leader was seen: one, and not the one that was hit. Pure. */
export const newQuorumLeader = (q: Pick<QuorumState, "leaderId">, oldLeaderId: number) => q.leaderId >= 0 && q.leaderId !== oldLeaderId;

export interface QuorumFailoverWatch {
  recorder: Recorder;
  /** DescribeQuorum asked of every node that may answer, in parallel: one promise per ask. */
  describe: () => Promise<QuorumState>[];
  /** Index of the fault's ok op. */
  fault: number;
  t0: number;
  /** The quorum leader before the fault (the node hit). */
  from: { name: string; id: number; epoch: number };
  nameOf: (id: number) => string | undefined;
  pollMs?: number;
  timeoutMs?: number;
  signal: AbortSignal;
}

export async function watchQuorumFailover(w: QuorumFailoverWatch): Promise<void> {
  let seen: QuorumState | undefined;
  let afterMs: number | null = null;
  const ended = await pollUntil({ pollMs: w.pollMs ?? 250, timeoutMs: w.timeoutMs ?? 60_000, t0: w.t0, signal: w.signal }, async () => {
    // One answer naming a new leader is enough: the quorum elected it (the others may lag).
    seen = await firstMatch(w.describe(), (x) => newQuorumLeader(x, w.from.id));
    if (seen) afterMs = Math.round(performance.now() - w.t0);
    return seen !== undefined;
  });
  w.recorder.record({
    process: "nemesis",
    type: "info",
    f: "quorum-failover",
    value: {
      fault: w.fault,
      from: w.from.name,
      to: seen ? (w.nameOf(seen.leaderId) ?? String(seen.leaderId)) : null,
      fromId: w.from.id,
      toId: seen?.leaderId ?? null,
      epochBefore: w.from.epoch,
      epoch: seen?.leaderEpoch ?? null,
      quorumLeaderAfterMs: afterMs,
      ended,
    },
  });
}
