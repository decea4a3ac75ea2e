// Brokers joining and leaving the cluster mid-run, as operators add and retire them (the membership
// family's add-broker / remove-broker and decommission-broker / recommission-broker):
// - add-broker: the cluster kind starts one more broker (the next id; NemesisCluster.addBroker, the
//   docker kind only: attach and ssh refuse), awaited until registered; then one replica of each
//   workload partition (on a `targets` broker, else a random one; one on a broker under a fault
//   first, as reassign does) moves onto it, in its place in the list, awaited until the
//   reassignment completes (the new replica in the ISR). Undone by remove-broker.
// - remove-broker: every replica on an added broker, of any topic (its container goes, so internal
//   topics' too), moves back to the broker it came from where that one is healthy, else to a healthy
//   one outside the list; then a controlled shutdown, in KRaft UnregisterBroker, and the container
//   is removed. Only brokers add-broker started.
// - decommission-broker: every workload replica on the target (one broker) moves to a healthy broker
//   outside its list, then a controlled shutdown (SIGTERM) and in KRaft UnregisterBroker, so the
//   controller forgets it (ZooKeeper: its registration goes with its session). Undone by
//   recommission-broker: started again, awaited until registered (its replicas stay where they went).
// Heal-all removes the added brokers (healBrokers, from membership.ts's heal); the decommissioned
// ones are started by the nemesis's heal of every stopped node before.

import { keyOfPartition, type PartitionMetadata } from "../broker-metadata.ts";
import { waitOldSessionsGone } from "../broker-sessions.ts";
import type { NemesisContext } from "../context.ts";
import type { FaultState } from "../fault-state.ts";
import { startNodes } from "../faults/kill.ts";
import { pick } from "../rng.ts";
import { describeTargets, type Resolved } from "../targets.ts";
import type { FaultValue, TargetSpec } from "../types.ts";
import type { Action, FamilyHeal } from "./family.ts";
import { undoTargets } from "./node-faults.ts";
import {
  type Assignment,
  effect,
  healthyBrokers,
  idsToNames,
  moveAndWait,
  movedReplicas,
  notAllowed,
  orderOf,
  POLL_MS,
  partitionsOf,
  reassignment,
  sleep,
  submit,
  targetIds,
} from "./replica-moves.ts";

export type BrokerChangeSpec =
  /** targets: the brokers whose replica moves to the new one (default: a random replica of each partition). */
  | { fault: "add-broker"; of?: string; targets?: TargetSpec }
  /** targets: added brokers (default: every one). */
  | { fault: "remove-broker"; targets?: TargetSpec }
  /** targets: one broker (default: a random one). */
  | { fault: "decommission-broker"; targets?: TargetSpec }
  | { fault: "recommission-broker"; targets: TargetSpec };

interface Book {
  /** Added broker → its id. */
  added: Map<string, number>;
  /** Added broker → partition key → the broker whose replica it took (remove-broker moves it back there). */
  cameFrom: Map<string, Map<string, number>>;
  decommissioned: Set<string>;
}
const books = new WeakMap<FaultState, Book>();
const bookOf = (s: FaultState): Book =>
  books.get(s) ?? books.set(s, { added: new Map(), cameFrom: new Map(), decommissioned: new Set() }).get(s)!;

export const brokersInForce = (s: FaultState) => [
  ...[...bookOf(s).added.keys()].map((n) => `${n} added`),
  ...[...bookOf(s).decommissioned].map((n) => `${n} decommissioned`),
];

/** The partitions that move: the effect (leaders and ISRs before and after) is theirs. */
const movedOnly = (ps: readonly PartitionMetadata[], moves: Assignment) => ps.filter((p) => moves[keyOfPartition(p)]);

const kraftOf = (ctx: NemesisContext) => ctx.cluster.zookeepers.length === 0;

/** ms from t0 until the cluster lists broker `id` as registered (or, registered false, no longer); throws at the bound. */
async function untilRegistered(ctx: NemesisContext, id: number, registered: boolean, t0: number): Promise<number> {
  const deadline = t0 + ctx.settings.membershipTimeoutMs;
  for (;;) {
    const now = await ctx.probe.registered(ctx.state.faulted()).catch(() => undefined);
    if (now && now.has(id) === registered) return Math.round(performance.now() - t0);
    if (performance.now() >= deadline)
      throw new Error(`broker ${id} ${registered ? "not registered" : "still registered"} after ${ctx.settings.membershipTimeoutMs} ms`);
    await sleep(POLL_MS);
  }
}

const CANNOT_ADD =
  "this cluster kind starts no broker: add-broker needs the docker kind (an attached or ssh cluster's machines are not the harness's to add to)";

const addBroker: Action<Extract<BrokerChangeSpec, { fault: "add-broker" }>> = async (spec, ctx) => {
  const value: FaultValue = { targets: [], ...(spec.of ? { of: spec.of } : {}) };
  const why = notAllowed(ctx) ?? (ctx.cluster.addBroker ? undefined : CANNOT_ADD);
  if (why) return ctx.refuse("add-broker", value, why);
  let off: { ids?: number[]; r: Resolved };
  try {
    off = await targetIds(ctx, spec.targets);
    await partitionsOf(ctx, spec.of); // refused now when no broker has them, before a broker starts
  } catch (err) {
    return ctx.refuse("add-broker", value, (err as Error).message);
  }
  if (spec.targets) Object.assign(value, { movedOff: off.r.nodes, ...(off.r.leaderOf ? { leaderOf: off.r.leaderOf } : {}) });
  const book = bookOf(ctx.state);
  movedReplicas.add(ctx.state); // heal-all asks the cluster from now on
  // Named once the broker runs: the undo and an info op say which broker (value is recorded late).
  const undo = { fault: "remove-broker" as const, targets: { kind: "nodes" as const, names: [] as string[] } };
  ctx.watch.interrupted();
  const snap = await ctx.watch.snapshot([]);
  let lost: number[] = [];
  let keys: string[] = [];
  const result = await ctx.attempt(
    "add-broker",
    value,
    async () => {
      const t0 = performance.now();
      const node = await ctx.cluster.addBroker!();
      book.added.set(node.name, node.id);
      undo.targets.names.push(node.name);
      Object.assign(value, { targets: [node.name], id: node.id });
      const startedAfterMs = Math.round(performance.now() - t0);
      const registeredAfterMs = await untilRegistered(ctx, node.id, true, t0);
      // Read again: a fault may have moved leaders while the broker started.
      const before = await partitionsOf(ctx, spec.of);
      const healthy = await healthyBrokers(ctx);
      const moves: Assignment = {};
      const skipped: Record<string, string> = {};
      const from = new Map<string, number>();
      for (const p of before) {
        const cur = orderOf(p);
        const next = reassignment(cur, { healthy, rng: ctx.rng, onto: node.id, rotate: false, ...(off.ids ? { off: off.ids } : {}) });
        if (typeof next === "string") skipped[keyOfPartition(p)] = next;
        else {
          moves[keyOfPartition(p)] = next;
          from.set(keyOfPartition(p), cur.find((r) => !next.includes(r))!);
        }
      }
      book.cameFrom.set(node.name, from);
      lost = [...from.values()];
      keys = Object.keys(moves);
      const planned = {
        startedAfterMs,
        registeredAfterMs,
        from: Object.fromEntries(before.map((p) => [keyOfPartition(p), orderOf(p)])),
        to: moves,
        replicasMoved: keys.length,
        movedFrom: idsToNames(ctx, lost),
        ...(Object.keys(skipped).length ? { skipped } : {}),
      };
      Object.assign(value, planned);
      if (keys.length === 0) return planned;
      const r = await moveAndWait(ctx, ctx.replicas, moves, {});
      const inIsr = r.after.filter((p) => p.isr.includes(node.id)).map(keyOfPartition);
      return { ...planned, completedAfterMs: r.completedAfterMs, inIsr, ...effect(movedOnly(before, moves), r.after) };
    },
    undo,
  );
  const moved = new Set(keys);
  ctx.watch.failover(
    result,
    idsToNames(ctx, lost),
    snap && { ...snap, partitions: snap.partitions.filter((p) => moved.has(keyOfPartition(p))) },
  );
  return result;
};

/** Every partition of every topic (internal ones too) that has a replica on one of these brokers. */
async function partitionsOn(ctx: NemesisContext, ids: readonly number[]): Promise<PartitionMetadata[]> {
  const md = await ctx.probe.metadata({ avoid: ctx.state.faulted() });
  return md.partitions.filter((p) => orderOf(p).some((r) => ids.includes(r)));
}

/**
 * Moves every replica off these added brokers (back where it came from, where that broker is
 * healthy and outside the list), then shuts each down (controlled), unregisters it (KRaft) and
 * removes it. The measured effect, for remove-broker's op and heal-all.
 */
async function removeAdded(ctx: NemesisContext, names: readonly string[]): Promise<Partial<FaultValue>> {
  const book = bookOf(ctx.state);
  const t0 = performance.now();
  const ids = names.map((n) => book.added.get(n)!);
  const before = await partitionsOn(ctx, ids);
  const healthy = (await healthyBrokers(ctx)).filter((b) => !ids.includes(b));
  const moves: Assignment = {};
  const stuck: string[] = [];
  for (const p of before) {
    const k = keyOfPartition(p);
    const list = [...orderOf(p)];
    for (const [i, r] of list.entries()) {
      if (!ids.includes(r)) continue;
      const back = book.cameFrom.get(names[ids.indexOf(r)]!)?.get(k);
      const onto = back !== undefined && healthy.includes(back) && !list.includes(back) ? back : healthy.find((b) => !list.includes(b));
      if (onto === undefined) stuck.push(`${k}: no healthy broker outside ${list.join(", ")} takes broker ${r}'s replica`);
      else list[i] = onto;
    }
    moves[k] = list;
  }
  if (stuck.length) throw new Error(stuck.join("; "));
  const keys = Object.keys(moves);
  const r = keys.length ? await moveAndWait(ctx, ctx.replicas, moves, {}) : undefined;
  const movedAfterMs = Math.round(performance.now() - t0);
  for (const [i, name] of names.entries()) {
    const node = ctx.byName(name);
    if ((await node.state()) === "running") await node.stop(ctx.settings.stopTimeoutSeconds);
    if (kraftOf(ctx)) await ctx.replicas.unregister(ids[i]!, ctx.state.faulted());
    await ctx.cluster.removeBroker!(name);
    book.added.delete(name);
    book.cameFrom.delete(name);
    ctx.state.clearProcess([name]);
    ctx.state.clearDisk([name]);
    ctx.state.clearLink([name]);
  }
  return {
    from: Object.fromEntries(before.map((p) => [keyOfPartition(p), orderOf(p)])),
    to: moves,
    replicasMoved: keys.length,
    ...(r ? { completedAfterMs: r.completedAfterMs, ...effect(before, r.after) } : {}),
    movedAfterMs,
    removedAfterMs: Math.round(performance.now() - t0),
    ...(kraftOf(ctx) ? { unregistered: [...ids] } : {}),
  };
}

const removeBroker: Action<Extract<BrokerChangeSpec, { fault: "remove-broker" }>> = async (spec, ctx) => {
  const book = bookOf(ctx.state);
  let names: string[];
  if (spec.targets) {
    const r = await undoTargets({ fault: "remove-broker", targets: spec.targets }, ctx);
    if ("type" in r) return r;
    names = r.nodes;
  } else names = [...book.added.keys()];
  const value: FaultValue = { targets: names };
  if (names.length === 0)
    return ctx.refuse("remove-broker", value, "no broker to remove: add-broker started none (or it was removed already)");
  const foreign = names.filter((n) => !book.added.has(n));
  if (foreign.length)
    return ctx.refuse("remove-broker", value, `${foreign.join(", ")} not started by add-broker: only added brokers are removed`);
  ctx.watch.undone({ nodes: names });
  const result = await ctx.attempt("remove-broker", value, () => removeAdded(ctx, names));
  ctx.watch.recovery(result, []);
  return result;
};

const decommissionBroker: Action<Extract<BrokerChangeSpec, { fault: "decommission-broker" }>> = async (spec, ctx) => {
  const targets: TargetSpec = spec.targets ?? { kind: "random-broker" };
  const base: FaultValue = { targets: [], selector: targets.kind };
  const why = notAllowed(ctx);
  if (why) return ctx.refuse("decommission-broker", base, why);
  let r: Resolved;
  let before: PartitionMetadata[];
  try {
    r = await ctx.resolve(targets);
    before = await partitionsOf(ctx, undefined);
  } catch (err) {
    return ctx.refuse("decommission-broker", base, (err as Error).message);
  }
  const value = describeTargets(targets, r);
  const node = r.nodes.length === 1 ? ctx.cluster.brokers.find((b) => b.name === r.nodes[0]) : undefined;
  if (!node)
    return ctx.refuse("decommission-broker", value, `retires one broker at a time: the targets name ${r.nodes.join(", ") || "none"}`);
  const clash = ctx.state.busy([node.name], { partitionedToo: true });
  if (clash) return ctx.refuse("decommission-broker", value, clash);
  const healthy = (await healthyBrokers(ctx)).filter((b) => b !== node.id);
  const moves: Assignment = {};
  const stuck: string[] = [];
  for (const p of before) {
    const cur = orderOf(p);
    if (!cur.includes(node.id)) continue;
    const outside = healthy.filter((b) => !cur.includes(b));
    if (outside.length === 0) stuck.push(`${keyOfPartition(p)}: every healthy broker holds a replica already (${cur.join(", ")})`);
    else {
      const onto = pick(ctx.rng, outside);
      moves[keyOfPartition(p)] = cur.map((x) => (x === node.id ? onto : x));
    }
  }
  Object.assign(value, { from: Object.fromEntries(before.map((p) => [keyOfPartition(p), orderOf(p)])), to: moves });
  // Going down with a workload replica on it would be a stop, not a decommission.
  if (stuck.length) return ctx.refuse("decommission-broker", value, stuck.join("; "));
  // A list that keeps a replica on a broker under a fault cannot complete until that one is back:
  // asked for, not awaited (as grow-replicas does), so the nemesis is not held.
  const faulted = ctx.state.faulted();
  const down = idsToNames(ctx, Object.values(moves).flat()).filter((n) => faulted.has(n));
  ctx.watch.interrupted();
  const snap = await ctx.watch.snapshot([node.name]);
  const result = await ctx.attempt(
    "decommission-broker",
    value,
    async () => {
      const t0 = performance.now();
      const keys = Object.keys(moves);
      let moved: Partial<FaultValue> = { replicasMoved: keys.length };
      if (keys.length && down.length) {
        await submit(ctx, ctx.replicas, moves);
        moved = { ...moved, notAwaited: `${down.join(", ")} under a fault` };
      } else if (keys.length) {
        const m = await moveAndWait(ctx, ctx.replicas, moves, {});
        moved = { ...moved, completedAfterMs: m.completedAfterMs, ...effect(movedOnly(before, moves), m.after) };
      }
      ctx.state.setProcess([node.name], "stop"); // before acting: heal-all starts it even if the stop fails midway
      bookOf(ctx.state).decommissioned.add(node.name);
      const t1 = performance.now();
      await node.stop(ctx.settings.stopTimeoutSeconds);
      const stoppedAfterMs = Math.round(performance.now() - t1);
      // KRaft keeps a stopped broker registered (fenced) until told; ZooKeeper drops it with its session.
      const gone = kraftOf(ctx)
        ? { unregistered: (await ctx.replicas.unregister(node.id, ctx.state.faulted()), true) }
        : { deregisteredAfterMs: await untilRegistered(ctx, node.id, false, t1) };
      return { ...moved, stoppedAfterMs, ...gone, tookMs: Math.round(performance.now() - t0) };
    },
    { fault: "recommission-broker", targets: { kind: "nodes", names: [node.name] } },
  );
  ctx.watch.failover(result, [node.name], snap);
  return result;
};

const recommissionBroker: Action<Extract<BrokerChangeSpec, { fault: "recommission-broker" }>> = async (spec, ctx) => {
  const r = await undoTargets(spec, ctx);
  if ("type" in r) return r;
  ctx.watch.undone({ nodes: r.nodes });
  const result = await ctx.attempt("recommission-broker", describeTargets(spec.targets, r), async () => {
    const nodes = r.nodes.map(ctx.byName);
    const states = await Promise.all(nodes.map((n) => n.state()));
    const exited = nodes.filter((_, i) => states[i] !== "running" && states[i] !== "paused");
    const t0 = performance.now();
    const waitedForSessionMs = await waitOldSessionsGone(ctx.probe, exited, ctx.settings.sessionWaitMs);
    await startNodes(exited);
    const registeredAfterMs: Record<string, number> = {};
    for (const n of nodes) registeredAfterMs[n.name] = await untilRegistered(ctx, n.id, true, t0);
    ctx.state.clearProcess(r.nodes);
    for (const n of r.nodes) bookOf(ctx.state).decommissioned.delete(n);
    return { was: Object.fromEntries(r.nodes.map((n, i) => [n, states[i]])), waitedForSessionMs, registeredAfterMs };
  });
  ctx.watch.recovery(result, r.nodes);
  return result;
};

export const brokerChangeActions = {
  "add-broker": addBroker,
  "remove-broker": removeBroker,
  "decommission-broker": decommissionBroker,
  "recommission-broker": recommissionBroker,
};

/** Heal-all's part (after every node is up again): removes every added broker; decommissioned ones are running again. */
export async function healBrokers(ctx: NemesisContext): Promise<FamilyHeal> {
  const book = bookOf(ctx.state);
  const out: FamilyHeal = { healed: [...book.decommissioned], problems: [] };
  book.decommissioned.clear();
  const added = [...book.added.keys()];
  if (added.length)
    try {
      await removeAdded(ctx, added);
      out.healed.push(...added);
    } catch (err) {
      out.problems.push(`removing ${added.join(", ")}: ${(err as Error).message}`);
    }
  return out;
}
