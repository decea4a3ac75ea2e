// What the process and pause families share: a fault on the processes of the target nodes (kill,
// stop, pause) and its undo (start, resume). Both are tracked per node in FaultState, both occupy
// the domain of their targets, and both get the failover, quorum-failover and recovery watches.

import type { ContainerState } from "../../cluster/node-handle.ts";
import { messageOf } from "../../util/errors.ts";
import { waitOldSessionsGone } from "../broker-sessions.ts";
import type { FaultableNode } from "../capabilities.ts";
import type { NemesisContext } from "../context.ts";
import type { ProcessFault } from "../fault-state.ts";
import { startNodes } from "../faults/kill.ts";
import { describeTargets, type Resolved } from "../targets.ts";
import type { FaultName, FaultResult, FaultSpec, FaultValue, TargetSpec } from "../types.ts";
import { type Domain, quorumTarget } from "./family.ts";

/** The metadata quorum's domain for quorum targets, the brokers' otherwise. */
export const targetDomains = (t: TargetSpec): Domain[] => [quorumTarget(t) ? "zookeeper" : "broker"];

export async function nodeFault(
  spec: { fault: ProcessFault; targets: TargetSpec },
  ctx: NemesisContext,
  o: {
    /** Nodes the targets may not pick. */
    busy: ReadonlySet<string>;
    conflict: (nodes: readonly string[]) => string | undefined;
    /** The undo, named by checkers/fault-names.ts UNDO_OF. */
    undo: "start" | "resume";
    act: (nodes: FaultableNode[]) => Promise<void>;
  },
): Promise<FaultResult> {
  let r: Resolved;
  try {
    r = await ctx.resolve(spec.targets, o.busy);
  } catch (err) {
    return ctx.refuse(spec.fault, { targets: [], selector: spec.targets.kind }, messageOf(err));
  }
  const value = describeTargets(spec.targets, r);
  const clash = o.conflict(r.nodes);
  if (clash) return ctx.refuse(spec.fault, value, clash);
  ctx.watch.interrupted();
  // What a bad link to these nodes does from now on is this fault's doing: its watches end.
  ctx.watch.undone({ nodes: r.nodes, linkOnly: true });
  const nodes = r.nodes.map(ctx.byName);
  return measuredAttempt(ctx, spec.fault, r.nodes, value, o.undo, async () => {
    ctx.state.setProcess(r.nodes, spec.fault); // before acting: heal-all must know even if the action fails midway
    await o.act(nodes);
  });
}

/**
 * Records and acts a fault on these nodes, undone by `undo` on the same nodes, measured: the
 * failover and quorum-failover watches compare the leaders and the quorum leader of just before.
 */
export async function measuredAttempt(
  ctx: NemesisContext,
  f: FaultName,
  nodes: readonly string[],
  value: FaultValue,
  undo: "start" | "resume" | "reset-clock" | "power-on",
  act: () => Promise<Partial<FaultValue> | void>,
): Promise<FaultResult> {
  const before = await ctx.watch.snapshot([...nodes]);
  const quorumBefore = await ctx.watch.quorumLeaderHit([...nodes]);
  const undoSpec: FaultSpec = { fault: undo, targets: { kind: "nodes", names: [...nodes] } };
  const result = await ctx.attempt(f, value, act, undoSpec);
  ctx.watch.failover(result, [...nodes], before);
  ctx.watch.quorum(result, [...nodes], quorumBefore);
  return result;
}

/** An undo's targets, resolved whatever is in force on them (an undo acts on faulted nodes), or the
 *  undo's refusal when they cannot be resolved. */
export async function undoTargets(spec: { fault: FaultName; targets: TargetSpec }, ctx: NemesisContext): Promise<Resolved | FaultResult> {
  try {
    return await ctx.resolve(spec.targets, new Set());
  } catch (err) {
    return ctx.refuse(spec.fault, { targets: [], selector: spec.targets.kind }, messageOf(err));
  }
}

/** start and power-on: starts the nodes that are down (a running or paused container needs no
 *  start), after ZooKeeper dropped their old sessions. */
export async function startDown(ctx: NemesisContext, nodes: FaultableNode[], states: ContainerState[]): Promise<Partial<FaultValue>> {
  const exited = nodes.filter((_, i) => states[i] !== "running" && states[i] !== "paused");
  const waitedForSessionMs = await waitOldSessionsGone(ctx.probe, exited, ctx.settings.sessionWaitMs);
  await startNodes(exited);
  return { waitedForSessionMs };
}

/** start / resume: only the nodes that need it act (act gets each node's container state). */
export async function restoreNodes(
  spec: { fault: "start" | "resume" | "power-on"; targets: TargetSpec },
  ctx: NemesisContext,
  act: (nodes: FaultableNode[], states: ContainerState[]) => Promise<Partial<FaultValue>>,
): Promise<FaultResult> {
  const r = await undoTargets(spec, ctx);
  if ("type" in r) return r;
  ctx.watch.undone({ nodes: r.nodes });
  const result = await ctx.attempt(spec.fault, describeTargets(spec.targets, r), async () => {
    const nodes = r.nodes.map(ctx.byName);
    const states = await Promise.all(nodes.map((n) => n.state()));
    const was = Object.fromEntries(r.nodes.map((n, i) => [n, states[i]]));
    const extra = await act(nodes, states);
    ctx.state.clearProcess(r.nodes);
    return { was, ...extra };
  });
  ctx.watch.recovery(result, r.nodes);
  return result;
}
