// The cluster nemesis: resolves targets at fault time, refuses contradictory faults, acts through the
// node capabilities, records every fault and undo as a nemesis op pair in the history, starts the
// failover / recovery watches, and heals everything on heal-all and on SIGINT / SIGTERM.
//
// History (DESIGN §6): invoke, then ok (in force), info (an action failed midway: may or may not be
// in force; heal-all undoes it either way) or fail (refused before anything happened, value.reason
// says why). f is the fault name (kill, stop, pause, partition, bounce) or the undo's (start,
// resume, heal, heal-all). value: {targets: [node names], selector?, leaderOf?, ...}; per f:
//   partition: topology, grudge (node → nodes it drops)      bounce (ok): steps [{node, stopMs, backMs}] (KRaft: brokers, then dedicated controllers)
//   start (ok): was {node: container state}, waitedForSessionMs   heal (ok): removedFrom
//   heal-all (ok): started, resumed, removedFrom, waitedForSessionMs?
// Measurements (failover-watch.ts) are separate "info" ops with f "failover" / "recovery"; in KRaft,
// a fault that hits the quorum leader also gets one with f "quorum-failover" (quorum-watch.ts).
import type { Recorder } from "../history/recorder.ts";
import { onShutdown } from "../util/shutdown.ts";
import type { FaultableNode, NemesisCluster } from "./capabilities.ts";
import { waitBrokerBack, waitControllerBack, waitOldSessionsGone } from "./broker-sessions.ts";
import { watchFailover, watchRecovery, type WatchOptions } from "./failover-watch.ts";
import { FaultState, type ProcessFault } from "./fault-state.ts";
import { rollingRestart } from "./faults/bounce.ts";
import { killNodes, startNodes } from "./faults/kill.ts";
import { applyGrudge, healPartitions, variantCache } from "./faults/partition.ts";
import { pauseNodes, resumeNodes } from "./faults/pause.ts";
import { firstMatch, reachesQuorum, votersCutFromMajority, watchQuorumFailover } from "./quorum-watch.ts";
import { stopNodes } from "./faults/stop.ts";
import { grudgeFor, nodesOf, type Grudge } from "./grudge.ts";
import { healAllNodes } from "./heal-all.ts";
import { clusterProbe, type ClusterProbe } from "./probe.ts";
import type { Rng } from "./rng.ts";
import { majoritySize, resolveTargets, type Resolved } from "./targets.ts";
import type { FaultResult, FaultSpec, FaultValue, Nemesis, TargetSpec } from "./types.ts";
import { describeQuorum, type QuorumState } from "../protocol/describe-quorum.ts";
import { Watches } from "./watches.ts";
import { waitFor } from "../util/wait.ts";

export interface ClusterNemesisOptions {
  recorder: Recorder;
  /** Seeded: random targets and partition shapes replay with the run's seed. */
  rng: Rng;
  /** Failover / recovery measurement (failover-watch.ts); false turns it off. */
  watch?: WatchOptions | false;
  /** How long `stop` waits for a clean shutdown before SIGKILL. */
  stopTimeoutSeconds?: number;
  /** How long `bounce` waits for each broker to be back in sync. */
  bounceTimeoutMs?: number;
  /**
   * Longest wait, before starting a killed broker, for ZooKeeper to expire its previous session
   * (default: the cluster's zkSessionTimeoutMs + 10 s, or 30 s when unknown).
   */
  sessionWaitMs?: number;
  /** Runs heal-all on SIGINT / SIGTERM (default true). */
  healOnShutdown?: boolean;
  probe?: ClusterProbe;
  /** KRaft: DescribeQuorum through a broker's client port (tests pass a fake). */
  describeQuorum?: (port: number, timeoutMs: number) => Promise<QuorumState>;
  /** KRaft: how long an active-controller target waits for a quorum leader before the fault is refused (default 10 s). */
  quorumLeaderWaitMs?: number;
}

export interface ClusterNemesis extends Nemesis {
  /** Lets measurements still running finish for up to waitMs, then ends them. */
  close(opts?: { waitMs?: number }): Promise<void>;
  readonly state: FaultState;
}

const message = (err: unknown) => (err as Error).message ?? String(err);

export function clusterNemesis(cluster: NemesisCluster, o: ClusterNemesisOptions): ClusterNemesis {
  const brokerSet = new Set(cluster.brokers.map((b) => b.name));
  // KRaft's dedicated controllers (combined ones are brokers already).
  const ownControllers = (cluster.controllers ?? []).filter((c) => !brokerSet.has(c.name));
  const all = [...cluster.brokers, ...cluster.zookeepers, ...ownControllers];
  const byName = (name: string): FaultableNode => {
    const n = all.find((x) => x.name === name);
    if (!n) throw new Error(`no node named ${name}`);
    return n;
  };
  const brokerNames = cluster.brokers.map((b) => b.name);
  // The metadata quorum the network shapes treat as one group: ZooKeeper's ensemble, or KRaft's
  // dedicated controllers (isolate cuts a node from them too). KRaft's own shapes (isolate-controller,
  // cut-from-quorum) use the voters, combined ones included.
  const zkNames = [...cluster.zookeepers, ...ownControllers].map((z) => z.name);
  const voters = cluster.controllers ?? [];
  const voterNames = voters.map((v) => v.name);
  const nodeGroups = { brokers: brokerNames, zookeepers: zkNames, ...(voterNames.length ? { voters: voterNames } : {}) };
  const probe = o.probe ?? clusterProbe(cluster);
  const askQuorum = o.describeQuorum ?? describeQuorum;
  /** KRaft: brokers that can describe the quorum now: up, and reaching a voter majority (each forwards DescribeQuorum to the active controller). */
  const quorumBrokers = () => {
    const g = state.partition();
    return cluster.brokers.filter((b) => b.externalPort !== undefined && !state.processFaultOf(b.name) && (!g || reachesQuorum(b.name, voterNames, g)));
  };
  /** Running dedicated controllers, asked directly on their CONTROLLER port (only the leader answers). */
  const askControllers = () => ownControllers.filter((c) => c.controllerPort !== undefined && !state.processFaultOf(c.name)).map((c) => askQuorum(c.controllerPort!, 1000));
  /** The quorum from its leader asked directly, else from the first broker that answers. */
  const describeQuorumNow = async () => {
    const direct = await firstMatch(askControllers(), (q) => q.leaderId >= 0);
    if (direct) return direct;
    const problems: string[] = [];
    for (const b of quorumBrokers()) {
      try {
        return await askQuorum(b.externalPort!, 2000);
      } catch (err) {
        problems.push(`${b.name}: ${message(err)}`);
      }
    }
    throw new Error(`no broker described the quorum (${problems.join("; ") || "none is up and reaching a voter majority"})`);
  };
  /**
   * The quorum-failover watch's poll, in parallel: every running dedicated controller asked directly
   * (only a leader answers; a killed one refuses at once), and every such broker (which forwards
   * to the controller it knows, so it may still be waiting on a dead one).
   */
  const describeQuorumAll = () => [...askControllers(), ...quorumBrokers().map((b) => askQuorum(b.externalPort!, 2000))];
  /**
   * KRaft: the quorum leader's id, asked again for up to quorumLeaderWaitMs. A leader elected a few
   * seconds ago may not answer within one ask on a loaded machine, and brokers forward to the
   * controller they knew: asked once, a third active-controller kill was refused while c1 had led
   * for 6 s (its log said so).
   */
  const quorumLeader = () =>
    waitFor(
      "a quorum leader to aim at",
      async () => {
        const q = await describeQuorumNow();
        if (q.leaderId < 0) throw new Error(`the quorum has no leader (epoch ${q.leaderEpoch})`);
        return q.leaderId;
      },
      { timeoutMs: o.quorumLeaderWaitMs ?? 10_000, intervalMs: 500 },
    );
  const state = new FaultState();
  const watches = new Watches();
  const variantOf = variantCache();
  const watch = o.watch === false ? undefined : (o.watch ?? {});
  const stopTimeoutSeconds = o.stopTimeoutSeconds ?? 30;
  // KRaft has no ZooKeeper session to outlive: a restarted broker registers with a new incarnation.
  const sessionWaitMs = o.sessionWaitMs ?? (cluster.zookeepers.length === 0 ? 0 : cluster.spec ? cluster.spec.zkSessionTimeoutMs + 10_000 : 30_000);

  // One nemesis op at a time, like Jepsen's single nemesis process.
  let tail: Promise<unknown> = Promise.resolve();
  const locked = <T>(fn: () => Promise<T>, maxWaitMs = Infinity): Promise<T> => {
    const prev = tail;
    const wait = maxWaitMs === Infinity ? prev : Promise.race([prev, new Promise((r) => setTimeout(r, maxWaitMs).unref())]);
    const run = wait.catch(() => undefined).then(fn);
    tail = run.catch(() => undefined);
    return run;
  };

  const record = (type: "invoke" | "ok" | "info" | "fail", f: FaultResult["f"], value: FaultValue) =>
    o.recorder.record({ process: "nemesis", type, f, value });

  function refuse(f: FaultResult["f"], value: FaultValue, reason: string): FaultResult {
    record("invoke", f, value);
    const op = record("fail", f, { ...value, reason });
    return { type: "fail", f, value: op.value as FaultValue, index: op.index };
  }

  async function attempt(
    f: FaultResult["f"],
    value: FaultValue,
    act: () => Promise<Partial<FaultValue> | void>,
    undo?: FaultSpec,
  ): Promise<FaultResult> {
    record("invoke", f, value);
    try {
      const extra = (await act()) ?? {};
      const op = record("ok", f, { ...value, ...extra });
      return { type: "ok", f, value: op.value as FaultValue, index: op.index, undo };
    } catch (err) {
      const op = record("info", f, { ...value, reason: message(err) });
      return { type: "info", f, value: op.value as FaultValue, index: op.index, undo };
    }
  }

  const resolve = (spec: TargetSpec, faulted = state.faulted()) =>
    resolveTargets(spec, { brokers: cluster.brokers, zookeepers: cluster.zookeepers, controllers: cluster.controllers, quorumLeader, rng: o.rng, probe, faulted });

  const describe = (spec: TargetSpec | undefined, r: Resolved): FaultValue => ({
    targets: r.nodes,
    ...(spec ? { selector: spec.kind } : {}),
    ...(r.leaderOf ? { leaderOf: r.leaderOf } : {}),
    ...(r.coordinatorOf ? { coordinatorOf: r.coordinatorOf } : {}),
  });

  /** Metadata before the fault, from a broker it will not hit, for the failover watch. */
  const snapshot = async (hit: readonly string[]) =>
    watch ? probe.metadata({ avoid: new Set([...state.faulted(), ...hit]), topics: watch.topics }).catch(() => undefined) : undefined;

  function startFailoverWatch(result: FaultResult, hit: readonly string[], before: Awaited<ReturnType<typeof snapshot>>, partition = false) {
    if (!watch || !before || result.type !== "ok" || result.index === undefined) return;
    const ids = new Set(cluster.brokers.filter((b) => hit.includes(b.name)).map((b) => b.id));
    if (ids.size === 0) return;
    const t0 = performance.now();
    const fault = result.index;
    watches.start("failover", { nodes: hit, partition }, (signal) =>
      watchFailover({ recorder: o.recorder, probe, fault, t0, before: before.partitions, hitBrokers: ids, hitNames: new Set(hit), options: watch, signal }),
    );
  }

  type QuorumLeader = { name: string; id: number; epoch: number };
  /** KRaft: the quorum leader before a fault, when the fault will hit it (else undefined). */
  async function quorumLeaderHit(hit: readonly string[]): Promise<QuorumLeader | undefined> {
    if (!watch || voters.length === 0 || !hit.some((n) => voterNames.includes(n))) return undefined;
    const q = await describeQuorumNow().catch(() => undefined);
    const leader = q && voters.find((v) => v.id === q.leaderId);
    return q && leader && hit.includes(leader.name) ? { name: leader.name, id: leader.id, epoch: q.leaderEpoch } : undefined;
  }

  function startQuorumWatch(result: FaultResult, hit: readonly string[], leader: QuorumLeader | undefined, partition = false) {
    if (!watch || !leader || result.type !== "ok" || result.index === undefined) return;
    const t0 = performance.now();
    const fault = result.index;
    watches.start("failover", { nodes: hit, partition }, (signal) =>
      watchQuorumFailover({
        recorder: o.recorder,
        describe: describeQuorumAll,
        fault,
        t0,
        from: leader,
        nameOf: (id) => voters.find((v) => v.id === id)?.name,
        pollMs: watch.pollMs,
        timeoutMs: watch.timeoutMs,
        signal,
      }),
    );
  }

  function startRecoveryWatch(result: FaultResult, restored: readonly string[]) {
    if (!watch || result.type !== "ok" || result.index === undefined) return;
    const t0 = performance.now();
    const fault = result.index;
    watches.start("recovery", { nodes: restored }, (signal) => watchRecovery({ recorder: o.recorder, probe, fault, t0, options: watch, signal }));
  }

  async function processFault(spec: Extract<FaultSpec, { fault: ProcessFault }>): Promise<FaultResult> {
    let r: Resolved;
    try {
      // kill / stop may hit a node that is cut off (see FaultState.conflict); pause may not.
      const busy = spec.fault === "pause" ? state.faulted() : new Set([...state.faulted()].filter((n) => state.processFaultOf(n)));
      r = await resolve(spec.targets, busy);
    } catch (err) {
      return refuse(spec.fault, { targets: [], selector: spec.targets.kind }, message(err));
    }
    const value = describe(spec.targets, r);
    const clash = state.conflict(spec.fault, r.nodes);
    if (clash) return refuse(spec.fault, value, clash);
    watches.interrupted();
    const before = await snapshot(r.nodes);
    const quorumBefore = spec.fault === "kill" || spec.fault === "stop" || spec.fault === "pause" ? await quorumLeaderHit(r.nodes) : undefined;
    const nodes = r.nodes.map(byName);
    const undo: FaultSpec = { fault: spec.fault === "pause" ? "resume" : "start", targets: { kind: "nodes", names: r.nodes } };
    const result = await attempt(
      spec.fault,
      value,
      async () => {
        state.setProcess(r.nodes, spec.fault); // before acting: heal-all must know even if the action fails midway
        if (spec.fault === "kill") await killNodes(nodes);
        else if (spec.fault === "stop") await stopNodes(nodes, stopTimeoutSeconds);
        else await pauseNodes(nodes);
      },
      undo,
    );
    startFailoverWatch(result, r.nodes, before);
    startQuorumWatch(result, r.nodes, quorumBefore);
    return result;
  }

  async function restore(spec: Extract<FaultSpec, { fault: "start" | "resume" }>): Promise<FaultResult> {
    let r: Resolved;
    try {
      r = await resolve(spec.targets, new Set());
    } catch (err) {
      return refuse(spec.fault, { targets: [], selector: spec.targets.kind }, message(err));
    }
    watches.undone({ nodes: r.nodes });
    const result = await attempt(spec.fault, describe(spec.targets, r), async () => {
      const nodes = r.nodes.map(byName);
      const states = await Promise.all(nodes.map((n) => n.state()));
      const was = Object.fromEntries(r.nodes.map((n, i) => [n, states[i]]));
      // Only nodes that need it: a running container needs no start, an unpaused one no resume.
      if (spec.fault === "resume") await resumeNodes(nodes.filter((_, i) => states[i] === "paused"));
      else {
        const down = nodes.filter((_, i) => states[i] !== "running" && states[i] !== "paused");
        const waitedForSessionMs = await waitOldSessionsGone(probe, down, sessionWaitMs);
        await startNodes(down);
        state.clearProcess(r.nodes);
        return { was, waitedForSessionMs };
      }
      state.clearProcess(r.nodes);
      return { was };
    });
    startRecoveryWatch(result, r.nodes);
    return result;
  }

  async function partition(spec: Extract<FaultSpec, { fault: "partition" }>): Promise<FaultResult> {
    let r: Resolved = { nodes: [] };
    let grudge: Grudge;
    const inForce = state.conflict("partition", []);
    if (inForce) return refuse("partition", { targets: [], topology: spec.topology }, inForce);
    try {
      if (spec.targets) r = await resolve(spec.targets);
      grudge = grudgeFor(spec.topology, nodeGroups, r.nodes, o.rng);
    } catch (err) {
      return refuse("partition", { targets: r.nodes, topology: spec.topology, ...(spec.targets ? { selector: spec.targets.kind } : {}) }, message(err));
    }
    const value: FaultValue = { ...describe(spec.targets, r), topology: spec.topology, grudge };
    const clash = state.conflict("partition", nodesOf(grudge));
    if (clash) return refuse("partition", value, clash);
    watches.interrupted();
    // Brokers whose partitions should fail over: the targets, and any broker cut from a ZooKeeper majority.
    const zkMajority = majoritySize(zkNames.length);
    const hit = brokerNames.filter((b) => r.nodes.includes(b) || (grudge[b] ?? []).filter((n) => zkNames.includes(n)).length >= zkMajority);
    const before = await snapshot(hit);
    // KRaft: a quorum leader cut from a voter majority loses its quorum.
    const quorumBefore = await quorumLeaderHit(votersCutFromMajority(voterNames, grudge));
    const result = await attempt(
      "partition",
      value,
      async () => {
        state.setPartition(grudge);
        await applyGrudge(byName, grudge, variantOf);
      },
      { fault: "heal" },
    );
    startFailoverWatch(result, hit, before, true);
    startQuorumWatch(result, votersCutFromMajority(voterNames, grudge), quorumBefore, true);
    return result;
  }

  async function heal(): Promise<FaultResult> {
    const g = state.partition();
    watches.undone({ partition: true });
    const result = await attempt("heal", { targets: g ? Object.keys(g).sort() : [] }, async () => {
      const reachable = all.filter((n) => !state.processFaultOf(n.name));
      const had = await healPartitions(reachable, variantOf);
      state.clearPartition();
      return { removedFrom: had };
    });
    startRecoveryWatch(result, []);
    return result;
  }

  async function bounce(): Promise<FaultResult> {
    // KRaft: the dedicated controllers too, after the brokers, one at a time (a quorum of 3 keeps a
    // majority with one voter down; the active controller's turn is a quorum failover).
    const rolled = [...cluster.brokers, ...ownControllers];
    const value: FaultValue = { targets: rolled.map((n) => n.name) };
    const clash = state.conflict("bounce", value.targets);
    if (clash) return refuse("bounce", value, clash);
    watches.interrupted();
    return attempt("bounce", value, async () => {
      // Tracked, so heal-all starts a node that a failed bounce left stopped.
      const startedAt = new Map<string, number>();
      const tracked = rolled.map((n) => ({
        name: n.name,
        role: n.role,
        id: n.id,
        stop: async (t?: number) => {
          state.setProcess([n.name], "stop");
          await n.stop(t);
        },
        start: async () => {
          startedAt.set(n.name, Date.now());
          await n.start();
          state.clearProcess([n.name]);
        },
      }));
      const timeoutMs = o.bounceTimeoutMs ?? 90_000;
      const steps = await rollingRestart(tracked, {
        stopTimeoutSeconds,
        waitBack: (n) =>
          n.role === "controller"
            ? waitControllerBack(describeQuorumNow, n, startedAt.get(n.name) ?? 0, timeoutMs)
            : waitBrokerBack(probe, n, cluster.brokers.length, timeoutMs),
      });
      return { steps };
    });
  }

  async function healEverything(): Promise<FaultResult> {
    watches.undone({ all: true });
    record("invoke", "heal-all", { targets: [] });
    const { problems, ...report } = await healAllNodes(all, { probe, variantOf, sessionWaitMs });
    state.clearAll();
    const value: FaultValue = { targets: [...new Set([...report.started, ...report.resumed, ...report.removedFrom])].sort(), ...report };
    const op = record(problems.length ? "info" : "ok", "heal-all", problems.length ? { ...value, reason: problems.join("; ") } : value);
    const result: FaultResult = { type: op.type as FaultResult["type"], f: "heal-all", value: op.value as FaultValue, index: op.index };
    if (value.targets.length) startRecoveryWatch(result, [...report.started, ...report.resumed]);
    return result;
  }

  const unregister = o.healOnShutdown === false ? () => false : onShutdown(async () => void (await nemesis.healAll()));

  const nemesis: ClusterNemesis = {
    state,
    invoke(spec) {
      return locked(async () => {
        switch (spec.fault) {
          case "kill":
          case "stop":
          case "pause":
            return processFault(spec);
          case "start":
          case "resume":
            return restore(spec);
          case "partition":
            return partition(spec);
          case "heal":
            return heal();
          case "bounce":
            return bounce();
        }
      });
    },
    // Heal-all must not wait forever behind a hung fault (SIGINT during a 30 s stop).
    healAll: () => locked(healEverything, 60_000),
    async close(opts = {}) {
      unregister();
      await watches.close(opts.waitMs ?? 0);
    },
  };
  return nemesis;
}
