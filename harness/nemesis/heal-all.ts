// Heal-all: undo whatever is in force, judged by asking every container (not only the nemesis's
// bookkeeping: an action that failed midway may have half-happened). Order matters: resume paused
// nodes and start ZooKeeper first, remove every rule, and only then start brokers, once ZooKeeper
// has let go of their old sessions (broker-sessions.ts).

import { waitOldSessionsGone } from "./broker-sessions.ts";
import type { FaultableNode, Partitionable } from "./capabilities.ts";
import { startNodes } from "./faults/kill.ts";
import { healPartitions } from "./faults/partition.ts";
import type { IptablesVariant } from "./iptables.ts";
import type { ClusterProbe } from "./probe.ts";

export interface HealAllReport {
  started: string[];
  resumed: string[];
  /** Nodes that had partition rules. */
  removedFrom: string[];
  /** Present when brokers had to be started. */
  waitedForSessionMs?: number;
  /** What could not be undone (the op is then info, not ok). */
  problems: string[];
}

export async function healAllNodes(
  nodes: readonly FaultableNode[],
  o: { probe: ClusterProbe; variantOf: (n: Partitionable) => Promise<IptablesVariant>; sessionWaitMs: number; networkFaults?: false },
): Promise<HealAllReport> {
  const r: HealAllReport = { started: [], resumed: [], removedFrom: [], problems: [] };
  const guard = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      r.problems.push(`${what}: ${(err as Error).message}`);
    }
  };
  const states = new Map(await Promise.all(nodes.map(async (n) => [n.name, await n.state().catch(() => undefined)] as const)));
  const paused = nodes.filter((n) => states.get(n.name) === "paused");
  const down = nodes.filter((n) => states.get(n.name) !== "running" && states.get(n.name) !== "paused");
  const start = (n: FaultableNode) => guard(n.name, async () => (await n.start(), r.started.push(n.name)));

  await Promise.all(paused.map((n) => guard(n.name, async () => (await n.unpause(), r.resumed.push(n.name)))));
  // The metadata quorum first: ZooKeeper, or KRaft's dedicated controllers.
  // One at a time, in the order of their old addresses (faults/kill.ts startNodes).
  await startNodes(
    down.filter((n) => n.role === "zookeeper" || n.role === "controller"),
    start,
  );
  // A container that was down comes back in a fresh network namespace, without rules.
  if (o.networkFaults !== false)
    await guard(
      "removing rules",
      async () =>
        (r.removedFrom = await healPartitions(
          nodes.filter((n) => !down.includes(n)),
          o.variantOf,
        )),
    );
  const brokers = down.filter((n) => n.role === "broker");
  if (brokers.length) {
    r.waitedForSessionMs = await waitOldSessionsGone(o.probe, brokers, o.sessionWaitMs);
    await startNodes(brokers, start);
  }
  r.started.sort();
  r.resumed.sort();
  return r;
}
