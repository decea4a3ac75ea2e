// The cluster nemesis: the scaffolding every fault family shares. One op at a time; each fault
// recorded as a nemesis op pair in the history (refused, or attempted); targets resolved at fault
// time; the failover / recovery watches; heal-all, also on SIGINT / SIGTERM. What a fault does is
// its family's (families/*.ts), looked up in the registry.
//
// History (docs/design.md, History): invoke, then ok (in force), info (an action failed midway: may
// or may not be in force; heal-all undoes it either way) or fail (refused before anything happened,
// value.reason says why). f is the fault name (kill, stop, pause, partition, bounce) or the undo's
// (start, resume, heal, heal-all). value: {targets: [node names], selector?, leaderOf?, ...}; per f:
//   partition: topology, grudge (node → nodes it drops)      bounce (ok): steps [{node, stopMs, backMs}] (KRaft: brokers, then dedicated controllers)
//   start (ok): was {node: container state}, waitedForSessionMs   heal (ok): removedFrom
//   heal-all (ok): started, resumed, removedFrom, waitedForSessionMs?, healed? ({family: nodes})
//   packet-loss: probability, between     slow-link: rateKbit, between, delayMs?
//   restore-link (ok): seen, dropped ({node: packets}), shaped ({node: {sentBytes, sentPackets, dropped, overlimits}}), nothingFound?, down?
//   clock-bump / clock-strobe (ok): deltaMs, periodMs (strobe), offsetMs {node: ms measured}   reset-clock (ok): offsetMs, flips? (strobe)
//   reassign / shrink-replicas / grow-replicas: from, to, leaders, isr, completedAfterMs (docs/faults.md)
//   add-broker / remove-broker / decommission-broker / recommission-broker: replicasMoved, registeredAfterMs, stoppedAfterMs, ... (docs/faults.md)
//   corrupt-segment (ok): corrupted [{node, partition, path, offset, ...}], effects [per broker]
//   disk-full / log-dir-failure (ok): effects [{node, offlineAfterMs?, haltedAfterMs?, logged}]
// Measurements (failover-watch.ts) are separate "info" ops with f "failover" / "recovery"; in KRaft,
// a fault that hits the quorum leader also gets one with f "quorum-failover" (quorum-watch.ts).
import { HEAL_ALL } from "../../checkers/fault-names.ts";
import type { Recorder } from "../history/recorder.ts";
import { messageOf } from "../util/errors.ts";
import { onShutdown } from "../util/shutdown.ts";
import type { NemesisCluster } from "./capabilities.ts";
import { type ClusterNemesisOptions, clusterNodes, type NemesisContext, nemesisSettings } from "./context.ts";
import { actionOf, FAMILIES } from "./families/index.ts";
import { FaultState } from "./fault-state.ts";
import { faultWatches } from "./fault-watches.ts";
import { variantCache } from "./faults/partition.ts";
import { healAllNodes } from "./heal-all.ts";
import { clusterProbe } from "./probe.ts";
import { quorumAsker } from "./quorum-ask.ts";
import { replicaAdmin } from "./replica-admin.ts";
import { resolveSettled, resolveTargets } from "./targets.ts";
import type { FaultResult, FaultValue, Nemesis } from "./types.ts";

export type { ClusterNemesisOptions } from "./context.ts";

export interface ClusterNemesis extends Nemesis {
  /** Lets measurements still running finish for up to waitMs, then ends them. */
  close(opts?: { waitMs?: number }): Promise<void>;
  readonly state: FaultState;
}

/** One op at a time, like Jepsen's single nemesis process; `maxWaitMs` lets heal-all pass an op
 *  that hangs (SIGINT during a 30 s stop). */
function serially(): <T>(fn: () => Promise<T>, maxWaitMs?: number) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (fn, maxWaitMs = Infinity) => {
    const prev = tail;
    const wait = maxWaitMs === Infinity ? prev : Promise.race([prev, new Promise((r) => setTimeout(r, maxWaitMs).unref())]);
    const run = wait.catch(() => undefined).then(fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** The nemesis's op pairs in the history: refused (invoke, fail), attempted (invoke, then ok or
 *  info), and heal-all's. */
function opPairs(recorder: Recorder) {
  const record = (type: "invoke" | FaultResult["type"], f: FaultResult["f"], value: FaultValue): FaultResult => {
    const op = recorder.record({ process: "nemesis", type, f, value });
    return { type: op.type as FaultResult["type"], f, value: op.value as FaultValue, index: op.index };
  };
  const refuse: NemesisContext["refuse"] = (f, value, reason) => {
    record("invoke", f, value);
    return record("fail", f, { ...value, reason });
  };
  const attempt: NemesisContext["attempt"] = async (f, value, act, undo) => {
    record("invoke", f, value);
    try {
      const extra = (await act()) ?? {};
      return { ...record("ok", f, { ...value, ...extra }), undo };
    } catch (err) {
      return { ...record("info", f, { ...value, reason: messageOf(err) }), undo };
    }
  };
  return { record, refuse, attempt };
}

/** Undoes everything in force, whatever the state believes, and records it as one heal-all. */
async function healEverything(ctx: NemesisContext, record: ReturnType<typeof opPairs>["record"]): Promise<FaultResult> {
  ctx.watch.undone({ all: true });
  record("invoke", HEAL_ALL, { targets: [] });
  const { problems, ...report } = await healAllNodes(ctx.all, {
    probe: ctx.probe,
    variantOf: ctx.variantOf,
    sessionWaitMs: ctx.settings.sessionWaitMs,
    ...(ctx.cluster.networkFaults === false ? { networkFaults: false as const } : {}),
  });
  // Then each family's own faults, on nodes that are all up again (in registry order).
  const healed: Record<string, string[]> = {};
  for (const family of FAMILIES) {
    if (!family.heal) continue;
    try {
      const h = await family.heal(ctx);
      if (h.healed.length) healed[family.name] = h.healed;
      problems.push(...h.problems);
    } catch (err) {
      problems.push(`${family.name}: ${messageOf(err)}`);
    }
  }
  ctx.state.clearAll();
  const value: FaultValue = {
    targets: [...new Set([...report.started, ...report.resumed, ...report.removedFrom, ...Object.values(healed).flat()])].sort(),
    ...report,
    ...(Object.keys(healed).length ? { healed } : {}),
  };
  const result = record(problems.length ? "info" : "ok", HEAL_ALL, problems.length ? { ...value, reason: problems.join("; ") } : value);
  if (value.targets.length) ctx.watch.recovery(result, [...report.started, ...report.resumed]);
  return result;
}

export function clusterNemesis(cluster: NemesisCluster, o: ClusterNemesisOptions): ClusterNemesis {
  const state = new FaultState();
  const probe = o.probe ?? clusterProbe(cluster);
  const quorum = quorumAsker(cluster, state, o);
  const watch = faultWatches({
    recorder: o.recorder,
    cluster,
    state,
    probe,
    quorum,
    watch: o.watch === false ? undefined : (o.watch ?? {}),
  });
  const locked = serially();
  const { record, refuse, attempt } = opPairs(o.recorder);
  const nodes = clusterNodes(cluster);
  const ctx: NemesisContext = {
    // Live: add-broker grows the broker list (spread would copy the getters' values once).
    get all() {
      return nodes.all;
    },
    get ownControllers() {
      return nodes.ownControllers;
    },
    get groups() {
      return nodes.groups;
    },
    byName: nodes.byName,
    cluster,
    state,
    probe,
    replicas: o.replicaAdmin ?? replicaAdmin(cluster, probe),
    watch,
    rng: o.rng,
    settings: nemesisSettings(cluster, o),
    variantOf: variantCache(),
    describeQuorumNow: quorum.now,
    resolve: (spec, faulted = state.faulted()) =>
      resolveSettled(
        () =>
          resolveTargets(spec, {
            brokers: cluster.brokers,
            zookeepers: cluster.zookeepers,
            controllers: cluster.controllers,
            quorumLeader: quorum.leader,
            rng: o.rng,
            probe,
            faulted,
          }),
        { waitMs: o.targetWaitMs ?? 10_000 },
      ),
    refuse,
    attempt,
  };

  const unregister = o.healOnShutdown === false ? () => false : onShutdown(async () => void (await nemesis.healAll()));
  const nemesis: ClusterNemesis = {
    state,
    invoke: (spec) => locked(() => actionOf(spec)(spec, ctx)),
    healAll: () => locked(() => healEverything(ctx, record), 60_000),
    async close(opts = {}) {
      unregister();
      for (const family of FAMILIES) await family.close?.(ctx);
      await watch.close(opts.waitMs ?? 0);
    },
  };
  return nemesis;
}
