// Needs a real cluster: consumer groups through kafkajs (workload.kind "group"), on the shared
// cluster, short runs. First, two members of a settled group: a crashed one sends no LeaveGroup, so
// its partitions reach the survivor only once its session has timed out, where a leave hands them
// over at once. (a) Commits after processing, awaited, under member crashes and leaves and pauses of
// the group's coordinator: crashes and the survivors' new assignments are recorded, commits are
// acknowledged, and every acknowledged value below the group's highest acknowledged commit was polled
// by some member (a plain check here; the group checker judges it in full). (b) Commits before
// processing, a member crashed after its commit was acknowledged and before the delivery: the history
// holds that commit, then the crash, and no member ever polls the last record it covered (the
// at-most-once loss the group checker reports).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Op } from "../../checkers/index.ts";
import { processCounter } from "../../harness/clients/context.ts";
import type { GroupMember } from "../../harness/clients/group-member.ts";
import { kafkajsGroupClient } from "../../harness/clients/kafkajs/group.ts";
import { createTopic } from "../../harness/cluster/cluster.ts";
import { createRecorder } from "../../harness/history/recorder.ts";
import { sharedCluster, sharedFixture } from "./shared-cluster.ts";

const harness = sharedFixture({ storeRoot: "test-output/store", progress: (m) => console.error(m) });
beforeAll(harness.setup, 180_000);
afterAll(harness.teardown, 120_000);

type Records = Record<string, Array<[number, number]>>;

/** The records of an ok poll op, per key. */
const polled = (op: Op): Records => ((op.value as [string, Records][])[0]?.[1] ?? {}) as Records;
const isPoll = (op: Op) => op.f === "poll" && op.type === "ok";

/** Acknowledged records per key: offset → value, from send ops' [offset, value] records. */
function acknowledged(history: Op[]): Map<string, Map<number, number>> {
  const acked = new Map<string, Map<number, number>>();
  for (const op of history) {
    if (op.f !== "send" || op.type === "invoke" || op.type === "fail") continue;
    for (const m of op.value as Array<[string, string, unknown]>) {
      if (!Array.isArray(m[2])) continue;
      const [offset, value] = m[2] as [number, number];
      if (!acked.has(m[1])) acked.set(m[1], new Map());
      acked.get(m[1])!.set(offset, value);
    }
  }
  return acked;
}

/** For each crash and leave of a member: the time until every key it held was assigned to another member. */
function handovers(history: Op[]): Array<{ f: "crash" | "leave"; process: unknown; keys: string[]; ms: number | undefined }> {
  const owned = new Map<unknown, Set<string>>();
  const out: Array<{ f: "crash" | "leave"; process: unknown; keys: string[]; ms: number | undefined }> = [];
  for (const [i, op] of history.entries()) {
    if (op.f === "assigned") owned.set(op.process, new Set([...(owned.get(op.process) ?? []), ...(op.value as string[])]));
    if (op.f === "revoked") for (const k of op.value as string[]) owned.get(op.process)?.delete(k);
    const gone = (op.f === "crash" && op.type === "info") || (op.f === "leave" && op.type === "invoke");
    if (!gone) continue;
    const keys = [...(owned.get(op.process) ?? [])].sort();
    owned.delete(op.process);
    if (!keys.length) continue;
    const waiting = new Set(keys);
    let ms: number | undefined;
    for (const later of history.slice(i + 1)) {
      if (later.f !== "assigned" || later.process === op.process) continue;
      for (const k of later.value as string[]) waiting.delete(k);
      if (waiting.size === 0) {
        ms = Math.round((later.time - op.time) / 1e6);
        break;
      }
    }
    out.push({ f: op.f as "crash" | "leave", process: op.process, keys, ms });
  }
  return out;
}

/** Two members of a settled group on a fresh topic; one crashes or leaves: how long until the other
 *  holds every partition (from the history's times). */
async function handoverAfter(how: "crash" | "leave"): Promise<number> {
  const cluster = await sharedCluster();
  const topic = `grp${how}${Date.now().toString(36)}`;
  await createTopic(cluster.bootstrap(), topic, { partitions: 2, replicationFactor: 3 });
  const recorder = createRecorder();
  const ctx = { bootstrap: () => cluster.bootstrap(), recorder, nextProcess: processCounter() };
  const keys = [`${topic}-0`, `${topic}-1`];
  const opts = {
    topic,
    keys,
    groupId: `${topic}-group`,
    commit: "after-sync" as const,
    protocol: "classic" as const,
    sessionTimeoutMs: 6000,
    maxPollIntervalMs: 10_000,
    autoCommitIntervalMs: 1000,
  };
  const members: GroupMember[] = [];
  try {
    members.push(await kafkajsGroupClient.openMember(ctx, opts));
    members.push(await kafkajsGroupClient.openMember(ctx, opts));
    const holders = () => {
      const owned = new Map<unknown, string[]>();
      for (const op of recorder.ops) if (op.f === "assigned") owned.set(op.process, op.value as string[]);
      return owned;
    };
    // Settled: each member holds one partition.
    for (let i = 0; i < 60 && !(holders().get(0)?.length === 1 && holders().get(1)?.length === 1); i++)
      await new Promise((r) => setTimeout(r, 250));
    expect(holders().get(0)).toHaveLength(1);
    const [gone, survivor] = members as [GroupMember, GroupMember];
    const from = recorder.ops.length;
    await (how === "crash" ? gone.crash() : gone.leave());
    const event = recorder.ops.slice(from).find((op) => op.f === how)!;
    for (let i = 0; i < 80 && holders().get(survivor.process)?.length !== 2; i++) await new Promise((r) => setTimeout(r, 250));
    const handed = recorder.ops.slice(from).find((op) => op.f === "assigned" && op.process === survivor.process);
    expect(handed?.value).toEqual(keys);
    // Nothing of a crashed member after its crash (its open poll ended before it).
    if (how === "crash") expect(recorder.ops.filter((op) => op.process === gone.process && op.index > event.index)).toEqual([]);
    return Math.round((handed!.time - event.time) / 1e6);
  } finally {
    for (const m of members) await m.leave();
  }
}

describe("consumer groups through kafkajs (a real cluster)", () => {
  it("a crashed member sends no LeaveGroup: the survivor gets its partitions once its session timed out; after a leave, at once", async () => {
    const crash = await handoverAfter("crash");
    const leave = await handoverAfter("leave");
    console.error(
      `handover to the survivor (session timeout 6000 ms, heartbeat 1000 ms): after a crash ${crash} ms, after a leave ${leave} ms`,
    );
    // The coordinator expires a member a session timeout (6 s) after its last heartbeat; kafkajs
    // heartbeats after each empty fetch (500 ms wait) at most once a second, so the last one came
    // under 2 s before the crash: never sooner than 4 s, unless the member said it left.
    expect(crash).toBeGreaterThanOrEqual(4000);
  });

  it("commits after processing, under member crashes and group-coordinator pauses: no acknowledged value below a commit goes unpolled", async () => {
    const run = await harness.run({
      name: "group-kafkajs-after-sync",
      seed: 3,
      topic: { partitions: 3 },
      workload: { kind: "group", timeLimitSeconds: 20, rate: 40, producers: 2 },
      consumer: {
        count: 3,
        group: { commit: "after-sync", sessionTimeoutMs: 6000 },
        churn: { events: ["crash", "leave"], intervalSeconds: 4 },
      },
      faults: { kinds: ["pause"], targets: ["group-coordinator"], intervalSeconds: 8, minDurationSeconds: 2, maxDurationSeconds: 4 },
      finalReadTimeoutSeconds: 30,
    });
    const h = run.history;
    const crashes = h.filter((op) => op.f === "crash" && op.value === "now");
    const okCommits = h.filter((op) => op.f === "commit" && op.type === "ok");
    const pauses = h.filter(
      (op) => op.process === "nemesis" && op.f === "pause" && op.type === "ok" && (op.value as { coordinatorOf?: unknown })?.coordinatorOf,
    );
    const counts = (t: string) => h.filter((op) => op.f === "commit" && op.type === t).length;
    console.error(
      `seed ${run.spec.seed}: ${crashes.length} crashes, ${h.filter((op) => op.f === "leave" && op.type === "invoke").length} leaves, ` +
        `${h.filter((op) => op.f === "assigned").length} assignments, commits ok ${counts("ok")} fail ${counts("fail")} info ${counts("info")}, ` +
        `${pauses.length} group-coordinator pauses; verdict ${run.results.valid}`,
    );
    expect(crashes.length).toBeGreaterThan(0);
    expect(pauses.length).toBeGreaterThan(0);
    expect(okCommits.length).toBeGreaterThan(10);
    expect(run.finalReads?.complete).toBe(true);

    // The survivors were handed the crashed members' partitions. (How soon depends on the
    // rebalance under way: a member that dies after it sent its JoinGroup is assigned partitions it
    // holds, dead, until its session times out and the group rebalances again.)
    const moves = handovers(h);
    for (const m of moves)
      console.error(`  ${m.f} of process ${m.process} holding ${m.keys.join(",")}: handed over after ${m.ms ?? "-"} ms`);
    expect(moves.filter((m) => m.f === "crash" && m.ms !== undefined).length).toBeGreaterThan(0);

    // Every acknowledged value below the group's highest acknowledged commit of its key was polled.
    const highest = new Map<string, number>();
    for (const op of okCommits)
      for (const [k, next] of Object.entries(op.value as Record<string, number>)) highest.set(k, Math.max(highest.get(k) ?? 0, next));
    const seen = new Set<string>();
    for (const op of h.filter(isPoll)) for (const [k, rs] of Object.entries(polled(op))) for (const [o] of rs) seen.add(`${k}@${o}`);
    const below: string[] = [];
    const missing: string[] = [];
    for (const [k, log] of acknowledged(h)) {
      for (const offset of log.keys()) {
        if (offset >= (highest.get(k) ?? 0)) continue;
        below.push(`${k}@${offset}`);
        if (!seen.has(`${k}@${offset}`)) missing.push(`${k}@${offset}`);
      }
    }
    expect(below.length).toBeGreaterThan(50);
    expect(missing).toEqual([]);
    // The group checker says the same, judging the run as commit-after-processing: no group loss,
    // no rewind or jump, reads in order within each assignment; and the group was exercised.
    const r = run.results;
    expect(r.config.commit).toBe("after-sync");
    for (const t of ["group-loss", "group-rewind", "group-jump", "poll-skip", "nonmonotonic-poll"] as const)
      expect(r.anomalies[t], t).toBeUndefined();
    expect(r.valid).toBe(true);
    expect(r.exercised?.group).toMatchObject({ crashes: crashes.length });
    expect(r.exercised!.group!.handoffs).toBeGreaterThan(0);
    expect(r.exercised!.group!.commits.ok).toBe(okCommits.length);
  });

  it("commits before processing, a member crashed after its commit was acknowledged: it never polls what it committed", async () => {
    const run = await harness.run({
      name: "group-kafkajs-before",
      seed: 5,
      topic: { partitions: 3 },
      workload: { kind: "group", timeLimitSeconds: 15, rate: 40, producers: 2 },
      consumer: {
        count: 2,
        group: { commit: "before" },
        churn: { events: ["crash"], intervalSeconds: 5, crashWindow: "after-commit" },
      },
      finalReadTimeoutSeconds: 30,
    });
    const h = run.history;
    const crashes = h.filter((op) => op.f === "crash" && op.value === "after-commit");
    console.error(`seed ${run.spec.seed}: ${crashes.length} after-commit crashes; verdict ${run.results.valid}`);
    expect(crashes.length).toBeGreaterThan(0);
    const acked = acknowledged(h);
    for (const crash of crashes) {
      const mine = h.filter((op) => op.process === crash.process && op.index < crash.index);
      // Its last commit completed ok, and nothing of it came after but its open poll's end.
      const last = mine.filter((op) => op.f === "commit").at(-1)!;
      expect(last.type).toBe("ok");
      expect(mine.filter((op) => op.index > last.index && op.f !== "poll")).toEqual([]);
      const [[key, next]] = Object.entries(last.value as Record<string, number>) as [[string, number]];
      // The records the commit covered: it never polled the last of them (nor anything after the commit).
      expect(mine.filter((op) => op.index > last.index && isPoll(op))).toEqual([]);
      const neverPolledByIt = !mine.some((op) => isPoll(op) && (polled(op)[key] ?? []).some(([o]) => o === next - 1));
      expect(neverPolledByIt).toBe(true);
      // Nor did any member after it: the next owner starts at the commit. (The final reads do read it.)
      const workloadEnd = h.find((op) => op.process === "harness" && op.f === "workload" && op.type !== "invoke")!.index;
      const byAnyone = h.some((op) => op.index < workloadEnd && isPoll(op) && (polled(op)[key] ?? []).some(([o]) => o === next - 1));
      console.error(
        `  process ${crash.process}: commit ${key} → ${next} acknowledged (op ${last.index}), crash (op ${crash.index}); ` +
          `offset ${next - 1} (value ${acked.get(key)?.get(next - 1)}) polled by a member: ${byAnyone}`,
      );
      expect(acked.get(key)?.has(next - 1)).toBe(true);
      expect(byAnyone).toBe(false);
      // The group checker finds it: group loss at that offset, permitted (at-most-once), and said.
      const found = run.results.anomalies["group-loss"]?.examples ?? [];
      expect(
        found.some((f) => f.type === "group-loss" && f.key === key && f.offset === next - 1) ||
          run.results.anomalies["group-loss"]!.count > found.length,
      ).toBe(true);
    }
    const loss = run.results.anomalies["group-loss"]!;
    expect(loss.forbidden).toBe(false);
    expect(loss.reason).toMatch(/at-most-once/);
    expect(run.results.loss?.group).toMatchObject({ skipped: loss.count, permitted: true });
    expect(run.results.valid).toBe(true);
  });
});
