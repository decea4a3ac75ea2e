// Power loss on brokers: each target's log directory (on the fault-injecting filesystem,
// images/kafka/faultfs.py) is put back as it last was made durable (fsync), and the broker is
// killed at that instant. Several targets are cut together (a rack, a
// zone, a whole small cluster): every layer freezes and reverts first, then every broker dies.
// Undone by power-on (a start).
// Recorded: what each broker lost (bytes, and per partition the records cut off its segments, from
// the layer's own record), the ISR of each workload partition just before the cut, the partitions
// whose whole ISR lost power (the only ones an acknowledged write can be lost from:
// checkers/guarantees.ts), and on KRaft the eligible leader replicas (ELR) and which of them kept
// their power. Then the failover watch, as for a kill.
import { BROKER_TARGETS } from "../../spec/faults.ts";
import { messageOf } from "../../util/errors.ts";
import { waitFor } from "../../util/wait.ts";
import { keyOfPartition, parseKey } from "../broker-metadata.ts";
import type { FaultableNode } from "../capabilities.ts";
import type { NemesisContext } from "../context.ts";
import type { FaultState } from "../fault-state.ts";
import { eligibleKeptPower, type NodeCut, parseCut, wholeIsrCut } from "../faults/power.ts";
import { describeTargets, type Resolved } from "../targets.ts";
import type { FaultResult } from "../types.ts";
import { setLayerState } from "./disk.ts";
import type { FaultFamily, TargetedSpec } from "./family.ts";
import { measuredAttempt, restoreNodes, startDown } from "./node-faults.ts";

export type PowerSpec = TargetedSpec<"power-loss" | "power-on">;

/** Why this node cannot lose power here, or undefined. */
export function powerRefusal(n: FaultableNode): string | undefined {
  if (n.role !== "broker") return `${n.name} is a ${n.role}: power-loss drops what a broker's log directory had not synced`;
  if (!n.files) return `the harness cannot reach ${n.name}'s files (an attached cluster, or an ssh node of an existing install)`;
  if (!n.files.diskControl)
    return `${n.name} was started without the fault-injecting filesystem under its log directory, which is what holds its unsynced writes (docker clusters get it for runs whose faults include power-loss; ssh hosts never do)`;
  return undefined;
}

/** The workload's partition keys ("t-0") and their topics. */
function workloadPartitions(ctx: NemesisContext): { keys: string[]; topics: string[] } {
  const keys = ctx.settings.workload?.partitions ?? [];
  return { keys: [...keys], topics: [...new Set(keys.map((k) => parseKey(k).topic))] };
}

/** Each workload partition's ISR just before the cut: ZooKeeper's state where there is one (the
 *  truth), else a broker's metadata. Undefined when no one answers: then which partitions lost
 *  their whole ISR is unknown, and the record says so. */
async function isrNow(ctx: NemesisContext): Promise<Record<string, number[]> | undefined> {
  const { keys, topics } = workloadPartitions(ctx);
  const md = await ctx.probe.metadata(topics.length ? { topics } : {}).catch(() => undefined);
  if (!md) return undefined;
  const ps = md.partitions.filter((p) => keys.length === 0 || keys.includes(keyOfPartition(p)));
  const zk = await ctx.probe.partitionStates?.(ps).catch(() => undefined);
  return Object.fromEntries(ps.map((p) => [keyOfPartition(p), zk?.get(keyOfPartition(p))?.isr ?? p.isr]));
}

/** KRaft: each workload partition's eligible leader replicas just before the cut (partitions with
 *  none left out). Undefined in ZooKeeper mode, or when no broker answers: then the record has no
 *  ELR, and the checker reads the ISR alone. */
async function elrNow(ctx: NemesisContext): Promise<Record<string, number[]> | undefined> {
  const { keys, topics } = workloadPartitions(ctx);
  if (!ctx.probe.eligibleLeaders || topics.length === 0) return undefined;
  const ps = await ctx.probe.eligibleLeaders(topics).catch(() => undefined);
  if (!ps) return undefined;
  return Object.fromEntries([...ps].filter(([key, p]) => keys.includes(key) && p.elr.length > 0).map(([key, p]) => [key, p.elr]));
}

/** As a kill: a partitioned broker may lose its power too. */
const conflict = (state: FaultState, nodes: readonly string[]) => state.busy(nodes, { partitionedToo: false });

/** How long a broker gets to be gone after its layer was cut (it may halt on its own first). */
const DEATH_MS = 20_000;

/** SIGKILL; a node that halted on its own (its disk failing under it after the cut) or is still
 *  exiting when Docker gives up on it ("is zombie") is waited for until it is down. */
async function dies(n: FaultableNode): Promise<void> {
  const error = await n.kill().then(
    () => undefined,
    (err: unknown) => err,
  );
  if (error === undefined) return;
  await waitFor(`${n.name} down after its power cut (${messageOf(error)})`, async () => (await n.state()) !== "running", {
    timeoutMs: DEATH_MS,
    intervalMs: 250,
  });
}

async function powerLoss(spec: TargetedSpec<"power-loss">, ctx: NemesisContext): Promise<FaultResult> {
  let r: Resolved;
  try {
    r = await ctx.resolve(spec.targets, new Set(ctx.state.faulted()));
  } catch (err) {
    return ctx.refuse(spec.fault, { targets: [], selector: spec.targets.kind }, messageOf(err));
  }
  const value = describeTargets(spec.targets, r);
  const nodes = r.nodes.map(ctx.byName);
  const why = nodes.map(powerRefusal).find((x) => x) ?? conflict(ctx.state, r.nodes);
  if (why) return ctx.refuse(spec.fault, value, why);
  ctx.watch.interrupted();
  ctx.watch.undone({ nodes: r.nodes, linkOnly: true });
  return measuredAttempt(ctx, spec.fault, r.nodes, value, "power-on", async () => {
    const [isr, elr] = await Promise.all([isrNow(ctx), elrNow(ctx)]);
    ctx.state.setProcess(r.nodes, "power-loss"); // before acting: heal-all starts them even if this fails midway
    // Every layer reverts before any broker dies: one instant for all of them.
    await Promise.all(nodes.map((n) => setLayerState(n, "cut")));
    await Promise.all(nodes.map((n) => dies(n)));
    const lost: Record<string, NodeCut> = {};
    for (const n of nodes) {
      lost[n.name] = parseCut((await n.files!.read(`${n.files!.diskControl}/cut.json`)).toString());
      await setLayerState(n, "ok"); // stopped: applied when it starts, with nothing unsynced
    }
    const cutIds = new Set(nodes.map((n) => n.id));
    const nameOf = (id: number) => ctx.cluster.brokers.find((b) => b.id === id)?.name ?? `broker ${id}`;
    return {
      lost,
      ...(isr
        ? { isrAtCut: isr, wholeIsrCut: wholeIsrCut(isr, cutIds) }
        : { isrUnknown: "no broker answered a metadata request before the cut" }),
      ...(elr && Object.keys(elr).length ? { elrAtCut: elr, elrKeptPower: eligibleKeptPower(elr, cutIds, nameOf) } : {}),
    };
  });
}

export const powerFamily: FaultFamily<PowerSpec> = {
  name: "power",
  kinds: ["power-loss"],
  arbitraries({ kinds, target }) {
    const t = target(BROKER_TARGETS);
    return t && kinds.has("power-loss") ? [t.map((targets) => ({ fault: "power-loss" as const, targets }))] : [];
  },
  faults: ["power-loss", "power-on"],
  domains: () => ["broker"],
  conflict,
  act: {
    "power-loss": powerLoss,
    // As start (the layer already reads "ok").
    "power-on": (spec, ctx) => restoreNodes(spec, ctx, (nodes, states) => startDown(ctx, nodes, states)),
  },
};
