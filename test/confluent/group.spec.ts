// Needs a real cluster and the librdkafka client (`kafka-harness install-client confluent`); run by
// `npm run test:confluent` only. librdkafka consumer-group members (harness/clients/confluent/
// group.ts), each in its own process: librdkafka's close always leaves the group, so a crash is the
// member's process killed. One Kafka 4.x cluster (KRaft, the broker's KIP-848 session at 6 s) for
// both protocols: three members on a 3-partition topic while a producer writes; one killed (the
// group moves its partitions only when its session times out), one leaving cleanly (moved at once),
// the last leaving at the end. Read from the history.
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Op } from "../../checkers/history.ts";
import { harnessFixture } from "../../harness/api/index.ts";
import { loadConfluentGroupClient } from "../../harness/clients/confluent/group.ts";
import { loadConfluent } from "../../harness/clients/confluent/package.ts";
import { connectRd, disconnectRd } from "../../harness/clients/confluent/producer.ts";
import { processCounter } from "../../harness/clients/context.ts";
import type { GroupProtocol } from "../../harness/clients/group-member.ts";
import { produceValues } from "../../harness/clients/kafkajs/round-trip.ts";
import { createTopic } from "../../harness/cluster/cluster.ts";
import { createRecorder } from "../../harness/history/recorder.ts";
import { groupScenario, KIP848_CLUSTER } from "../integration/group-scenario.ts";

const log = (m: string) => console.error(`[confluent-group] ${m}`);
const SESSION_TIMEOUT_MS = 6000;
const harness = harnessFixture({ cluster: KIP848_CLUSTER, progress: log });
beforeAll(harness.setup, 240_000);
afterAll(harness.teardown, 120_000);

const of = (history: readonly Op[], process: number) => history.filter((op) => op.process === process);

describe("librdkafka group members (Kafka 4.x)", () => {
  it.each(["classic", "consumer"] as GroupProtocol[])(
    "%s protocol, commit after-sync: a killed member's partitions move after the session timeout, a leaver's at once",
    async (protocol) => {
      const r = await groupScenario(loadConfluentGroupClient(), harness.cluster.bootstrap(), {
        label: `rdk-${protocol}`,
        protocol,
        commit: "after-sync",
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
        log,
      });
      log(
        `${protocol}: crash -> reassigned ${r.crashToReassignMs} ms; leave -> reassigned ${r.leaveToReassignMs} ms (session timeout ${SESSION_TIMEOUT_MS} ms)`,
      );
      const crashed = of(r.history, r.crashed.process);
      expect(crashed.at(-1)).toMatchObject({ f: "crash", type: "info", value: "now" });
      expect(crashed.some((op) => op.f === "leave")).toBe(false);
      expect(r.crashToReassignMs).toBeGreaterThanOrEqual(SESSION_TIMEOUT_MS / 2);
      // A clean leave revokes what the member held (librdkafka's close runs the rebalance callback) and is ok.
      const leaver = of(r.history, r.leaver.process);
      expect(leaver.filter((op) => op.f === "leave").map((op) => op.type)).toEqual(["invoke", "ok"]);
      const leaveAt = leaver.find((op) => op.f === "leave")!.index!;
      expect(leaver.some((op) => op.f === "revoked" && op.index! > leaveAt)).toBe(true);
      expect(r.leaveToReassignMs).toBeLessThan(r.crashToReassignMs);
      for (const p of [r.crashed.process, r.leaver.process, r.last.process]) {
        expect(of(r.history, p).filter((op) => op.f === "commit" && op.type === "ok").length, `process ${p} commits`).toBeGreaterThan(0);
      }
    },
  );
});

describe("librdkafka: a commit after max.poll.interval.ms expelled the member", () => {
  it("is not recorded ok: the coordinator refuses it, and the group does not hold it", async () => {
    const bootstrap = harness.cluster.bootstrap();
    const topic = `rdk-stall-${Date.now()}`;
    await createTopic(bootstrap, topic, { partitions: 3, replicationFactor: 3 });
    const recorder = createRecorder({ path: "test-output/groups/rdk-stall.jsonl" });
    const ctx = { bootstrap: () => bootstrap, recorder, nextProcess: processCounter() };
    const opts = {
      topic,
      keys: [0, 1, 2].map((p) => `${topic}-${p}`),
      groupId: `${topic}-g`,
      commit: "after-sync" as const,
      protocol: "classic" as const,
      sessionTimeoutMs: 6000,
      maxPollIntervalMs: 8000,
      autoCommitIntervalMs: 1000,
    };
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    let writing = true;
    let next = 0;
    const producer = (async () => {
      while (writing) {
        await produceValues(
          bootstrap,
          topic,
          Array.from({ length: 30 }, () => next++),
        ).catch(() => undefined);
        await sleep(300);
      }
    })();
    const client = loadConfluentGroupClient();
    const stalled = await client.openMember(ctx, opts);
    const other = await client.openMember(ctx, opts);
    await sleep(8000);
    // 20 s inside a delivery, past max.poll.interval.ms: the other member takes over and, once the
    // producer stops, commits its last offsets; then the stalled member commits what it held.
    const stall = stalled.stall(20_000);
    await sleep(12_000);
    writing = false;
    await producer;
    await stall;
    await sleep(1500);
    const admin = new Kafka({ brokers: bootstrap, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const held = new Map(
      (await admin.fetchOffsets({ groupId: opts.groupId, topics: [topic] }))[0]!.partitions.map((p) => [
        `${topic}-${p.partition}`,
        Number(p.offset),
      ]),
    );
    await admin.disconnect();
    for (const m of [stalled, other]) await m.leave();

    const stallEnd = recorder.ops.find((op) => op.f === "stall" && op.type === "ok")!.index!;
    const after = recorder.ops.filter(
      (op) => op.process === stalled.process && op.f === "commit" && op.type !== "invoke" && op.index! > stallEnd,
    );
    log(
      `after the stall: ${after.map((op) => `${op.type} ${JSON.stringify(op.value)}`).join("; ")}; the group holds ${JSON.stringify([...held])}`,
    );
    expect(after.length).toBeGreaterThan(0);
    // The group holds none of them (the other member's later offsets are there)...
    for (const op of after) for (const [k, v] of Object.entries(op.value as Record<string, number>)) expect(held.get(k)).not.toBe(v);
    // ...so none is recorded as acknowledged.
    expect(after.map((op) => op.type)).not.toContain("ok");
  });
});

// The binding's commitCb (and so the KafkaJS-compatible commitOffsets(), which awaits it) calls
// rd_kafka_commit asynchronously and calls back once the commit is queued: its "no error" says
// nothing about the broker. Why the harness commits with commitSync (confluent/group.ts).
describe("@confluentinc/kafka-javascript's commitCb", () => {
  it("calls back without error on a commit the coordinator refuses (commitSync throws the refusal)", async () => {
    const bootstrap = harness.cluster.bootstrap();
    const topic = `rdk-commitcb-${Date.now()}`;
    await createTopic(bootstrap, topic, { partitions: 3, replicationFactor: 3 });
    const recorder = createRecorder({ path: "test-output/groups/rdk-commitcb.jsonl" });
    const ctx = { bootstrap: () => bootstrap, recorder, nextProcess: processCounter() };
    const groupId = `${topic}-g`;
    // A member holds the group (nothing to read, so it commits nothing)...
    const member = await loadConfluentGroupClient().openMember(ctx, {
      topic,
      keys: [0, 1, 2].map((p) => `${topic}-${p}`),
      groupId,
      commit: "after-sync",
      protocol: "classic",
      sessionTimeoutMs: 6000,
      maxPollIntervalMs: 10_000,
      autoCommitIntervalMs: 1000,
    });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    for (let i = 0; i < 40 && !recorder.ops.some((op) => op.f === "assigned"); i++) await sleep(250);
    expect(recorder.ops.some((op) => op.f === "assigned")).toBe(true);
    // ...so a consumer of the same group.id that never joined it (no member id, generation -1) has
    // its commit refused by the coordinator (UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION).
    const { KafkaConsumer } = loadConfluent();
    const outsider = (await connectRd(
      new KafkaConsumer({ "bootstrap.servers": bootstrap.join(","), "group.id": groupId, "enable.auto.commit": false }) as never,
      topic,
      10_000,
    )) as unknown as {
      commitCb(t: object[], cb: (err: unknown) => void): void;
      commitSync(t: object[]): void;
    };
    const toppars = [{ topic, partition: 0, offset: 1 }];
    const callbackError = await new Promise((resolve) => outsider.commitCb(toppars, resolve));
    let syncError: unknown;
    try {
      outsider.commitSync(toppars);
    } catch (err) {
      syncError = err;
    }
    await sleep(1000);
    const admin = new Kafka({ brokers: bootstrap, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const held = (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions.find((p) => p.partition === 0)!.offset;
    await admin.disconnect();
    await disconnectRd(outsider as never);
    await member.leave();
    log(
      `commitCb answered ${String(callbackError)}; commitSync threw ${String((syncError as Error)?.message ?? syncError)}; the group holds ${held}`,
    );
    expect(callbackError).toBeNull();
    expect(String((syncError as { code?: number; message?: string })?.message ?? syncError)).toMatch(/member|generation/i);
    expect(held).not.toBe("1");
  });
});
