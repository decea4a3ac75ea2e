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
import fc from "fast-check";
import { waitFor } from "../../util/wait.ts";
import type { FaultableNode } from "../capabilities.ts";
import type { NemesisContext } from "../context.ts";
import type { FaultState } from "../fault-state.ts";
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
import type { FaultResult, TargetSpec } from "../types.ts";
import type { FaultFamily } from "./family.ts";

export type CorruptSpec = { fault: "corrupt-segment"; targets: TargetSpec } & Partial<CorruptParams>;
export type DiskSpec = CorruptSpec;

/** A node under any fault (down, paused, cut off) is left alone: the corruption needs it running first. */
const conflict = (state: FaultState, nodes: readonly string[]) => state.busy(nodes, { partitionedToo: true });

/** A broker's line once it serves (ZooKeeper mode's KafkaServer, KRaft's KafkaRaftServer). */
const STARTED = /started \(kafka\.server\.Kafka(Raft)?Server\)/;

/** How long a corrupted broker gets to be registered again and back in its partition's ISR. */
const BACK_TIMEOUT_MS = 60_000;

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
  name: "disk",
  kinds: ["corrupt-segment"],
  arbitraries({ kinds, target }) {
    const t = target(["random-broker", "leader"]);
    if (!t || !kinds.has("corrupt-segment")) return [];
    return [
      fc.record({
        fault: fc.constant("corrupt-segment" as const),
        targets: t,
        file: fc.constantFrom(...SEGMENT_FILES),
        mode: fc.constantFrom(...CORRUPT_MODES),
      }),
    ];
  },
  faults: ["corrupt-segment"],
  domains: () => ["broker"],
  conflict,
  act: {
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
      const md = before ?? (await ctx.probe.metadata({ avoid: new Set(r.nodes) }).catch(() => undefined));
      const plans = nodes.map((n) => ({ n, p: md && choosePartition(md.partitions, n.id, ctx.rng, r.leaderOf) }));
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
          try {
            corrupted.push({ node: n.name, partition, ...(await corruptPartition(files, partition, params, ctx.rng)) });
          } finally {
            await n.start();
            ctx.state.clearProcess([n.name]);
          }
          effects.push({ node: n.name, ...(await measureBack(ctx, n, p!, logFrom)) });
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
