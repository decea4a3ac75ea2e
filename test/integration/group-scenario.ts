// A group's crash and leave, through any GroupClient, on a running cluster (the platformatic file
// on the shared cluster, the librdkafka spec in the confluent project): three members of one group
// on a 3-partition topic while a producer writes, one crashed (its process killed: no LeaveGroup),
// one leaving cleanly, the last leaving at the end. Everything asserted is read from the history.
import type { Op } from "../../checkers/history.ts";
import { processCounter } from "../../harness/clients/context.ts";
import type { CommitStrategy, GroupClient, GroupMember, GroupProtocol } from "../../harness/clients/group-member.ts";
import { produceValues } from "../../harness/clients/kafkajs/round-trip.ts";
import { createTopic } from "../../harness/cluster/cluster.ts";
import { createRecorder } from "../../harness/history/recorder.ts";

/** A Kafka 4.x KRaft cluster whose KIP-848 groups time out as fast as the classic ones here: the
 *  broker owns a consumer-protocol member's session (group.consumer.session.timeout.ms, at least
 *  45 s by default), not the client. */
export const KIP848_CLUSTER = {
  metadata: "kraft" as const,
  brokerConfig: {
    "group.consumer.min.session.timeout.ms": 6000,
    "group.consumer.session.timeout.ms": 6000,
    "group.consumer.min.heartbeat.interval.ms": 1000,
    "group.consumer.heartbeat.interval.ms": 2000,
  },
};

export interface GroupScenarioResult {
  history: readonly Op[];
  sessionTimeoutMs: number;
  crashed: GroupMember;
  leaver: GroupMember;
  last: GroupMember;
  /** From the crash op to the first assignment to another member of a key the crashed one held (ms). */
  crashToReassignMs: number;
  /** From the leave's invocation to the first assignment to another member of a key the leaver held (ms). */
  leaveToReassignMs: number;
}

/** Each process's keys after these ops (assigned adds, revoked removes). Pure. */
export function ownership(history: readonly Op[]): Map<number, Set<string>> {
  const owned = new Map<number, Set<string>>();
  for (const op of history) {
    if (typeof op.process !== "number" || op.type !== "ok") continue;
    if (op.f !== "assigned" && op.f !== "revoked") continue;
    const set = owned.get(op.process) ?? new Set<string>();
    owned.set(op.process, set);
    for (const k of op.value as string[]) op.f === "assigned" ? set.add(k) : set.delete(k);
  }
  return owned;
}

async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The first ok `assigned` op after `from` (an op index) to another process than `of`, holding one of `keys`. */
function firstReassignment(history: readonly Op[], from: number, of: number, keys: Set<string>): Op | undefined {
  return history.find(
    (op) => op.index! > from && op.f === "assigned" && op.process !== of && (op.value as string[]).some((k) => keys.has(k)),
  );
}

export async function groupScenario(
  client: GroupClient,
  bootstrap: string[],
  o: { label: string; protocol: GroupProtocol; commit: CommitStrategy; sessionTimeoutMs: number; log: (m: string) => void },
): Promise<GroupScenarioResult> {
  const topic = `grp-${o.label}-${Date.now()}`;
  await createTopic(bootstrap, topic, { partitions: 3, replicationFactor: 3, config: { "min.insync.replicas": "2" } });
  // Kept for a look afterwards (test-output is the tests' scratch folder).
  const recorder = createRecorder({ path: `test-output/groups/${o.label}.jsonl` });
  const ctx = { bootstrap: () => bootstrap, recorder, nextProcess: processCounter() };
  const opts = {
    topic,
    keys: [0, 1, 2].map((p) => `${topic}-${p}`),
    groupId: `${topic}-group`,
    commit: o.commit,
    protocol: o.protocol,
    sessionTimeoutMs: o.sessionTimeoutMs,
    maxPollIntervalMs: 2 * o.sessionTimeoutMs,
    autoCommitIntervalMs: 1000,
  };
  let writing = true;
  let next = 0;
  const producer = (async () => {
    while (writing) {
      const values = Array.from({ length: 30 }, () => next++);
      await produceValues(bootstrap, topic, values).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  const members: GroupMember[] = [];
  try {
    for (let i = 0; i < 3; i++) members.push(await client.openMember(ctx, opts));
    const [crashed, leaver, last] = members as [GroupMember, GroupMember, GroupMember];
    const owns = (m: GroupMember) => ownership(recorder.ops).get(m.process) ?? new Set<string>();
    const polled = (m: GroupMember) => recorder.ops.some((op) => op.process === m.process && op.f === "poll" && op.type === "ok");
    await until("every member to hold a partition and read", () => members.every((m) => owns(m).size > 0 && polled(m)), 120_000);
    o.log(`${o.label}: 3 members hold ${members.map((m) => [...owns(m)].join(",")).join(" | ")}`);

    const crashedKeys = new Set(owns(crashed));
    await crashed.crash();
    const crashOp = recorder.ops.find((op) => op.process === crashed.process && op.f === "crash")!;
    await until("the survivors to take over the crashed member's partitions", () => owns(leaver).size + owns(last).size === 3, 120_000);
    const crashReassign = firstReassignment(recorder.ops, crashOp.index!, crashed.process, crashedKeys)!;
    await until(
      "both survivors to read again",
      () =>
        [leaver, last].every((m) =>
          recorder.ops.some((op) => op.index! > crashReassign.index! && op.process === m.process && op.f === "poll" && op.type === "ok"),
        ),
      60_000,
    ).catch(() => undefined);

    const leaverKeys = new Set(owns(leaver));
    const leaveInvoke = recorder.ops.length;
    await leaver.leave();
    await until("the last member to hold every partition", () => owns(last).size === 3, 120_000);
    const leaveOp = recorder.ops.find(
      (op) => op.index! >= leaveInvoke && op.process === leaver.process && op.f === "leave" && op.type === "invoke",
    )!;
    const leaveReassign = firstReassignment(recorder.ops, leaveOp.index!, leaver.process, leaverKeys)!;
    await new Promise((r) => setTimeout(r, 2000));
    await last.leave();
    const ms = (a: Op, b: Op) => Math.round((b.time! - a.time!) / 1e6);
    return {
      history: recorder.ops,
      sessionTimeoutMs: o.sessionTimeoutMs,
      crashed,
      leaver,
      last,
      crashToReassignMs: ms(crashOp, crashReassign),
      leaveToReassignMs: ms(leaveOp, leaveReassign),
    };
  } finally {
    writing = false;
    await producer;
    for (const m of members) if (m.alive) await m.crash().catch(() => undefined);
  }
}
