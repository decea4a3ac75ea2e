// Resolves a target spec against the live cluster at the moment of the fault. Random picks use the
// seeded rng and skip nodes already under a fault, so "pause a random broker" never picks a killed
// one; "leader of t-0" and "controller" ask the cluster (probe.ts), and are refused when the node
// they name is already faulted rather than silently hitting another one.
import { parseKey } from "./broker-metadata.ts";
import type { Named } from "./capabilities.ts";
import { coordinatorPartition, stateTopicOf } from "./coordinator.ts";
import type { ClusterProbe } from "./probe.ts";
import { type Rng, shuffle } from "./rng.ts";
import type { FaultValue, TargetSpec } from "./types.ts";

export interface Resolved {
  nodes: string[];
  leaderOf?: string;
  /** txn-coordinator / group-coordinator: whose coordinator, and the state partition it leads. */
  coordinatorOf?: { transactionalId?: string; groupId?: string; partition: string };
}

export interface ResolveContext {
  brokers: readonly Named[];
  zookeepers: readonly Named[];
  /** KRaft's quorum voters (dedicated or combined); absent in ZooKeeper mode. */
  controllers?: readonly Named[];
  /** KRaft: the quorum leader's node id (DescribeQuorum). */
  quorumLeader?: () => Promise<number>;
  rng: Rng;
  probe: ClusterProbe;
  /** Nodes under a fault now: never picked at random, and an error when named by leader/controller. */
  faulted: ReadonlySet<string>;
}

export class TargetError extends Error {
  /** A moment's state (a partition between leaders, a broker not answering) that asking again may clear. */
  readonly transient: boolean;
  constructor(message: string, o: { transient?: boolean } = {}) {
    super(message);
    this.transient = o.transient ?? false;
  }
}

/**
 * Resolves a target, asking again while the answer is transient for up to waitMs: a partition
 * between leaders right after a fault healed (a ZooKeeper majority paused and resumed leaves
 * partitions leaderless until the brokers register again), a broker not yet answering metadata. A
 * refusal on the first such answer made a scheduled leader fault miss in a loaded run. Anything
 * else is refused at once.
 */
export async function resolveSettled(
  resolve: () => Promise<Resolved>,
  o: { waitMs: number; intervalMs?: number; sleep?: (ms: number) => Promise<void> },
): Promise<Resolved> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const interval = o.intervalMs ?? 250;
  for (let waited = 0; ; waited += interval) {
    try {
      return await resolve();
    } catch (err) {
      if (!(err instanceof TargetError && err.transient) || waited + interval > o.waitMs) throw err;
    }
    await sleep(interval);
  }
}

/** A nemesis op's value for resolved targets: the nodes, the spec's kind, and whose leader or coordinator they are. */
export const describeTargets = (spec: TargetSpec | undefined, r: Resolved): FaultValue => ({
  targets: r.nodes,
  ...(spec ? { selector: spec.kind } : {}),
  ...(r.leaderOf ? { leaderOf: r.leaderOf } : {}),
  ...(r.coordinatorOf ? { coordinatorOf: r.coordinatorOf } : {}),
});

/** A strict minority of n (at least one when n ≥ 2): 3 → 1, 4 → 1, 5 → 2. */
export const minoritySize = (n: number) => Math.ceil(n / 2) - 1;
export const majoritySize = (n: number) => Math.floor(n / 2) + 1;

export async function resolveTargets(spec: TargetSpec, ctx: ResolveContext): Promise<Resolved> {
  const healthy = (xs: readonly Named[]) => xs.map((x) => x.name).filter((n) => !ctx.faulted.has(n));
  const some = (xs: readonly Named[], size: number, what: string): string[] => {
    const ok = healthy(xs);
    if (size < 1) throw new TargetError(`no ${what} of ${xs.length} node(s)`);
    if (ok.length < size) throw new TargetError(`${what}: need ${size} healthy node(s), have ${ok.length} (${ok.join(", ") || "none"})`);
    return shuffle(ctx.rng, ok).slice(0, size).sort();
  };
  const brokerNamed = (id: number, why: string): string => {
    const b = ctx.brokers.find((x) => x.id === id);
    if (!b) throw new TargetError(`${why}: broker ${id} is not in this cluster`);
    if (ctx.faulted.has(b.name)) throw new TargetError(`${why} is ${b.name}, already under a fault`);
    return b.name;
  };
  switch (spec.kind) {
    case "random-broker":
      return { nodes: some(ctx.brokers, 1, "random broker") };
    case "minority":
      return { nodes: some(ctx.brokers, minoritySize(ctx.brokers.length), "broker minority") };
    case "majority":
      return { nodes: some(ctx.brokers, majoritySize(ctx.brokers.length), "broker majority") };
    case "all-brokers":
      return { nodes: some(ctx.brokers, ctx.brokers.length, "all brokers") };
    case "zk-random":
      return { nodes: some(ctx.zookeepers, 1, "random ZooKeeper node") };
    case "zk-minority":
      return { nodes: some(ctx.zookeepers, minoritySize(ctx.zookeepers.length), "ZooKeeper minority") };
    case "zk-majority":
      return { nodes: some(ctx.zookeepers, majoritySize(ctx.zookeepers.length), "ZooKeeper majority") };
    case "leader": {
      const { topic, partition } = parseKey(spec.of);
      const views = await ctx.probe.metadataAll({ avoid: ctx.faulted, topics: [topic] });
      if (views.length === 0) throw new TargetError(`no healthy broker answers metadata for ${spec.of}`, { transient: true });
      const leaders = views.map((v) => v.partitions.find((x) => x.topic === topic && x.partition === partition)?.leader);
      if (leaders.every((l) => l === undefined))
        throw new TargetError(`${spec.of} is not in the metadata of ${views.map((v) => v.from).join(", ")}`, { transient: true });
      // Brokers can disagree for a moment after a change (a stale cache): the most common answer wins.
      const leader = mostCommon(leaders.filter((l): l is number => l !== undefined));
      if (leader < 0) throw new TargetError(`${spec.of} has no leader (asked ${views.map((v) => v.from).join(", ")})`, { transient: true });
      return { nodes: [brokerNamed(leader, `leader of ${spec.of}`)], leaderOf: spec.of };
    }
    case "txn-coordinator":
    case "group-coordinator": {
      // The coordinator is the leader of the state partition that holds the id; the partition
      // count is read from the cluster (transaction.state.log.num.partitions / offsets.topic.num.partitions).
      const topic = stateTopicOf(spec.kind);
      const views = await ctx.probe.metadataAll({ avoid: ctx.faulted, topics: [topic] });
      const count = Math.max(0, ...views.map((v) => v.partitions.filter((p) => p.topic === topic).length));
      if (count === 0)
        throw new TargetError(
          `${spec.kind} of ${spec.of}: ${topic} does not exist yet (no ${spec.kind === "txn-coordinator" ? "transactional producer" : "consumer group"} has used this cluster)`,
        );
      const partition = `${topic}-${coordinatorPartition(spec.of, count)}`;
      const r = await resolveTargets({ kind: "leader", of: partition }, ctx);
      const who = spec.kind === "txn-coordinator" ? { transactionalId: spec.of } : { groupId: spec.of };
      return { ...r, coordinatorOf: { ...who, partition } };
    }
    case "controller":
      // KRaft: the controller is the quorum leader (a KRaft broker's metadata names a random live
      // broker as "controller", so asking the brokers would hit a random one).
      if (ctx.quorumLeader && ctx.controllers?.length) return resolveTargets({ kind: "active-controller" }, ctx);
      return { nodes: [brokerNamed(await ctx.probe.controller(ctx.faulted), "the controller")] };
    case "active-controller": {
      if (!ctx.quorumLeader || !ctx.controllers?.length) throw new TargetError("the active controller: this cluster has no KRaft quorum");
      const id = await ctx.quorumLeader();
      const c = ctx.controllers.find((x) => x.id === id);
      if (!c) throw new TargetError(`the active controller: node ${id} is not a voter of this cluster`);
      if (ctx.faulted.has(c.name)) throw new TargetError(`the active controller is ${c.name}, already under a fault`);
      return { nodes: [c.name] };
    }
    case "controller-minority":
    case "controller-majority":
    case "all-controllers": {
      const cs = ctx.controllers ?? [];
      if (cs.length === 0) throw new TargetError(`${spec.kind}: this cluster has no KRaft quorum`);
      const size =
        spec.kind === "all-controllers"
          ? cs.length
          : spec.kind === "controller-majority"
            ? majoritySize(cs.length)
            : minoritySize(cs.length);
      return { nodes: some(cs, size, spec.kind.replace("-", " ")) };
    }
    case "zk-leader": {
      const name = await ctx.probe.zkLeader(ctx.faulted);
      return { nodes: [name] };
    }
    case "nodes": {
      const known = new Set([...ctx.brokers, ...ctx.zookeepers, ...(ctx.controllers ?? [])].map((x) => x.name));
      const unknown = spec.names.filter((n) => !known.has(n));
      if (unknown.length) throw new TargetError(`no node named ${unknown.join(", ")}`);
      return { nodes: [...spec.names].sort() };
    }
  }
}

function mostCommon(xs: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}
