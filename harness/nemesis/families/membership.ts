// Membership: the data movement a real cluster does while serving, through the Admin API
// (replica-admin.ts). Not crashes: every broker stays up, replicas and leaders move.
// - reassign: each partition's replicas move to another set of brokers of the same size (one replica
//   replaced by a healthy broker outside the set, the order rotated so the preferred leader changes),
//   awaited until the reassignment completes (bounded). Instantaneous (no undo, like bounce): a
//   completed reassignment leaves a valid cluster with nothing in force; moving back is just another
//   reassignment, which a schedule may make. One still moving at the bound is info; heal cancels it.
// - elect-leaders: preferred-leader election (the first replica of each assignment), instantaneous.
// - shrink-replicas: each partition's replicas cut to one (the leader, or a target broker in the
//   ISR), undone by grow-replicas: the original replica lists back, awaited until in sync (bounded).
// `of` names one partition ("t-0"); default: the workload's partitions (settings.workload), else every
// topic not starting with "__". Each op records the replica lists before and after, leaders and ISRs
// before and after, and how long it took; the failover watch then records the leader moves and ISR
// changes the way it does for kills (effective-faults reads it).
import fc from "fast-check";
import { messageOf } from "../../util/errors.ts";
import { keyOfPartition, type PartitionMetadata, parseKey } from "../broker-metadata.ts";
import type { NemesisContext } from "../context.ts";
import type { FaultState } from "../fault-state.ts";
import { describeTargets, type Resolved } from "../targets.ts";
import type { FaultResult, FaultValue, ScheduledSpec, TargetSpec } from "../types.ts";
import { type BrokerChangeSpec, brokerChangeActions, brokersInForce, healBrokers } from "./broker-changes.ts";
import type { FamilyHeal, FaultFamily } from "./family.ts";
import {
  type Assignment,
  awaitSettled,
  effect,
  healthyBrokers,
  idsToNames,
  moveAndWait,
  movedReplicas,
  notAllowed,
  orderOf,
  POLL_MS,
  partitionsNow,
  partitionsOf,
  reassignment,
  sleep,
  submit,
  targetIds,
  tp,
} from "./replica-moves.ts";

export { reassignment } from "./replica-moves.ts";

export type MembershipSpec =
  | { fault: "reassign"; of?: string; targets?: TargetSpec }
  | { fault: "elect-leaders"; of?: string }
  | { fault: "shrink-replicas"; of?: string; targets?: TargetSpec }
  /** `replicas`: key → the replica list to restore (shrink's undo); absent: back to the topic's replication factor. */
  | { fault: "grow-replicas"; of?: string; replicas?: Record<string, number[]> }
  | BrokerChangeSpec;

/** Per nemesis: the replica lists shrink-replicas cut, so heal-all restores the same brokers. */
const shrunk = new WeakMap<FaultState, Map<string, number[]>>();
const shrunkOf = (s: FaultState) => shrunk.get(s) ?? shrunk.set(s, new Map()).get(s)!;

/**
 * The moves a reassign or shrink-replicas plans, as its op's value (from, to, the brokers that lose
 * a replica as targets, the partitions skipped and why), or its refusal when no partition can move.
 */
function planned(
  f: "reassign" | "shrink-replicas",
  ctx: NemesisContext,
  base: FaultValue,
  before: readonly PartitionMetadata[],
  moves: Assignment,
  skipped: Record<string, string>,
): { value: FaultValue; removed: number[] } | FaultResult {
  const from = Object.fromEntries(before.map((p) => [keyOfPartition(p), orderOf(p)]));
  const removed = before.flatMap((p) => orderOf(p).filter((r) => moves[keyOfPartition(p)] && !moves[keyOfPartition(p)]!.includes(r)));
  const value: FaultValue = {
    ...base,
    targets: idsToNames(ctx, removed),
    from,
    to: moves,
    ...(Object.keys(skipped).length ? { skipped } : {}),
  };
  if (Object.keys(moves).length > 0) return { value, removed };
  const why = Object.entries(skipped)
    .map(([k, w]) => `${k}: ${w}`)
    .join("; ");
  return ctx.refuse(f, value, why);
}

export const membershipFamily: FaultFamily<MembershipSpec> = {
  inForce: (state) => [...[...shrunkOf(state).keys()].map((k) => `${k} shrink-replicas`), ...brokersInForce(state)],
  name: "membership",
  kinds: ["reassign", "elect-leaders", "shrink-replicas", "add-broker", "decommission-broker"],
  arbitraries({ o, kinds, target }) {
    // One workload partition, or (undefined) every one.
    const of = fc.constantFrom<string | undefined>(undefined, ...o.partitions);
    type Proper = Extract<MembershipSpec, { fault: "reassign" | "elect-leaders" | "shrink-replicas" }>;
    const withOf = (s: Proper, k: string | undefined): ScheduledSpec => (k === undefined ? s : { ...s, of: k });
    const off = target(["random-broker", "leader"]);
    const arbs: fc.Arbitrary<ScheduledSpec>[] = [];
    if (kinds.has("reassign"))
      arbs.push(
        fc
          .tuple(of, off ? fc.option(off, { nil: undefined }) : fc.constant(undefined))
          .map(([k, t]): ScheduledSpec => withOf({ fault: "reassign", ...(t ? { targets: t } : {}) }, k)),
      );
    if (kinds.has("elect-leaders")) arbs.push(of.map((k): ScheduledSpec => withOf({ fault: "elect-leaders" }, k)));
    if (kinds.has("shrink-replicas")) arbs.push(of.map((k): ScheduledSpec => withOf({ fault: "shrink-replicas" }, k)));
    // Appended after the three above, so stored seeds of those kinds replay as before.
    if (kinds.has("add-broker")) arbs.push(fc.constant<ScheduledSpec>({ fault: "add-broker" }));
    if (kinds.has("decommission-broker"))
      arbs.push(
        off
          ? off.map((t): ScheduledSpec => ({ fault: "decommission-broker", targets: t }))
          : fc.constant<ScheduledSpec>({ fault: "decommission-broker" }),
      );
    return arbs;
  },
  faults: [
    "reassign",
    "elect-leaders",
    "shrink-replicas",
    "grow-replicas",
    "add-broker",
    "remove-broker",
    "decommission-broker",
    "recommission-broker",
  ],
  domains: () => ["replicas"],
  heal,
  act: {
    ...brokerChangeActions,
    async reassign(spec, ctx) {
      const base: FaultValue = { targets: [], ...(spec.of ? { of: spec.of } : {}) };
      const why = notAllowed(ctx);
      if (why) return ctx.refuse("reassign", base, why);
      let before: PartitionMetadata[];
      let off: { ids?: number[]; r: Resolved };
      try {
        off = await targetIds(ctx, spec.targets);
        before = await partitionsOf(ctx, spec.of);
      } catch (err) {
        return ctx.refuse("reassign", base, messageOf(err));
      }
      const healthy = await healthyBrokers(ctx);
      const moves: Assignment = {};
      const skipped: Record<string, string> = {};
      for (const p of before) {
        const next = reassignment(orderOf(p), { healthy, rng: ctx.rng, ...(off.ids ? { off: off.ids } : {}) });
        if (typeof next === "string") skipped[keyOfPartition(p)] = next;
        else moves[keyOfPartition(p)] = next;
      }
      const plan = planned("reassign", ctx, { ...base, ...describeTargets(spec.targets, off.r) }, before, moves, skipped);
      if ("type" in plan) return plan;
      return movingFault("reassign", ctx, plan.value, before, moves, plan.removed);
    },
    async "elect-leaders"(spec, ctx) {
      const base: FaultValue = { targets: [], ...(spec.of ? { of: spec.of } : {}) };
      let before: PartitionMetadata[];
      try {
        before = await partitionsOf(ctx, spec.of);
      } catch (err) {
        return ctx.refuse("elect-leaders", base, messageOf(err));
      }
      const preferred = Object.fromEntries(before.map((p) => [keyOfPartition(p), orderOf(p)[0]!]));
      const moving = before.filter((p) => p.leader !== preferred[keyOfPartition(p)]);
      const hit = idsToNames(
        ctx,
        moving.map((p) => p.leader).filter((l) => l >= 0),
      );
      ctx.watch.interrupted();
      const snap = await ctx.watch.snapshot(hit);
      const result = await ctx.attempt("elect-leaders", { ...base, targets: hit, preferred }, async () => {
        const t0 = performance.now();
        const outcomes = await ctx.replicas.electPreferred(before.map(keyOfPartition).map(tp), ctx.state.faulted());
        const elected = outcomes.filter((x) => x.errorCode === 0).map(keyOfPartition);
        const notNeeded = outcomes.filter((x) => x.errorCode === 84).map(keyOfPartition);
        const failed = Object.fromEntries(
          outcomes
            .filter((x) => x.errorCode !== 0 && x.errorCode !== 84)
            .map((x) => [keyOfPartition(x), `error ${x.errorCode}${x.message ? `: ${x.message}` : ""}`]),
        );
        // The election is done when the controller answers; metadata follows within moments.
        const keys = before.map(keyOfPartition);
        const led = (ps: PartitionMetadata[]) => elected.every((k) => ps.find((p) => keyOfPartition(p) === k)?.leader === preferred[k]);
        let after = await partitionsNow(ctx, keys, led);
        for (let waited = 0; waited < 5000 && !led(after); waited += POLL_MS) {
          await sleep(POLL_MS);
          after = await partitionsNow(ctx, keys, led);
        }
        return {
          tookMs: Math.round(performance.now() - t0),
          elected,
          notNeeded,
          ...(Object.keys(failed).length ? { failed } : {}),
          ...effect(before, after),
        };
      });
      const movedKeys = new Set(moving.map(keyOfPartition));
      ctx.watch.failover(result, hit, snap && { ...snap, partitions: snap.partitions.filter((p) => movedKeys.has(keyOfPartition(p))) });
      return result;
    },
    async "shrink-replicas"(spec, ctx) {
      const base: FaultValue = { targets: [], ...(spec.of ? { of: spec.of } : {}) };
      const why = notAllowed(ctx);
      if (why) return ctx.refuse("shrink-replicas", base, why);
      let before: PartitionMetadata[];
      let keep: { ids?: number[]; r: Resolved };
      try {
        keep = await targetIds(ctx, spec.targets);
        before = await partitionsOf(ctx, spec.of);
      } catch (err) {
        return ctx.refuse("shrink-replicas", base, messageOf(err));
      }
      const moves: Assignment = {};
      const skipped: Record<string, string> = {};
      for (const p of before) {
        const k = keyOfPartition(p);
        const cur = orderOf(p);
        const kept = keep.ids ? keep.ids.find((id) => p.isr.includes(id)) : p.leader >= 0 ? p.leader : undefined;
        if (cur.length <= 1) skipped[k] = `replication factor ${cur.length} already`;
        else if (kept === undefined) skipped[k] = keep.ids ? `no target broker in its ISR (${p.isr.join(", ")})` : "no leader";
        else moves[k] = [kept];
      }
      const plan = planned("shrink-replicas", ctx, { ...base, ...describeTargets(spec.targets, keep.r) }, before, moves, skipped);
      if ("type" in plan) return plan;
      const { value, removed } = plan;
      const from = value.from as Assignment;
      const restore = Object.fromEntries(Object.keys(moves).map((k) => [k, from[k]!]));
      // Remembered before acting: heal-all restores the same brokers even if the move fails midway.
      for (const [k, r] of Object.entries(restore)) if (!shrunkOf(ctx.state).has(k)) shrunkOf(ctx.state).set(k, r);
      return movingFault("shrink-replicas", ctx, value, before, moves, removed, { fault: "grow-replicas", replicas: restore });
    },
    async "grow-replicas"(spec, ctx) {
      const base: FaultValue = { targets: [], ...(spec.of ? { of: spec.of } : {}) };
      const why = notAllowed(ctx);
      if (why) return ctx.refuse("grow-replicas", base, why);
      let plan: { before: PartitionMetadata[]; moves: Assignment };
      try {
        plan = spec.replicas ? await restorePlan(ctx, spec.replicas) : await growPlan(ctx, spec.of);
      } catch (err) {
        return ctx.refuse("grow-replicas", base, messageOf(err));
      }
      const { before, moves } = plan;
      const added = before.flatMap((p) => (moves[keyOfPartition(p)] ?? []).filter((r) => !orderOf(p).includes(r)));
      ctx.watch.undone({ nodes: idsToNames(ctx, added) });
      const value: FaultValue = {
        ...base,
        targets: idsToNames(ctx, added),
        from: Object.fromEntries(before.map((p) => [keyOfPartition(p), orderOf(p)])),
        to: moves,
      };
      // A broker under a fault (the one replica killed after the shrink) cannot catch up: the lists
      // are restored but not awaited, which would hold the nemesis (and that broker's start) up.
      const faulted = ctx.state.faulted();
      const down = idsToNames(ctx, Object.values(moves).flat()).filter((n) => faulted.has(n));
      const result = await ctx.attempt("grow-replicas", value, async () => {
        for (const k of Object.keys(moves)) shrunkOf(ctx.state).delete(k);
        if (Object.keys(moves).length === 0) return { inSyncAfterMs: 0 };
        if (down.length) {
          await submit(ctx, ctx.replicas, moves);
          return { inSyncAfterMs: null, notAwaited: `${down.join(", ")} under a fault` };
        }
        const r = await moveAndWait(ctx, ctx.replicas, moves, { inSync: true });
        return { completedAfterMs: r.completedAfterMs, inSyncAfterMs: r.inSyncAfterMs, ...effect(before, r.after) };
      });
      ctx.watch.recovery(result, []);
      return result;
    },
  },
};

/** reassign and shrink-replicas: act, record the effect, and start the failover watch on the brokers that lost a replica. */
async function movingFault(
  f: "reassign" | "shrink-replicas",
  ctx: NemesisContext,
  value: FaultValue,
  before: PartitionMetadata[],
  moves: Assignment,
  removedIds: number[],
  undo?: MembershipSpec,
): Promise<FaultResult> {
  const hit = idsToNames(ctx, removedIds);
  ctx.watch.interrupted();
  const snap = await ctx.watch.snapshot(hit);
  const result = await ctx.attempt(
    f,
    value,
    async () => {
      const r = await moveAndWait(ctx, ctx.replicas, moves, {});
      return { completedAfterMs: r.completedAfterMs, ...effect(before, r.after) };
    },
    undo,
  );
  const moved = new Set(Object.keys(moves));
  ctx.watch.failover(result, hit, snap && { ...snap, partitions: snap.partitions.filter((p) => moved.has(keyOfPartition(p))) });
  return result;
}

/** shrink's undo: the remembered lists, for the partitions that have fewer replicas now. */
async function restorePlan(ctx: NemesisContext, replicas: Record<string, number[]>) {
  const keys = Object.keys(replicas);
  const before = await partitionsNow(ctx, keys);
  const moves: Assignment = {};
  for (const p of before) {
    const k = keyOfPartition(p);
    if (orderOf(p).join() !== replicas[k]!.join()) moves[k] = replicas[k]!;
  }
  return { before, moves };
}

/**
 * Back to the topic's replication factor, asked of the cluster: the factor the run created the topic
 * with (settings.workload), else the widest replica list among the topic's partitions now. A
 * partition short of it gets the brokers shrink-replicas took (remembered), else the healthy brokers
 * it lacks, in id order.
 */
async function growPlan(ctx: NemesisContext, of: string | undefined) {
  const before = await partitionsOf(ctx, of);
  const widest = new Map<string, number>();
  for (const p of before) widest.set(p.topic, Math.max(widest.get(p.topic) ?? 0, p.replicas.length));
  const healthy = await healthyBrokers(ctx);
  const moves: Assignment = {};
  for (const p of before) {
    const k = keyOfPartition(p);
    const cur = orderOf(p);
    const remembered = shrunkOf(ctx.state).get(k);
    const rf = Math.max(ctx.settings.workload?.replicationFactor ?? 0, widest.get(p.topic)!, remembered?.length ?? 0);
    if (cur.length >= rf) continue;
    if (remembered && cur.every((r) => remembered.includes(r))) moves[k] = remembered;
    else moves[k] = [...cur, ...healthy.filter((b) => !cur.includes(b))].slice(0, rf);
  }
  return { before, moves };
}

/**
 * Heal-all's part, once the nemesis has moved replicas: cancels the reassignments in progress on the
 * partitions the family acts on, then grows every one short of its topic's replication factor back
 * (growPlan, which reads the replica lists from the cluster), awaited until in sync.
 */
async function heal(ctx: NemesisContext): Promise<FamilyHeal> {
  const out: FamilyHeal = { healed: [], problems: [] };
  if (notAllowed(ctx)) return out;
  if (!movedReplicas.has(ctx.state)) return healBrokers(ctx);
  const keys = ctx.settings.workload?.partitions;
  const ongoing = (await ctx.replicas.ongoing(keys?.map(tp), ctx.state.faulted())).filter((o) => !o.topic.startsWith("__"));
  // A move that takes replicas away (a reassign or shrink left going) is cancelled; one that only
  // adds replicas (a grow) is what heal would ask for: cancelling it would take the partition back
  // to fewer replicas, perhaps without its current leader (after an unclean election onto an added
  // one), so it is left to finish and awaited below.
  const away = ongoing.filter((o) => o.removing.length > 0);
  if (away.length) {
    const outcomes = await ctx.replicas.reassign(
      away.map((o) => ({ topic: o.topic, partition: o.partition, replicas: null })),
      ctx.state.faulted(),
    );
    // NO_REASSIGNMENT_IN_PROGRESS: it completed meanwhile.
    for (const x of outcomes.filter((x) => x.errorCode !== 0 && x.errorCode !== 85))
      out.problems.push(`cancelling the reassignment of ${keyOfPartition(x)}: error ${x.errorCode}`);
    out.healed.push(
      ...idsToNames(
        ctx,
        away.flatMap((o) => o.adding),
      ),
    );
  }
  // Added brokers go before the grow, which would otherwise give them replicas back.
  const brokers = await healBrokers(ctx);
  out.healed.push(...brokers.healed);
  out.problems.push(...brokers.problems);
  const { before, moves } = await growPlan(ctx, undefined);
  try {
    if (Object.keys(moves).length) await submit(ctx, ctx.replicas, moves);
    const waitFor = [...new Set([...Object.keys(moves), ...ongoing.filter((o) => o.removing.length === 0).map(keyOfPartition)])];
    if (waitFor.length) await awaitSettled(ctx, waitFor);
  } catch (err) {
    out.problems.push(`growing ${Object.keys(moves).join(", ") || "the partitions"} back: ${messageOf(err)}`);
  }
  out.healed.push(
    ...idsToNames(
      ctx,
      before.flatMap((p) => (moves[keyOfPartition(p)] ?? []).filter((r) => !orderOf(p).includes(r))),
    ),
  );
  shrunkOf(ctx.state).clear();
  out.healed = [...new Set(out.healed)].sort();
  return out;
}
