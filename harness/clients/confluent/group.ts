// librdkafka (2.15.1, @confluentinc/kafka-javascript 1.10.1) consumer-group members: its native
// KafkaConsumer with subscribe(), each member in a process of its own (group-process.ts): its close
// (rd_kafka_consumer_close) always revokes, commits what auto-commit stored and sends LeaveGroup, so
// a crash can only be a SIGKILL of the process. What it supports (CONFIGURATION.md, rdkafka_cgrp.c):
//   classic   JoinGroup/SyncGroup with the client-side assignor; `range` here: EAGER, so every
//             rebalance revokes every partition, then assigns the whole new assignment.
//   consumer  KIP-848 (`group.protocol=consumer`, Kafka 4.x): the broker assigns, librdkafka's
//             rebalance protocol is COOPERATIVE (incremental assign/unassign). session.timeout.ms and
//             heartbeat.interval.ms are the broker's (group.consumer.*), not the client's.
// What it reports and how it is recorded:
//   rebalances  rebalance_cb: ERR__ASSIGN_PARTITIONS / ERR__REVOKE_PARTITIONS with the partitions,
//               and assignmentLost() on a revoke (the session was lost: `lost`). The binding exposes
//               no generation or member epoch, so none is recorded.
//   deliveries  each consume(n) call's records, one delivery per key (consume returns as soon as
//               something was fetched, or after 500 ms).
//   commits     after-sync and before: commitSync (rd_kafka_commit waiting for the coordinator's
//               answer, blocking this member's process meanwhile, as a synchronous commit does);
//               after-async: commitCb, whose answer comes from offset_commit_cb during a later
//               consume(). The binding's commitCb calls back once the commit is QUEUED (it calls
//               rd_kafka_commit async), not when the broker answered (docs/clients.md), so it is
//               never taken as an acknowledgement. One partition per commit here.
//   auto-commit enable.auto.commit with enable.auto.offset.store: librdkafka stores each record's
//               offset as consume() hands it out and commits the stored offsets on its timer;
//               offset_commit_cb reports each such commit ('offset.commit' with its offsets).
//   stall       librdkafka heartbeats from its own thread; the member stops calling consume(), and
//               after max.poll.interval.ms librdkafka itself leaves the group (a revoke, then a rejoin
//               at the next consume()).
import { commitOutcomeOfErrors, KAFKA_ERROR_NAMES } from "../commit-outcome.ts";
import { keyOf, parseKey } from "../context.ts";
import { type Delivery, deliveriesOf, type LibrarySession, type SessionInput } from "../group-driver.ts";
import type { GroupClient } from "../group-member.ts";
import { forkedGroupClient } from "../group-process.ts";
import { CommitAnswers } from "./commit-answers.ts";
import { commonConfig } from "./config.ts";
import { consumeBatch, loadConfluent, type RdConsumer, type RdKafkaError, type RdMessage } from "./package.ts";
import { connectRd } from "./producer.ts";

export const confluentGroupClient: GroupClient = forkedGroupClient("confluent", ["classic", "consumer"]);

/** The client, once the package loads (ConfluentNotInstalled otherwise), as confluent/client.ts. */
export function loadConfluentGroupClient(): GroupClient {
  loadConfluent();
  return confluentGroupClient;
}

const FETCH_WAIT_MS = 500;
const MAX_MESSAGES = 1000;
const CLOSE_WAIT_MS = 30_000;
/** At a leave, polls (of FETCH_WAIT_MS at most each) for the answers to async commits in flight. */
const SETTLE_POLLS = 20;
const ERR__ASSIGN_PARTITIONS = -175;
const ERR__REVOKE_PARTITIONS = -174;
/** librdkafka refused the commit itself, before any request: nothing to commit, not in a group, a bad argument. */
const LOCAL_REFUSALS = new Set([-168 /* ERR__NO_OFFSET */, -172 /* ERR__STATE */, -186 /* ERR__INVALID_ARG */]);

interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset?: number;
  error?: unknown;
}

interface RdGroupConsumer extends RdConsumer {
  subscribe(topics: string[]): unknown;
  assign(assignments: TopicPartitionOffset[]): unknown;
  unassign(): unknown;
  incrementalAssign(assignments: TopicPartitionOffset[]): unknown;
  incrementalUnassign(assignments: TopicPartitionOffset[]): unknown;
  rebalanceProtocol(): "NONE" | "EAGER" | "COOPERATIVE";
  assignmentLost(): boolean;
  commitCb(toppars: TopicPartitionOffset[], cb: (err: RdKafkaError | null) => void): unknown;
  commitSync(toppars: TopicPartitionOffset[]): unknown;
  disconnect(cb: () => void): unknown;
}

/** A commit's error: fail for librdkafka's own refusals and the coordinator's refusals before the append. Pure. */
export function classifyConfluentCommitError(err: unknown): "fail" | "info" {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code !== "number") return "info";
  if (LOCAL_REFUSALS.has(code)) return "fail";
  return commitOutcomeOfErrors(code > 0 ? [KAFKA_ERROR_NAMES[code] ?? `KAFKA_ERROR_${code}`] : []);
}

/** The librdkafka settings of a member. Pure. */
export function groupConsumerConfig({ opts, bootstrap, security }: Omit<SessionInput, "hooks">): Record<string, string | number | boolean> {
  const classic = opts.protocol === "classic";
  const auto = opts.commit === "auto";
  return {
    ...commonConfig(bootstrap, `kafka-harness-group-${process.pid}`, security),
    "group.id": opts.groupId,
    "group.protocol": opts.protocol,
    // KIP-848 refuses the client-side session, heartbeat and assignor settings: the broker has them.
    ...(classic
      ? {
          "session.timeout.ms": opts.sessionTimeoutMs,
          "heartbeat.interval.ms": Math.max(100, Math.floor(opts.sessionTimeoutMs / 3)),
          "partition.assignment.strategy": "range",
        }
      : {}),
    // librdkafka requires max.poll.interval.ms >= session.timeout.ms.
    "max.poll.interval.ms": Math.max(opts.maxPollIntervalMs, classic ? opts.sessionTimeoutMs : 0),
    "enable.auto.commit": auto,
    "enable.auto.offset.store": auto,
    ...(auto ? { "auto.commit.interval.ms": opts.autoCommitIntervalMs } : {}),
    "auto.offset.reset": "earliest",
    "enable.partition.eof": false,
    "fetch.wait.max.ms": FETCH_WAIT_MS,
    "fetch.error.backoff.ms": 100,
  };
}

export function openConfluentSession(input: SessionInput): LibrarySession {
  const { opts, hooks } = input;
  const { KafkaConsumer } = loadConfluent();
  let consumer: RdGroupConsumer;
  const rebalance = (err: RdKafkaError | undefined, assignment: TopicPartitionOffset[]) => {
    const keys = (assignment ?? []).map(keyOf);
    const cooperative = consumer.rebalanceProtocol() === "COOPERATIVE";
    try {
      if (err?.code === ERR__ASSIGN_PARTITIONS) {
        if (cooperative) consumer.incrementalAssign(assignment);
        else consumer.assign(assignment);
        hooks.assigned(keys);
      } else if (err?.code === ERR__REVOKE_PARTITIONS) {
        hooks.revoked(keys, undefined, consumer.assignmentLost());
        if (cooperative) consumer.incrementalUnassign(assignment);
        else consumer.unassign();
      }
    } catch {
      // Not connected any more (closing): nothing to assign.
    }
  };
  // after-async: each commit waits for librdkafka's answer (offset_commit_cb, served by a later
  // consume()), matched by partition and offset. The binding passes only the request's error.
  const asyncCommits = opts.commit === "after-async";
  const answers = new CommitAnswers();
  consumer = new KafkaConsumer({
    ...groupConsumerConfig(input),
    rebalance_cb: rebalance,
    ...(opts.commit === "auto" || asyncCommits ? { offset_commit_cb: true } : {}),
  }) as unknown as RdGroupConsumer;
  consumer.on("event.error", (() => undefined) as never);
  consumer.on("offset.commit", ((err: RdKafkaError | undefined, offsets: TopicPartitionOffset[]) => {
    if (asyncCommits) {
      answers.answer(
        err,
        (offsets ?? []).map((o) => ({ key: keyOf(o), offset: o.offset })),
      );
      return;
    }
    if (err) return;
    const done = (offsets ?? []).filter((o) => !o.error && typeof o.offset === "number" && o.offset >= 0);
    if (done.length) hooks.autoCommitted(Object.fromEntries(done.map((o) => [keyOf(o), o.offset as number])));
  }) as never);

  let closed = false;
  const queue: Delivery[] = [];
  const consumeOnce = () => consumeBatch(consumer, MAX_MESSAGES);

  return {
    async subscribe() {
      await connectRd(consumer, opts.topic, 10_000);
      consumer.setDefaultConsumeTimeout(FETCH_WAIT_MS);
      consumer.setDefaultIsTimeoutOnlyForFirstMessage(true);
      consumer.subscribe([opts.topic]);
    },

    async next() {
      for (;;) {
        const d = queue.shift();
        if (d) return d;
        if (closed) return undefined;
        let messages: RdMessage[];
        try {
          messages = await consumeOnce();
        } catch (err) {
          // A consumer error (a broker down, a coordinator moving): librdkafka carries on by itself,
          // unless the error is fatal (the member gives up).
          if ((err as RdKafkaError).isFatal) throw err;
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        if (closed) return undefined;
        queue.push(...deliveriesOf(messages.map((m) => ({ key: keyOf(m), offset: m.offset, value: Number(m.value?.toString()) }))));
      }
    },

    commit(offsets) {
      const toppars = Object.entries(offsets).map(([key, offset]) => ({ ...parseKey(key), offset }));
      if (!asyncCommits) {
        // rd_kafka_commit, synchronous: returns the coordinator's answer (the partition's error).
        try {
          consumer.commitSync(toppars);
          return Promise.resolve();
        } catch (err) {
          return Promise.reject(err);
        }
      }
      const { answered, refuse } = answers.expect(offsets);
      try {
        // Its callback only says the commit was queued: the answer is offset_commit_cb's.
        consumer.commitCb(toppars, (err) => {
          if (err) refuse(err);
        });
      } catch (err) {
        refuse(err);
      }
      return answered;
    },

    async settle() {
      // The answers to commits in flight come only while the library is polled.
      for (let i = 0; answers.size > 0 && !closed && i < SETTLE_POLLS; i++) await consumeOnce().catch(() => []);
    },

    commitOutcome: classifyConfluentCommitError,

    close() {
      closed = true;
      // rd_kafka_consumer_close: revoke (rebalance_cb), final auto-commit, LeaveGroup.
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`librdkafka's close did not finish within ${CLOSE_WAIT_MS} ms`)), CLOSE_WAIT_MS);
        try {
          consumer.disconnect(() => {
            clearTimeout(timer);
            resolve();
          });
        } catch (err) {
          clearTimeout(timer);
          reject(err);
        }
      });
    },
  };
}
