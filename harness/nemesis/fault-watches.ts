// Starting the measurements a fault or an undo gets (failover-watch.ts, quorum-watch.ts), and ending
// them when what they watch changes (watches.ts): the families' actions call these around the act.
import type { Recorder } from "../history/recorder.ts";
import type { NemesisCluster } from "./capabilities.ts";
import { type WatchOptions, watchFailover, watchRecovery } from "./failover-watch.ts";
import type { FaultState } from "./fault-state.ts";
import type { ClusterProbe } from "./probe.ts";
import type { QuorumAsker } from "./quorum-ask.ts";
import { watchQuorumFailover } from "./quorum-watch.ts";
import type { FaultResult } from "./types.ts";
import { Watches } from "./watches.ts";

/** Metadata before a fault, for the failover watch (undefined when off or unknown). */
export type Before = Awaited<ReturnType<ClusterProbe["metadata"]>> | undefined;
/** KRaft: the quorum leader before a fault that hits it. */
export interface QuorumLeader {
  name: string;
  id: number;
  epoch: number;
}

export interface FaultWatches {
  /** A new fault begins: recovery measured from here on would measure the new fault too. */
  interrupted(): void;
  /** Ends failover watches of faults on these nodes (or of partitions, or all; linkOnly: of link faults only). */
  undone(o: { nodes?: Iterable<string>; partition?: boolean; all?: boolean; linkOnly?: boolean }): void;
  /** Metadata before the fault, from a broker it will not hit. */
  snapshot(hit: readonly string[]): Promise<Before>;
  /** KRaft: the quorum leader before a fault, when the fault will hit it (else undefined). */
  quorumLeaderHit(hit: readonly string[]): Promise<QuorumLeader | undefined>;
  /** link: a link fault's watch, also ended when one of these peers goes down or its link is restored. */
  failover(result: FaultResult, hit: readonly string[], before: Before, partition?: boolean, link?: { peers: readonly string[] }): void;
  quorum(result: FaultResult, hit: readonly string[], leader: QuorumLeader | undefined, partition?: boolean): void;
  recovery(result: FaultResult, restored: readonly string[]): void;
  /** Lets running measurements finish for up to waitMs, then ends them. */
  close(waitMs: number): Promise<void>;
}

export function faultWatches(o: {
  recorder: Recorder;
  cluster: NemesisCluster;
  state: FaultState;
  probe: ClusterProbe;
  quorum: QuorumAsker;
  watch: WatchOptions | undefined;
}): FaultWatches {
  const { recorder, cluster, state, probe, watch } = o;
  const watches = new Watches();
  const voters = cluster.controllers ?? [];
  const inForce = (r: FaultResult): r is FaultResult & { index: number } => r.type === "ok" && r.index !== undefined;
  return {
    interrupted: () => watches.interrupted(),
    undone: (u) => watches.undone(u),
    snapshot: async (hit) =>
      watch ? probe.metadata({ avoid: new Set([...state.faulted(), ...hit]), topics: watch.topics }).catch(() => undefined) : undefined,
    async quorumLeaderHit(hit) {
      if (!watch || voters.length === 0 || !hit.some((n) => voters.some((v) => v.name === n))) return undefined;
      const q = await o.quorum.now().catch(() => undefined);
      const leader = q && voters.find((v) => v.id === q.leaderId);
      return q && leader && hit.includes(leader.name) ? { name: leader.name, id: leader.id, epoch: q.leaderEpoch } : undefined;
    },
    failover(result, hit, before, partition = false, link = undefined) {
      if (!watch || !before || !inForce(result)) return;
      const ids = new Set(cluster.brokers.filter((b) => hit.includes(b.name)).map((b) => b.id));
      if (ids.size === 0) return;
      const t0 = performance.now();
      const nodes = [...hit, ...(link?.peers ?? [])];
      watches.start("failover", { nodes, partition, link: link !== undefined }, (signal) =>
        watchFailover({
          recorder,
          probe,
          fault: result.index,
          t0,
          before: before.partitions,
          hitBrokers: ids,
          hitNames: new Set(hit),
          options: watch,
          signal,
        }),
      );
    },
    quorum(result, hit, leader, partition = false) {
      if (!watch || !leader || !inForce(result)) return;
      const t0 = performance.now();
      watches.start("failover", { nodes: hit, partition }, (signal) =>
        watchQuorumFailover({
          recorder,
          describe: o.quorum.all,
          fault: result.index,
          t0,
          from: leader,
          nameOf: (id) => voters.find((v) => v.id === id)?.name,
          pollMs: watch.pollMs,
          timeoutMs: watch.timeoutMs,
          signal,
        }),
      );
    },
    recovery(result, restored) {
      if (!watch || !inForce(result)) return;
      const t0 = performance.now();
      watches.start("recovery", { nodes: restored }, (signal) =>
        watchRecovery({ recorder, probe, fault: result.index, t0, options: watch, signal }),
      );
    },
    close: (waitMs) => watches.close(waitMs),
  };
}
