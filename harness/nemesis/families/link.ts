// Link quality: a node's network degrades without breaking (faults/link.ts does the commands).
// - packet-loss: each packet to/from the selected peers is dropped with a probability (iptables'
//   statistic match, in chains of its own: partitions and link faults never undo each other).
// - slow-link: the node's outgoing traffic to the selected peers is limited to a rate (tc tbf /
//   htb); optionally delayed too, with netem, only where the kernel has it (refused elsewhere).
// Both are undone by restore-link, which first reads what the fault did (packets seen and dropped
// by the rules, bytes sent and overlimits of the shaping) into its value. One link fault per node
// at a time; a node down or paused is not hit (its namespace cannot be reached). A link fault may
// be in force with a partition (different chain) and with process faults started after it (a
// restarted container comes back in a fresh namespace without the rules: restore-link says so).
import fc from "fast-check";
import { UNDO_OF } from "../../../checkers/fault-names.ts";
import { BROKER_TARGETS, LINK_BETWEEN, type LinkBetween, LinkParamsSchema } from "../../spec/faults.ts";
import { messageOf } from "../../util/errors.ts";
import type { Partitionable } from "../capabilities.ts";
import type { NemesisContext } from "../context.ts";
import type { FaultState, LinkFault } from "../fault-state.ts";
import type { Before } from "../fault-watches.ts";
import { type LinkUndone, lossScript, NETEM_PROBE, type PeerMatch, run, shapeScript, TOOLS_PROBE, undoLink } from "../faults/link.ts";
import type { IptablesVariant } from "../iptables.ts";
import { describeTargets, type Resolved } from "../targets.ts";
import type { FaultResult, FaultSpec, FaultValue, TargetSpec } from "../types.ts";
import type { FaultFamily } from "./family.ts";
import { undoTargets } from "./node-faults.ts";

export type LinkSpec =
  | { fault: "packet-loss"; targets: TargetSpec; probability: number; between: LinkBetween }
  | { fault: "slow-link"; targets: TargetSpec; rateKbit: number; between: LinkBetween; delayMs?: number }
  | { fault: "restore-link"; targets: TargetSpec };
type LinkFaultSpec = Extract<LinkSpec, { fault: LinkFault }>;

/** A node under a process fault cannot be reached; one already under a link fault gets no second. */
const conflict = (state: FaultState, nodes: readonly string[]) => {
  const down = state.busy(nodes, { partitionedToo: false });
  const linked = nodes.filter((n) => state.linkFaultOf(n)).map((n) => `${n} is under ${state.linkFaultOf(n)} (restore-link first)`);
  return [down, ...linked].filter(Boolean).join("; ") || undefined;
};

/** Each node's capabilities, asked once (the image does not change under a container). */
const capabilities = new WeakMap<Partitionable, Promise<{ missing: string[]; netem: boolean }>>();
function capabilitiesOf(node: Partitionable) {
  let c = capabilities.get(node);
  if (!c) {
    c = (async () => {
      const missing = (await run(node, TOOLS_PROBE, "probing tc")).split(/\s+/).filter(Boolean);
      const netem = missing.length === 0 && (await node.exec(["bash", "-c", NETEM_PROBE])).exitCode === 0;
      return { missing, netem };
    })();
    c.catch(() => capabilities.delete(node));
    capabilities.set(node, c);
  }
  return c;
}

/** Why this node cannot take the fault, or undefined. */
async function incapable(spec: LinkFaultSpec, node: Partitionable, variantOf: NemesisContext["variantOf"]): Promise<string | undefined> {
  try {
    if (spec.fault === "packet-loss") {
      await variantOf(node);
      return undefined;
    }
    const c = await capabilitiesOf(node);
    if (c.missing.length) return `${node.name} has no ${c.missing.join(", ")} (iproute2): no bandwidth limit there`;
    if (spec.delayMs && !c.netem) return `${node.name}'s kernel has no netem qdisc: a delay cannot be added there (drop delayMs)`;
    return undefined;
  } catch (err) {
    return messageOf(err);
  }
}

/** The address of every node, up or down (a down node's last one); those unknown are left out. */
async function addresses(ctx: NemesisContext): Promise<Map<string, string>> {
  const pairs = await Promise.all(ctx.all.map(async (n) => [n.name, await n.address().catch(() => n.lastAddress?.())] as const));
  return new Map(pairs.filter((p): p is readonly [string, string] => p[1] !== undefined));
}

/** Which packets of this node the fault touches. */
export function peerMatch(
  node: string,
  between: LinkBetween,
  ctx: Pick<NemesisContext, "groups">,
  address: Map<string, string>,
): PeerMatch {
  const { brokers, zookeepers, voters = [] } = ctx.groups;
  const others = (names: readonly string[]) =>
    [...new Set(names)].filter((n) => n !== node).flatMap((n) => (address.has(n) ? [address.get(n)!] : []));
  if (between === "all") return "all";
  if (between === "clients") return { except: [...new Set(address.values())] };
  return { peers: others(between === "brokers" ? brokers : [...zookeepers, ...voters]) };
}

/**
 * The measurements a link fault gets. A lossy or slow link between brokers moves no leader: what
 * it does is keep followers from fetching, so each follower whose link to its leader the fault
 * degrades (the follower or the leader is a target) gets a failover watch of its own for that one
 * partition, which settles when the follower drops out of the ISR (the ISR churn a control must
 * see). A link to the metadata quorum (or all traffic) may cost a leader its session: the targets
 * get the usual failover watch. Each ends when the link is restored or when the follower or its
 * leader goes down (a kill's ISR shrink is the kill's).
 */
function watchLink(ctx: NemesisContext, result: FaultResult, between: LinkBetween, targets: readonly string[], before: Before): void {
  if (!before) return;
  if (between === "brokers" || between === "all") {
    // The ISR as ZooKeeper has it (inSyncNow): a follower a broker's stale metadata still lists
    // in the ISR, but still catching up after an earlier fault, would read as dropped at once.
    const ids = new Set(ctx.cluster.brokers.filter((b) => targets.includes(b.name)).map((b) => b.id));
    for (const p of before.partitions) {
      for (const f of p.isr) {
        const follower = ctx.cluster.brokers.find((b) => b.id === f)?.name;
        const leader = ctx.cluster.brokers.find((b) => b.id === p.leader)?.name;
        if (f === p.leader || !follower || !(ids.has(f) || ids.has(p.leader))) continue;
        ctx.watch.failover(result, [follower], { ...before, partitions: [p] }, false, { peers: leader ? [leader] : [] });
      }
    }
  }
  if (between === "quorum" || between === "all") ctx.watch.failover(result, targets, before, false, { peers: [] });
}

/** The snapshot with each partition's leader and ISR as ZooKeeper holds them where it can say (a
 *  broker's metadata lags the controller's changes; KRaft has only that). */
async function inSyncNow(ctx: NemesisContext, before: Before): Promise<Before> {
  if (!before || !ctx.probe.partitionStates) return before;
  const states = await ctx.probe.partitionStates(before.partitions).catch(() => undefined);
  if (!states) return before;
  return {
    ...before,
    partitions: before.partitions.map((p) => {
      const s = states.get(`${p.topic}-${p.partition}`);
      return s ? { ...p, leader: s.leader, isr: s.isr } : p;
    }),
  };
}

const params = (spec: LinkFaultSpec): Partial<FaultValue> =>
  spec.fault === "packet-loss"
    ? { probability: spec.probability, between: spec.between }
    : { rateKbit: spec.rateKbit, between: spec.between, ...(spec.delayMs ? { delayMs: spec.delayMs } : {}) };

/** Parameters out of range (a spec's schedule is checked when parsed; a caller's fault is checked here). */
function badParams(spec: LinkFaultSpec): string | undefined {
  const s = LinkParamsSchema;
  const checks =
    spec.fault === "packet-loss"
      ? { probability: s.probability.safeParse(spec.probability), between: s.between.safeParse(spec.between) }
      : {
          rateKbit: s.rateKbit.safeParse(spec.rateKbit),
          between: s.between.safeParse(spec.between),
          ...(spec.delayMs === undefined ? {} : { delayMs: s.delayMs.safeParse(spec.delayMs) }),
        };
  const bad = Object.entries(checks).flatMap(([k, r]) => (r.success ? [] : [`${k} ${r.error.issues[0]?.message}`]));
  return bad.length ? bad.join("; ") : undefined;
}

async function linkFault(spec: LinkFaultSpec, ctx: NemesisContext): Promise<FaultResult> {
  const bad = badParams(spec);
  if (bad) return ctx.refuse(spec.fault, { targets: [], selector: spec.targets.kind, ...params(spec) }, bad);
  if (ctx.cluster.networkFaults === false)
    return ctx.refuse(
      spec.fault,
      { targets: [], selector: spec.targets.kind, ...params(spec) },
      "the harness cannot reach this cluster's network (attached cluster): no link faults",
    );
  let r: Resolved;
  try {
    // Random targets skip nodes that are down, paused or already on a bad link.
    r = await ctx.resolve(
      spec.targets,
      new Set([...ctx.state.faulted()].filter((n) => ctx.state.processFaultOf(n)).concat(ctx.state.linked())),
    );
  } catch (err) {
    return ctx.refuse(spec.fault, { targets: [], selector: spec.targets.kind, ...params(spec) }, messageOf(err));
  }
  const value: FaultValue = { ...describeTargets(spec.targets, r), ...params(spec) };
  const clash = conflict(ctx.state, r.nodes);
  if (clash) return ctx.refuse(spec.fault, value, clash);
  const nodes = r.nodes.map(ctx.byName);
  const why = (await Promise.all(nodes.map((n) => incapable(spec, n, ctx.variantOf)))).filter(Boolean);
  if (why.length) return ctx.refuse(spec.fault, value, why.join("; "));
  const address = await addresses(ctx);
  ctx.watch.interrupted();
  // A target still answers metadata (slowly, when its clients' packets are lost): no need to avoid it.
  const before = await inSyncNow(ctx, await ctx.watch.snapshot([]));
  const quorumBefore = await ctx.watch.quorumLeaderHit(r.nodes);
  const undo: FaultSpec = { fault: UNDO_OF[spec.fault], targets: { kind: "nodes", names: r.nodes } };
  const result = await ctx.attempt(
    spec.fault,
    value,
    async () => {
      ctx.state.setLink(r.nodes, spec.fault); // before acting: heal-all must know even if the action fails midway
      await Promise.all(
        nodes.map(async (n) => {
          const m = peerMatch(n.name, spec.between, ctx, address);
          if (spec.fault === "packet-loss") await run(n, lossScript(await ctx.variantOf(n), m, spec.probability), "adding packet loss");
          else await run(n, shapeScript(m, spec.rateKbit, spec.delayMs), "limiting bandwidth");
        }),
      );
    },
    undo,
  );
  watchLink(ctx, result, spec.between, r.nodes, before);
  ctx.watch.quorum(result, r.nodes, quorumBefore);
  return result;
}

/** Reads what each node's link fault did and removes it; nodes that cannot be reached are problems. */
async function undoAll(nodes: readonly Partitionable[], ctx: NemesisContext) {
  const undone: Record<string, LinkUndone> = {};
  const problems: string[] = [];
  await Promise.all(
    nodes.map(async (n) => {
      try {
        const v = await ctx.variantOf(n).catch((): IptablesVariant | undefined => undefined);
        undone[n.name] = await undoLink(n, v);
      } catch (err) {
        problems.push(messageOf(err));
      }
    }),
  );
  return { undone, problems };
}

/** What restore-link records: per node, packets seen / dropped, bytes sent and overlimits. */
function measured(undone: Record<string, LinkUndone>): Partial<FaultValue> {
  const pick = <T>(f: (u: LinkUndone) => T | undefined) =>
    Object.fromEntries(Object.entries(undone).flatMap(([n, u]) => (f(u) === undefined ? [] : [[n, f(u)]])));
  const seen = pick((u) => u.loss?.seen);
  const dropped = pick((u) => u.loss?.dropped);
  const shaped = pick((u) => u.shaped);
  const nothing = Object.keys(undone).filter((n) => !undone[n]!.had);
  return {
    ...(Object.keys(dropped).length ? { seen, dropped } : {}),
    ...(Object.keys(shaped).length ? { shaped } : {}),
    // A node restarted meanwhile came back in a fresh namespace: nothing of the fault was left.
    ...(nothing.length ? { nothingFound: nothing.sort() } : {}),
  };
}

export const linkFamily: FaultFamily<LinkSpec> = {
  inForce: (state) => state.linked().map((n) => `${n} ${state.linkFaultOf(n)}`),
  name: "link",
  kinds: ["packet-loss", "slow-link"],
  arbitraries({ kinds, target }) {
    const anyTarget = target(BROKER_TARGETS);
    if (!anyTarget) return [];
    const between = fc.constantFrom(...LINK_BETWEEN);
    return [
      ...(kinds.has("packet-loss")
        ? [
            fc
              .record({ targets: anyTarget, probability: fc.integer({ min: 10, max: 50 }).map((p) => p / 100), between })
              .map((s) => ({ fault: "packet-loss" as const, ...s })),
          ]
        : []),
      ...(kinds.has("slow-link")
        ? [
            fc
              .record({ targets: anyTarget, rateKbit: fc.constantFrom(64, 128, 256, 512, 1024), between })
              .map((s) => ({ fault: "slow-link" as const, ...s })),
          ]
        : []),
    ];
  },
  faults: ["packet-loss", "slow-link", "restore-link"],
  // A domain of its own: a link fault may overlap process faults and partitions (each node's
  // conflicts are checked when it happens), but never another link fault.
  domains: () => ["link"],
  conflict,
  async heal(ctx) {
    if (ctx.cluster.networkFaults === false) return { healed: [], problems: [] };
    // Ask every running node, not only those the state names: an action may have failed midway.
    const states = await Promise.all(ctx.all.map((n) => n.state().catch(() => undefined)));
    const running = ctx.all.filter((_, i) => states[i] === "running");
    const { undone, problems } = await undoAll(running, ctx);
    ctx.state.clearLink(running.map((n) => n.name));
    return {
      healed: Object.keys(undone)
        .filter((n) => undone[n]!.had)
        .sort(),
      problems,
    };
  },
  act: {
    "packet-loss": linkFault,
    "slow-link": linkFault,
    async "restore-link"(spec, ctx) {
      const r = await undoTargets(spec, ctx);
      if ("type" in r) return r;
      ctx.watch.undone({ nodes: r.nodes, linkOnly: true });
      const result = await ctx.attempt("restore-link", describeTargets(spec.targets, r), async () => {
        const nodes = r.nodes.map(ctx.byName);
        const states = await Promise.all(nodes.map((n) => n.state()));
        // A paused node cannot be reached: its link stays bad (heal-all resumes it, then restores).
        const paused = r.nodes.filter((_, i) => states[i] === "paused");
        // A node down comes back in a fresh namespace without the rules.
        const reachable = nodes.filter((_, i) => states[i] === "running");
        const { undone, problems } = await undoAll(reachable, ctx);
        ctx.state.clearLink(r.nodes.filter((n) => !paused.includes(n) && (undone[n] || !reachable.some((x) => x.name === n))));
        if (paused.length) problems.push(`${paused.join(", ")} paused: link not restored`);
        if (problems.length) throw new Error(problems.join("; "));
        const down = r.nodes.filter((_, i) => states[i] !== "running" && states[i] !== "paused");
        return { ...measured(undone), ...(down.length ? { down } : {}) };
      });
      ctx.watch.recovery(result, r.nodes);
      return result;
    },
  },
};
