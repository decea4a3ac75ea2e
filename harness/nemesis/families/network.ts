// Network shapes: a partition cuts the cluster along a topology (grudge.ts: isolate, halves, ring,
// cut-from-brokers, cut-from-zookeeper, and KRaft's isolate-controller and cut-from-quorum) with
// iptables rules in the containers (faults/partition.ts); heal removes every rule. One partition at
// a time. KRaft's quorum shapes live here: they are network shapes over the controllers.
import fc from "fast-check";
import { UNDO_OF } from "../../../checkers/fault-names.ts";
import { BROKER_TARGETS, type FaultKind } from "../../spec/faults.ts";
import { messageOf } from "../../util/errors.ts";
import { describeGrudge } from "../describe-grudge.ts";
import type { FaultState } from "../fault-state.ts";
import { applyGrudge, healPartitions } from "../faults/partition.ts";
import { type Grudge, grudgeFor, nodesOf } from "../grudge.ts";
import { votersCutFromMajority } from "../quorum-watch.ts";
import { describeTargets, majoritySize, type Resolved } from "../targets.ts";
import type { FaultValue, ScheduledSpec, TargetSpec, Topology } from "../types.ts";
import type { FaultFamily, ScheduleGen } from "./family.ts";

export type NetworkSpec = { fault: "partition"; topology: Topology; targets?: TargetSpec } | { fault: "heal" };

/** One partition at a time; a node under a process fault is not cut (kill through a cut is process's call). */
const conflict = (state: FaultState, nodes: readonly string[]) =>
  state.partition() ? "a partition is already in force (heal it first)" : state.busy(nodes, { partitionedToo: false });

/** Each shape's arbitrary the options allow, in a fixed order (stored seeds replay through it). */
function shapes({ o, target }: ScheduleGen): Partial<Record<Topology, fc.Arbitrary<ScheduledSpec>>> {
  const anyTarget = target(BROKER_TARGETS);
  const oneNode = target(["random-broker", "leader", "controller", "active-controller", "txn-coordinator", "group-coordinator"]);
  const part = (topology: Topology, targets?: fc.Arbitrary<TargetSpec>) =>
    targets
      ? targets.map((t): ScheduledSpec => ({ fault: "partition", topology, targets: t }))
      : fc.constant<ScheduledSpec>({ fault: "partition", topology });
  const kraft = o.metadata === "kraft";
  // KRaft: the brokers to cut from the quorum are brokers (controller targets name controllers).
  const someBrokers = target(["random-broker", "leader", "minority", "majority", "all-brokers"]);
  // The controllers to cut from the other voters: the active one, or a random minority of voters.
  const controllerTargets = fc.constantFrom<TargetSpec>(
    { kind: "active-controller" },
    ...(o.targets.includes("controllers") ? [{ kind: "controller-minority" as const }] : []),
  );
  return {
    ...(anyTarget ? { isolate: part("isolate", anyTarget) } : {}),
    halves: oneNode ? fc.oneof(part("halves"), part("halves", oneNode)) : part("halves"),
    ring: part("ring"),
    ...(oneNode ? { "cut-from-brokers": part("cut-from-brokers", oneNode) } : {}),
    ...(oneNode && !kraft ? { "cut-from-zookeeper": part("cut-from-zookeeper", oneNode) } : {}),
    ...(kraft
      ? {
          "isolate-controller": part("isolate-controller", controllerTargets),
          "cut-from-quorum": someBrokers
            ? fc.oneof(part("cut-from-quorum"), part("cut-from-quorum", someBrokers))
            : part("cut-from-quorum"),
        }
      : {}),
  };
}

export const networkFamily: FaultFamily<NetworkSpec> = {
  name: "network",
  inForce: (state) => {
    const g = state.partition();
    return g ? [`partition ${describeGrudge(g)}`] : [];
  },
  kinds: ["partition", "isolate", "halves", "ring", "cut-from-brokers", "cut-from-zookeeper", "isolate-controller", "cut-from-quorum"],
  arbitraries(g) {
    const byShape = shapes(g);
    // "partition" is one kind (all shapes, as likely as kill); a shape named on its own is a kind too.
    const all = Object.values(byShape);
    const named = Object.entries(byShape)
      .filter(([topology]) => g.kinds.has(topology as FaultKind))
      .map(([, arb]) => arb);
    return [...(g.kinds.has("partition") && all.length ? [fc.oneof(...all)] : []), ...named];
  },
  faults: ["partition", "heal"],
  domains(spec) {
    if (spec.fault === "heal") return ["broker", "zookeeper"];
    // Every shape but a cut among brokers puts rules in ZooKeeper nodes, or cuts brokers from them;
    // isolate-controller touches only the controllers (dedicated ones: combined voters are brokers too).
    if (spec.topology === "cut-from-brokers") return ["broker"];
    return spec.topology === "isolate-controller" ? ["zookeeper"] : ["broker", "zookeeper"];
  },
  conflict,
  act: {
    async partition(spec, ctx) {
      const { groups } = ctx;
      let r: Resolved = { nodes: [] };
      let grudge: Grudge;
      const inForce = conflict(ctx.state, []);
      if (inForce) return ctx.refuse("partition", { targets: [], topology: spec.topology }, inForce);
      try {
        if (spec.targets) r = await ctx.resolve(spec.targets);
        grudge = grudgeFor(spec.topology, groups, r.nodes, ctx.rng);
      } catch (err) {
        return ctx.refuse(
          "partition",
          { targets: r.nodes, topology: spec.topology, ...(spec.targets ? { selector: spec.targets.kind } : {}) },
          messageOf(err),
        );
      }
      const value: FaultValue = { ...describeTargets(spec.targets, r), topology: spec.topology, grudge };
      const clash = conflict(ctx.state, nodesOf(grudge));
      if (clash) return ctx.refuse("partition", value, clash);
      ctx.watch.interrupted();
      // Brokers whose partitions should fail over: the targets, and any broker cut from a ZooKeeper majority.
      const zkMajority = majoritySize(groups.zookeepers.length);
      const hit = groups.brokers.filter(
        (b) => r.nodes.includes(b) || (grudge[b] ?? []).filter((n) => groups.zookeepers.includes(n)).length >= zkMajority,
      );
      const before = await ctx.watch.snapshot(hit);
      // KRaft: a quorum leader cut from a voter majority loses its quorum.
      const cutVoters = votersCutFromMajority(groups.voters ?? [], grudge);
      const quorumBefore = await ctx.watch.quorumLeaderHit(cutVoters);
      const result = await ctx.attempt(
        "partition",
        value,
        async () => {
          ctx.state.setPartition(grudge);
          await applyGrudge(ctx.byName, grudge, ctx.variantOf);
        },
        { fault: UNDO_OF.partition },
      );
      ctx.watch.failover(result, hit, before, true);
      ctx.watch.quorum(result, cutVoters, quorumBefore, true);
      return result;
    },
    async heal(_spec, ctx) {
      const g = ctx.state.partition();
      ctx.watch.undone({ partition: true });
      const result = await ctx.attempt("heal", { targets: g ? Object.keys(g).sort() : [] }, async () => {
        const reachable = ctx.all.filter((n) => !ctx.state.processFaultOf(n.name));
        const had = await healPartitions(reachable, ctx.variantOf);
        ctx.state.clearPartition();
        return { removedFrom: had };
      });
      ctx.watch.recovery(result, []);
      return result;
    },
  },
};
