// Waits around a broker's registration (ZooKeeper's /brokers/ids, or KRaft's unfenced brokers), and
// around a KRaft controller's return to the quorum, for starts that must not race the cluster.
import type { QuorumState } from "../protocol/describe-quorum.ts";
import { waitFor } from "../util/wait.ts";
import type { Named } from "./capabilities.ts";
import { allWhole } from "./failover-watch.ts";
import type { ClusterProbe } from "./probe.ts";

/**
 * A broker started while ZooKeeper still holds its previous session's /brokers/ids/N fails with
 * NodeExists and exits ("owner ... does not match current session"): after a kill, wait (at most
 * maxMs) for ZooKeeper to expire that session before starting it. Returns the ms waited.
 */
export async function waitOldSessionsGone(probe: ClusterProbe, nodes: readonly Named[], maxMs: number): Promise<number> {
  const ids = nodes.filter((n) => n.role === "broker").map((n) => n.id);
  const t0 = performance.now();
  if (ids.length === 0) return 0;
  while (performance.now() < t0 + maxMs) {
    const registered = await probe.registered().catch(() => undefined);
    if (registered && ids.every((id) => !registered.has(id))) break;
    await new Promise((res) => setTimeout(res, 250));
  }
  return Math.round(performance.now() - t0);
}

/** Until the broker is registered and every broker answers with every ISR whole (bounce's step). */
export async function waitBrokerBack(probe: ClusterProbe, broker: Named, brokerCount: number, timeoutMs: number): Promise<void> {
  await waitFor(
    `${broker.name} registered and every ISR whole`,
    async () => {
      if (!(await probe.registered()).has(broker.id))
        throw new Error(`broker ${broker.id} not registered (ZooKeeper) or not unfenced (KRaft)`);
      // Every broker must answer and agree: the one just started may still hold a stale view.
      const views = await probe.metadataAll();
      if (views.length < brokerCount) throw new Error(`only ${views.map((v) => v.from).join(", ") || "no broker"} answer metadata`);
      for (const md of views) {
        if (!allWhole(md.partitions)) {
          const lagging = md.partitions
            .filter((p) => p.isr.length !== p.replicas.length)
            .map((p) => `${p.topic}-${p.partition} isr [${p.isr}]`);
          throw new Error(`${md.from} reports ${lagging.slice(0, 5).join(", ")}`);
        }
      }
      return true;
    },
    { timeoutMs, intervalMs: 500 },
  );
}

/**
 * KRaft, bounce's step for a controller: the quorum has a leader and this voter has caught up with
 * it since `sinceEpochMs` (its start; DescribeQuorum's lastCaughtUpTimestamp is wall-clock ms).
 */
export async function waitControllerBack(
  describe: () => Promise<QuorumState>,
  voter: Named,
  sinceEpochMs: number,
  timeoutMs: number,
): Promise<void> {
  await waitFor(
    `controller ${voter.name} back in the quorum and caught up`,
    async () => {
      const q = await describe();
      if (q.leaderId < 0) throw new Error(`no quorum leader (epoch ${q.leaderEpoch})`);
      const v = q.voters.find((x) => x.id === voter.id);
      if (!v) throw new Error(`voter ${voter.id} not in the quorum`);
      if (v.id !== q.leaderId && v.lastCaughtUpTimestamp < sinceEpochMs)
        throw new Error(`voter ${voter.id} not caught up with leader ${q.leaderId} since its start`);
      return true;
    },
    { timeoutMs, intervalMs: 500 },
  );
}
