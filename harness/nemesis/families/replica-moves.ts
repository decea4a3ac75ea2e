// What the membership family's faults share: reading the partitions they act on, the brokers a
// replica may move to, and submitting replica moves and awaiting them (bounded), with the measured
// effect (leaders and ISRs before and after). membership.ts's reassign / shrink / grow and
// broker-changes.ts's add / decommission moves go through these.
import { keyOfPartition, type PartitionMetadata, parseKey } from "../broker-metadata.ts";
import type { NemesisContext } from "../context.ts";
import type { FaultState } from "../fault-state.ts";
import type { ReplicaAdmin, TopicPartition } from "../replica-admin.ts";
import { pick, type Rng } from "../rng.ts";
import type { Resolved } from "../targets.ts";
import type { TargetSpec } from "../types.ts";

export type Assignment = Record<string, number[]>;

/** The replicas in assignment order (preferred leader first). */
export const orderOf = (p: PartitionMetadata) => p.assigned ?? p.replicas;

/** Per nemesis: whether it ever asked the cluster to move replicas. Heal-all asks the cluster only
 *  then: a run that never moved any has nothing of this family's to undo (and sends no request). */
export const movedReplicas = new WeakSet<FaultState>();

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const POLL_MS = 250;

/** The partitions a fault acts on: `of`, else the workload's, else every non-internal one (from metadata). */
export async function partitionsOf(ctx: NemesisContext, of: string | undefined): Promise<PartitionMetadata[]> {
  const keys = of ? [of] : ctx.settings.workload?.partitions;
  if (keys) return partitionsNow(ctx, keys);
  const vs = await ctx.probe.metadataAll({ avoid: ctx.state.faulted() });
  const ps = vs.map((v) => v.partitions.filter((p) => !p.topic.startsWith("__"))).sort((a, b) => b.length - a.length)[0] ?? [];
  if (ps.length === 0) throw new Error("no partition to act on");
  return ps;
}

export const tp = (key: string): TopicPartition => parseKey(key);

/**
 * Brokers a replica may move to: under no fault, and registered with the cluster (a broker started
 * moments ago is not yet, and the controller refuses an assignment naming it: INVALID_REPLICA_ASSIGNMENT).
 */
export async function healthyBrokers(ctx: NemesisContext): Promise<number[]> {
  const faulted = ctx.state.faulted();
  const registered = await ctx.probe.registered(faulted).catch(() => undefined);
  return ctx.cluster.brokers.filter((b) => !faulted.has(b.name) && (!registered || registered.has(b.id))).map((b) => b.id);
}
export const idsToNames = (ctx: NemesisContext, ids: Iterable<number>) =>
  [...new Set(ids)].map((id) => ctx.cluster.brokers.find((b) => b.id === id)?.name ?? `broker ${id}`).sort();

/** Why the harness may not move replicas here, or undefined. */
export const notAllowed = (ctx: NemesisContext) =>
  ctx.cluster.alterReplicas === false
    ? "the harness may not move this attached cluster's replicas (cluster.alterReplicas: true allows it)"
    : undefined;

/**
 * Submits the moves and waits (bounded) until none of them is still in progress; `inSync` also waits
 * for each partition's ISR to hold all its replicas. Returns how long it took; throws when a move is
 * refused or still going at the bound (the op is then info: heal cancels what is left).
 */
export async function moveAndWait(
  ctx: NemesisContext,
  admin: ReplicaAdmin,
  moves: Assignment,
  o: { inSync?: boolean },
): Promise<{ completedAfterMs: number; inSyncAfterMs?: number; after: PartitionMetadata[] }> {
  const keys = Object.keys(moves);
  const t0 = performance.now();
  await submit(ctx, admin, moves);
  const deadline = t0 + ctx.settings.membershipTimeoutMs;
  let completedAfterMs: number | undefined;
  let pending: string[] = keys;
  for (;;) {
    if (completedAfterMs === undefined) {
      const ongoing = await admin.ongoing(keys.map(tp), ctx.state.faulted()).catch(() => undefined);
      if (ongoing) {
        pending = ongoing.map(keyOfPartition).filter((k) => keys.includes(k));
        if (pending.length === 0) completedAfterMs = Math.round(performance.now() - t0);
      }
    }
    if (completedAfterMs !== undefined) {
      const stray = (ps: PartitionMetadata[]) => ps.filter((p) => orderOf(p).join() !== moves[keyOfPartition(p)]!.join());
      const lagging = (ps: PartitionMetadata[]) => (o.inSync ? ps.filter((p) => p.isr.length < p.replicas.length) : []);
      const after = await partitionsNow(ctx, keys, (ps) => stray(ps).length === 0 && lagging(ps).length === 0).catch(() => undefined);
      if (after && stray(after).length === 0 && lagging(after).length === 0) {
        const done = Math.round(performance.now() - t0);
        return { completedAfterMs, ...(o.inSync ? { inSyncAfterMs: done } : {}), after };
      }
      if (after) pending = [...stray(after), ...lagging(after)].map(keyOfPartition);
    }
    if (performance.now() >= deadline)
      throw new Error(
        `${completedAfterMs === undefined ? "still reassigning" : "not in sync"} after ${ctx.settings.membershipTimeoutMs} ms: ${[...new Set(pending)].join(", ")}`,
      );
    await sleep(POLL_MS);
  }
}

/** Asks for the moves; throws when the controller refuses any. */
export async function submit(ctx: NemesisContext, admin: ReplicaAdmin, moves: Assignment): Promise<void> {
  movedReplicas.add(ctx.state);
  const outcomes = await admin.reassign(
    Object.entries(moves).map(([k, replicas]) => ({ ...tp(k), replicas })),
    ctx.state.faulted(),
  );
  const refused = outcomes.filter((x) => x.errorCode !== 0);
  if (refused.length)
    throw new Error(
      `reassignment refused: ${refused.map((x) => `${keyOfPartition(x)}: error ${x.errorCode}${x.message ? ` (${x.message})` : ""}`).join("; ")}`,
    );
}

/**
 * These partitions in the view of the first broker whose metadata has them all (one just restarted
 * may not know the topic yet), preferring one where `wanted` holds (brokers follow the controller
 * within moments of each other).
 */
export async function partitionsNow(
  ctx: NemesisContext,
  keys: readonly string[],
  wanted?: (ps: PartitionMetadata[]) => boolean,
): Promise<PartitionMetadata[]> {
  const topics = [...new Set(keys.map((k) => tp(k).topic))];
  const vs = await ctx.probe.metadataAll({ avoid: ctx.state.faulted(), topics });
  const complete = vs.map((v) => v.partitions.filter((p) => keys.includes(keyOfPartition(p)))).filter((ps) => ps.length === keys.length);
  const view = complete.find((ps) => wanted?.(ps)) ?? complete[0];
  if (!view) throw new Error(`no broker's metadata has ${keys.join(", ")} (asked ${vs.map((v) => v.from).join(", ") || "none"})`);
  return view;
}

/** Leader and ISR before and after, per partition: the measured effect in the op's value. */
export function effect(before: readonly PartitionMetadata[], after: readonly PartitionMetadata[]) {
  const by = (ps: readonly PartitionMetadata[]) => new Map(ps.map((p) => [keyOfPartition(p), p]));
  const a = by(after);
  const leaders: Record<string, [number, number | null]> = {};
  const isr: Record<string, [number[], number[] | null]> = {};
  for (const p of before) {
    const k = keyOfPartition(p);
    leaders[k] = [p.leader, a.get(k)?.leader ?? null];
    isr[k] = [p.isr, a.get(k)?.isr ?? null];
  }
  const leaderMoved = Object.keys(leaders).filter((k) => leaders[k]![1] !== null && leaders[k]![0] !== leaders[k]![1]);
  return { leaders, isr, leaderMoved };
}

/** Until no reassignment of these partitions is in progress and each one's ISR holds all its replicas (bounded). */
export async function awaitSettled(ctx: NemesisContext, keys: readonly string[]): Promise<void> {
  const deadline = performance.now() + ctx.settings.membershipTimeoutMs;
  let why = "";
  for (;;) {
    const ongoing = await ctx.replicas.ongoing(keys.map(tp), ctx.state.faulted()).catch(() => undefined);
    const moving = ongoing?.map(keyOfPartition).filter((k) => keys.includes(k));
    const whole = (ps: PartitionMetadata[]) => ps.every((p) => p.leader >= 0 && p.isr.length === p.replicas.length);
    const ps = moving?.length === 0 ? await partitionsNow(ctx, keys, whole).catch(() => undefined) : undefined;
    if (ps && whole(ps)) return;
    why = moving?.length ? `still reassigning ${moving.join(", ")}` : "not in sync";
    if (performance.now() >= deadline) throw new Error(`${why} after ${ctx.settings.membershipTimeoutMs} ms`);
    await sleep(POLL_MS);
  }
}

/** The brokers a fault resolves to, as ids (undefined: no targets). */
export async function targetIds(ctx: NemesisContext, spec: TargetSpec | undefined): Promise<{ ids?: number[]; r: Resolved }> {
  if (!spec) return { r: { nodes: [] } };
  const r = await ctx.resolve(spec);
  const ids = r.nodes.map((n) => ctx.cluster.brokers.find((b) => b.name === n)?.id).filter((x): x is number => x !== undefined);
  if (ids.length === 0) throw new Error(`targets ${r.nodes.join(", ")} are no brokers`);
  return { ids, r };
}

/**
 * reassign's new list for one partition: a replica (one on a target broker, else a random one)
 * replaced by a random healthy broker outside the list, then rotated by one so the preferred leader
 * changes. A replica on a broker under a fault is the one replaced (the reassignment then completes
 * without it, as an operator replaces a dead broker's replicas); with two such, it could not
 * complete. A string says why it cannot move. Pure but for the rng.
 */
export function reassignment(
  current: readonly number[],
  o: {
    healthy: readonly number[];
    off?: readonly number[];
    rng: Rng;
    /** The broker the replica moves onto (add-broker: the new one); default a random healthy one outside the list. */
    onto?: number;
    /** false: the list keeps its order (the new broker takes the replaced one's place). */
    rotate?: boolean;
  },
): number[] | string {
  const outside = (o.onto === undefined ? o.healthy : [o.onto]).filter((b) => !current.includes(b));
  if (outside.length === 0) return `every healthy broker already holds a replica (${current.join(", ")})`;
  const down = current.filter((r) => !o.healthy.includes(r));
  if (down.length > 1) return `replicas on ${down.length} brokers under a fault (${down.join(", ")}): it could not complete`;
  const wanted = o.off ? current.filter((r) => o.off!.includes(r)) : current;
  const candidates = down.length ? wanted.filter((r) => down.includes(r)) : wanted;
  if (candidates.length === 0)
    return down.length
      ? `broker ${down[0]} is under a fault: only its replica may move (targets: ${o.off!.join(", ")})`
      : `no replica on broker ${o.off!.join(", ")} (replicas ${current.join(", ")})`;
  const off = pick(o.rng, candidates);
  const on = pick(o.rng, outside);
  const replaced = current.map((r) => (r === off ? on : r));
  return o.rotate === false ? replaced : [...replaced.slice(1), replaced[0]!];
}
