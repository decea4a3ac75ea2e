// Disk faults on a broker's log directory.
// - corrupt-segment (no undo: it ends when the broker is back): SIGKILL the broker, then, while it
//   is down, flip one bit of (bitflip) or cut short (truncate) one file of one segment of a
//   workload partition it holds (the active segment by default; its records, offset index or time
//   index), through the node's files capability (Docker's archive API on the stopped container; an
//   ssh host's shell), and start it again. A kill, not a clean stop, so that Kafka recovers the
//   segments past its recovery point at start, where it checks each batch's CRC. Recorded: what was
//   corrupted (file, offset, bytes), what the broker logged once started (recovery, truncation,
//   corrupt records, an offline log dir), whether and when it was back in the partition's ISR, and
//   the failover watch (leaders moved, ISR shrunk).
// - disk-full (undo free-disk) and log-dir-failure (undo repair-disk): the broker's log directory,
//   on the fault-injecting filesystem (images/kafka/faultfs.py, mounted only for runs that have
//   these faults), refuses to grow (ENOSPC, statfs full) or fails every operation (EIO). The
//   state is written to the layer's control file through the files capability (so it works on a
//   stopped node too) and awaited as applied. Kafka takes an IOException on its log directory as
//   that directory's failure: offline, and a broker whose only log directory failed halts. The
//   measured effect: what the broker logged and whether it halted, within REACTION_MS, and the
//   failover watch. The undo clears the state and starts the broker again if it halted (after
//   ZooKeeper dropped its session): two names so the history says which fault ended, one action.
import fc from "fast-check";
import { waitFor } from "../../util/wait.ts";
import { waitOldSessionsGone } from "../broker-sessions.ts";
import type { FaultableNode } from "../capabilities.ts";
import type { NemesisContext } from "../context.ts";
import type { DiskFault, FaultState } from "../fault-state.ts";
import {
  batchFieldAt,
  CORRUPT_MODES,
  type Corruption,
  type CorruptParams,
  choosePartition,
  corrupt,
  DEFAULT_CORRUPT,
  logEvidence,
  SEGMENT_FILES,
  segmentOrder,
  segmentsOf,
  usedLength,
} from "../faults/corrupt.ts";
import type { Rng } from "../rng.ts";
import { describeTargets, type Resolved } from "../targets.ts";
import type { FaultResult, ScheduledSpec, TargetSpec } from "../types.ts";
import type { FaultFamily, TargetedSpec } from "./family.ts";
import { undoTargets } from "./node-faults.ts";

export type CorruptSpec = { fault: "corrupt-segment"; targets: TargetSpec } & Partial<CorruptParams>;
export type DiskSpec = CorruptSpec | TargetedSpec<DiskFault | "free-disk" | "repair-disk">;

/** The layer's word for each disk state (faultfs.py). */
const LAYER_STATE = { "disk-full": "full", "log-dir-failure": "failed" } as const;

/** How long the fault watches for the broker's reaction (Kafka notices on its next write). */
const REACTION_MS = 15_000;
/** How long the layer gets to apply a state (it looks every 100 ms). */
const APPLY_MS = 5_000;

/** A broker's lines when a log directory fails, and when it halts because none is left. */
const OFFLINE = /Stopping serving logs in dir|log dir(ectory)? .*(offline|failed)|LogDirFailure|KafkaStorageException/i;
const HALTED = /Shutdown broker because all log dirs|all log dirs .* have failed/i;

/** A node under any fault (down, paused, cut off) is left alone: the corruption needs it running first. */
const conflict = (state: FaultState, nodes: readonly string[]) => state.busy(nodes, { partitionedToo: true });

/** A broker's line once it serves (ZooKeeper mode's KafkaServer, KRaft's KafkaRaftServer). */
const STARTED = /started \(kafka\.server\.Kafka(Raft)?Server\)/;

/** How long a corrupted broker gets to be registered again and back in its partition's ISR. */
const BACK_TIMEOUT_MS = 60_000;

/** Why this node's log directory cannot be made full or failing, or undefined. */
export function layerRefusal(n: FaultableNode): string | undefined {
  if (n.role !== "broker") return `${n.name} is a ${n.role}: disk faults hit a broker's log directory`;
  if (!n.files) return `the harness cannot reach ${n.name}'s files (an attached cluster, or an ssh node of an existing install)`;
  if (!n.files.diskControl)
    return `${n.name} was started without the fault-injecting filesystem under its log directory (docker clusters get it for runs whose faults include disk-full or log-dir-failure; ssh hosts never do)`;
  return undefined;
}

/** Sets the layer's state and, on a running node, waits until the layer says it applies it. */
export async function setLayerState(n: FaultableNode, word: "ok" | "full" | "failed" | "cut"): Promise<{ applied: boolean }> {
  const files = n.files!;
  const dir = files.diskControl!;
  await files.write(`${dir}/state`, Buffer.from(`${word}\n`));
  if ((await n.state()) !== "running") return { applied: false }; // the layer reads it when the node starts
  await waitFor(`${n.name}'s disk layer to apply "${word}"`, async () => (await files.read(`${dir}/applied`)).toString().trim() === word, {
    timeoutMs: APPLY_MS,
    intervalMs: 100,
  });
  return { applied: true };
}

/** Why this node's files cannot be corrupted, or undefined. */
export function filesRefusal(n: FaultableNode): string | undefined {
  if (n.role !== "broker") return `${n.name} is a ${n.role}: corrupt-segment corrupts a broker's partition data`;
  if (!n.files) return `the harness cannot reach ${n.name}'s files (an attached cluster, or an ssh node of an existing install)`;
  return undefined;
}

/** Corrupts one file of the partition's segments on a node that is down. */
export async function corruptPartition(
  files: NonNullable<FaultableNode["files"]>,
  partition: string,
  p: CorruptParams,
  rng: Rng,
): Promise<Corruption> {
  const dir = `${files.logDir}/${partition}`;
  const names = new Set((await files.list(dir)).map((f) => f.name));
  for (const base of segmentOrder(segmentsOf([...names]), p.segment)) {
    const path = `${dir}/${base}.${p.file}`;
    if (!names.has(`${base}.${p.file}`)) continue;
    const data = await files.read(path);
    const used = usedLength(data, p.file);
    if (used === 0) continue; // an empty (just rolled) segment: the next one
    const c = corrupt(data, used, p.mode, rng);
    await files.write(path, c.data);
    return { path, ...c.what, ...(p.file === "log" ? { field: batchFieldAt(data, c.what.offset) } : {}) };
  }
  throw new Error(`no segment of ${partition} has data in its .${p.file} file`);
}

export const diskFamily: FaultFamily<DiskSpec> = {
  inForce: (state) => state.diskFaults().map(([n, f]) => `${n} ${f}`),
  name: "disk",
  kinds: ["corrupt-segment", "disk-full", "log-dir-failure"],
  arbitraries({ kinds, target }) {
    const t = target(["random-broker", "leader"]);
    if (!t) return [];
    const out: fc.Arbitrary<ScheduledSpec>[] = [];
    if (kinds.has("corrupt-segment"))
      out.push(
        fc.record({
          fault: fc.constant("corrupt-segment" as const),
          targets: t,
          file: fc.constantFrom(...SEGMENT_FILES),
          mode: fc.constantFrom(...CORRUPT_MODES),
        }),
      );
    for (const f of ["disk-full", "log-dir-failure"] as const) if (kinds.has(f)) out.push(t.map((targets) => ({ fault: f, targets })));
    return out;
  },
  faults: ["corrupt-segment", "disk-full", "log-dir-failure", "free-disk", "repair-disk"],
  domains: () => ["broker"],
  conflict,
  async heal(ctx) {
    // Asks each broker's control file (readable whether it runs or not), not the fault state.
    const healed: string[] = [];
    const problems: string[] = [];
    for (const n of ctx.cluster.brokers.filter((b) => b.files?.diskControl)) {
      try {
        const word = (await n.files!.read(`${n.files!.diskControl}/state`).catch(() => Buffer.from("ok"))).toString().trim();
        if (word === "ok" || word === "") continue;
        await setLayerState(n, "ok");
        await restartIfDown(ctx, n);
        healed.push(n.name);
      } catch (err) {
        problems.push(`${n.name}: ${(err as Error).message}`);
      }
    }
    ctx.state.clearDisk(ctx.cluster.brokers.map((b) => b.name));
    return { healed, problems };
  },
  act: {
    "disk-full": diskFault,
    "log-dir-failure": diskFault,
    "free-disk": diskUndo,
    "repair-disk": diskUndo,
    async "corrupt-segment"(spec, ctx) {
      const params: CorruptParams = { ...DEFAULT_CORRUPT, ...pickDefined(spec) };
      let r: Resolved;
      try {
        r = await ctx.resolve(spec.targets);
      } catch (err) {
        return ctx.refuse(spec.fault, { targets: [], selector: spec.targets.kind }, (err as Error).message);
      }
      const value = { ...describeTargets(spec.targets, r), ...params };
      const nodes = r.nodes.map(ctx.byName);
      const why = nodes.map(filesRefusal).find((x) => x) ?? conflict(ctx.state, r.nodes);
      if (why) return ctx.refuse(spec.fault, value, why);
      ctx.watch.interrupted();
      const before = await ctx.watch.snapshot(r.nodes);
      // The target itself may be the only broker up (the only in-sync replica): ask it too.
      const md = before ?? (await ctx.probe.metadata().catch(() => undefined));
      if (!md) return ctx.refuse(spec.fault, value, "no broker answered a metadata request: which partitions the target holds is unknown");
      const plans = nodes.map((n) => ({ n, p: choosePartition(md.partitions, n.id, ctx.rng, r.leaderOf) }));
      const none = plans.find((x) => !x.p);
      if (none) return ctx.refuse(spec.fault, value, `no workload partition with a replica on ${none.n.name} in the metadata`);
      const result = await ctx.attempt(spec.fault, value, async () => {
        const corrupted: (Corruption & { node: string; partition: string })[] = [];
        const effects: Record<string, unknown>[] = [];
        for (const { n, p } of plans) {
          const partition = `${p!.topic}-${p!.partition}`;
          const files = n.files!;
          const logFrom = (await files.log()).length;
          ctx.state.setProcess([n.name], "kill"); // heal-all starts it if this fails midway
          await n.kill();
          let waitedForSessionMs = 0;
          try {
            corrupted.push({ node: n.name, partition, ...(await corruptPartition(files, partition, params, ctx.rng)) });
          } finally {
            // ZooKeeper mode: a broker started before its old session expired dies registering.
            waitedForSessionMs = await waitOldSessionsGone(ctx.probe, [n], ctx.settings.sessionWaitMs);
            await n.start();
            ctx.state.clearProcess([n.name]);
          }
          effects.push({ node: n.name, waitedForSessionMs, ...(await measureBack(ctx, n, p!, logFrom)) });
        }
        return { corrupted, effects };
      });
      ctx.watch.failover(result, r.nodes, before);
      return result;
    },
  },
};

/** The spec's corruption parameters that it sets. */
const pickDefined = (s: Partial<CorruptParams>): Partial<CorruptParams> =>
  Object.fromEntries((["file", "mode", "segment"] as const).filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));

/**
 * The broker's reaction: how long until it was registered again and back in the partition's ISR
 * (repaired from the leader, if it had to), the partition's leader and ISR then, and what its log
 * said since the kill. A broker that is not back in time is recorded as such, not as a failure:
 * that is the effect.
 */
async function measureBack(ctx: NemesisContext, n: FaultableNode, p: { topic: string; partition: number }, logFrom: number) {
  const t0 = performance.now();
  const name = `${p.topic}-${p.partition}`;
  const since = async () => (await n.files!.log().catch(() => "")).slice(logFrom);
  const ms = () => Math.round(performance.now() - t0);
  const out: Record<string, unknown> = {};
  try {
    // Its own started line first: until then the cluster may not even have noticed it was gone.
    await waitFor(`${n.name}'s started line`, async () => STARTED.test(await since()), { timeoutMs: BACK_TIMEOUT_MS, intervalMs: 500 });
    out.startedMs = ms();
    const back = await waitFor(
      `${n.name} registered and in ${name}'s ISR`,
      async () => {
        if (!(await ctx.probe.registered()).has(n.id)) throw new Error(`broker ${n.id} not registered`);
        const md = await ctx.probe.metadata({ topics: [p.topic] });
        const q = md.partitions.find((x) => x.partition === p.partition);
        return q?.isr.includes(n.id) ? { leader: q.leader, isr: q.isr } : undefined;
      },
      { timeoutMs: BACK_TIMEOUT_MS, intervalMs: 500 },
    );
    Object.assign(out, { backInIsrMs: ms(), leader: back.leader, isr: back.isr });
  } catch (err) {
    out.notBack = (err as Error).message;
  }
  return { ...out, state: await n.state().catch(() => undefined), logged: logEvidence(await since(), name) };
}

async function diskFault(spec: TargetedSpec<DiskFault>, ctx: NemesisContext): Promise<FaultResult> {
  let r: Resolved;
  try {
    r = await ctx.resolve(spec.targets);
  } catch (err) {
    return ctx.refuse(spec.fault, { targets: [], selector: spec.targets.kind }, (err as Error).message);
  }
  const value = describeTargets(spec.targets, r);
  const nodes = r.nodes.map(ctx.byName);
  const why = nodes.map(layerRefusal).find((x) => x) ?? conflict(ctx.state, r.nodes);
  if (why) return ctx.refuse(spec.fault, value, why);
  ctx.watch.interrupted();
  const before = await ctx.watch.snapshot(r.nodes);
  const undo = { fault: spec.fault === "disk-full" ? "free-disk" : "repair-disk", targets: { kind: "nodes", names: r.nodes } } as const;
  const result = await ctx.attempt(
    spec.fault,
    value,
    async () => {
      ctx.state.setDisk(r.nodes, spec.fault); // before acting: heal-all must know even if this fails midway
      const logFrom = new Map<string, number>();
      for (const n of nodes) logFrom.set(n.name, (await n.files!.log()).length);
      for (const n of nodes) await setLayerState(n, LAYER_STATE[spec.fault]);
      return { effects: await Promise.all(nodes.map((n) => reaction(n, logFrom.get(n.name)!))) };
    },
    undo,
  );
  ctx.watch.failover(result, r.nodes, before);
  return result;
}

/**
 * The broker's reaction within REACTION_MS: when it logged its log directory offline, whether it
 * halted (its only log directory gone) and the lines that say so. Kafka notices on its next write
 * to the directory, so a broker that writes nothing in that time shows nothing yet.
 */
async function reaction(n: FaultableNode, logFrom: number) {
  const t0 = performance.now();
  const out: Record<string, unknown> = {};
  let log = "";
  const deadline = t0 + REACTION_MS;
  while (performance.now() < deadline) {
    log = (await n.files!.log().catch(() => log)).slice(logFrom);
    if (out.offlineAfterMs === undefined && OFFLINE.test(log)) out.offlineAfterMs = Math.round(performance.now() - t0);
    const state = await n.state().catch(() => undefined);
    if (state !== "running" || HALTED.test(log)) {
      out.haltedAfterMs = Math.round(performance.now() - t0);
      break;
    }
    await new Promise((res) => setTimeout(res, 250));
  }
  if (out.offlineAfterMs === undefined && out.haltedAfterMs === undefined) out.noReactionWithinMs = REACTION_MS;
  return {
    node: n.name,
    ...out,
    state: await n.state().catch(() => undefined),
    logged: log
      .split("\n")
      .filter((l) => OFFLINE.test(l) || HALTED.test(l) || /\b(ERROR|FATAL)\b/.test(l))
      .slice(0, 12)
      .map((l) => l.slice(0, 400)),
  };
}

/** Starts a broker that is down (halted on its failed log directory), once ZooKeeper let go of it. */
async function restartIfDown(ctx: NemesisContext, n: FaultableNode): Promise<boolean> {
  const state = await n.state();
  if (state === "running" || state === "paused") return false;
  await waitOldSessionsGone(ctx.probe, [n], ctx.settings.sessionWaitMs);
  await n.start();
  return true;
}

async function diskUndo(spec: TargetedSpec<"free-disk" | "repair-disk">, ctx: NemesisContext): Promise<FaultResult> {
  const r = await undoTargets(spec, ctx);
  if ("type" in r) return r;
  const nodes = r.nodes.map(ctx.byName);
  const why = nodes.map(layerRefusal).find((x) => x);
  if (why) return ctx.refuse(spec.fault, describeTargets(spec.targets, r), why);
  ctx.watch.undone({ nodes: r.nodes });
  const result = await ctx.attempt(spec.fault, describeTargets(spec.targets, r), async () => {
    const restarted: string[] = [];
    for (const n of nodes) {
      await setLayerState(n, "ok");
      if (await restartIfDown(ctx, n)) restarted.push(n.name);
    }
    ctx.state.clearDisk(r.nodes);
    return { restarted };
  });
  ctx.watch.recovery(result, r.nodes);
  return result;
}
