// Consumer-group members through kafkajs 2.2.4 (group-member.ts; recorded by group-recorder.ts).
// kafkajs speaks the classic protocol only, and rebalances eagerly: at every join it hands the
// member its whole new assignment (GROUP_JOIN), having stopped fetching what it held. So each
// GROUP_JOIN is recorded as what kafkajs did: every key held revoked, then the whole assignment
// assigned. kafkajs does not expose the generation at the join (its GROUP_JOIN payload has none),
// so `assigned` carries no generation. Each eachBatch call is one delivery (one poll op),
// partitionsConsumedConcurrently 1, so deliveries of one member never overlap.
//
// Commits go through eachBatch's commitOffsetsIfNecessary(offsets): one OffsetCommit request for
// the member's current generation, no retry, so its answer is the commit's outcome (consumer
// .commitOffsets retries, and a refusal after a timed-out attempt would prove nothing). kafkajs's
// own auto-commit (strategy auto) commits the resolved offsets after every batch and on its timer;
// it reports each acknowledged one as COMMIT_OFFSETS, recorded then. Offsets are resolved only for
// records handed to the harness (eachBatchAutoResolve off), so a batch not delivered is fetched again.
//
// crash() kills every connection through the socket gate (socket-gate.ts) before anything else, so
// whatever kafkajs does afterwards (its LeaveGroup on disconnect, a commit after the batch, a
// reconnect) fails before it reaches a broker; kafkajs is then stopped in the background.
import type { Consumer, EachBatchPayload } from "kafkajs";
import { newKafka } from "../../kafkajs/factory.ts";
import { sleep } from "../../util/wait.ts";
import { describeError } from "../classify.ts";
import { type ClientContext, keyOf } from "../context.ts";
import type { CommitStrategy, GroupClient, GroupMember, GroupMemberOptions } from "../group-member.ts";
import { type CommitOutcome, GroupRecorder } from "../group-recorder.ts";
import { classifyCommitError } from "./classify.ts";
import { recordsFrom } from "./positions.ts";
import { SocketGate } from "./socket-gate.ts";

/** How long an armed stall or after-commit crash waits for a delivery to happen in. */
const ARMED_WAIT_MS = 15_000;

class Killed extends Error {
  constructor() {
    super("group member killed by the harness");
    this.name = "KafkaHarnessKilled";
  }
}

export class KafkajsGroupMember implements GroupMember {
  readonly process: number;
  private readonly rec: GroupRecorder;
  private readonly gate = new SocketGate();
  private readonly consumer: Consumer;
  /** Aborted when the member dies or leaves: ends a stall under way. */
  private readonly ending = new AbortController();
  private armedCrash?: () => void;
  private armedStall?: { ms: number; done: () => void };
  /** A LeaveGroup was answered by the coordinator. */
  private leaveAnswered = false;

  private constructor(
    ctx: ClientContext,
    private readonly opts: GroupMemberOptions,
  ) {
    this.process = ctx.nextProcess();
    this.rec = new GroupRecorder(this.process, ctx, opts.groupId);
    const kafka = newKafka(ctx.bootstrap(), `kafka-harness-member-${this.process}`, { socketFactory: this.gate.factory }, ctx.security);
    this.consumer = kafka.consumer({
      groupId: opts.groupId,
      sessionTimeout: opts.sessionTimeoutMs,
      rebalanceTimeout: opts.maxPollIntervalMs,
      heartbeatInterval: Math.min(1000, Math.floor(opts.sessionTimeoutMs / 3)),
      maxWaitTimeInMs: 500,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000, restartOnFailure: async () => false },
    });
  }

  static async open(ctx: ClientContext, opts: GroupMemberOptions): Promise<KafkajsGroupMember> {
    if (opts.protocol !== "classic") throw new Error(`kafkajs speaks the classic group protocol only (asked for ${opts.protocol})`);
    const m = new KafkajsGroupMember(ctx, opts);
    await m.start();
    return m;
  }

  get alive(): boolean {
    return !this.rec.done;
  }

  nextDelivery(timeoutMs: number): Promise<void> {
    return this.rec.polls.nextDelivery(timeoutMs);
  }

  private async start(): Promise<void> {
    const { topic, keys, commit } = this.opts;
    const c = this.consumer;
    this.rec.subscribing(keys);
    try {
      c.on(c.events.GROUP_JOIN, ({ payload }) => {
        const held = [...this.rec.owned];
        if (held.length) this.rec.revoked(held);
        this.rec.assigned(
          Object.entries(payload.memberAssignment)
            .filter(([t]) => t === topic)
            .flatMap(([t, ps]) => ps.map((partition) => keyOf({ topic: t, partition }))),
        );
      });
      if (commit === "auto") {
        c.on(c.events.COMMIT_OFFSETS, ({ payload }) => {
          const offsets: Record<string, number> = {};
          for (const t of payload.topics)
            for (const p of t.partitions) offsets[keyOf({ topic: t.topic, partition: p.partition })] = Number(p.offset);
          this.rec.autoCommitted(offsets);
        });
      }
      c.on(c.events.REQUEST, ({ payload }) => {
        if (payload.apiName === "LeaveGroup") this.leaveAnswered = true;
      });
      // kafkajs gave up (retries exhausted, restartOnFailure false): it has disconnected itself.
      c.on(c.events.CRASH, ({ payload }) => this.rec.failed(payload.error));
      await c.connect();
      await c.subscribe({ topics: [topic], fromBeginning: true });
    } catch (err) {
      this.rec.subscribeFailed(keys, err);
      this.gate.kill();
      await c.disconnect().catch(() => undefined);
      throw err;
    }
    this.rec.subscribed(keys);
    try {
      // Resolves once the first join is done (a join kafkajs gives up on is its CRASH event).
      await c.run({
        autoCommit: commit === "auto",
        autoCommitInterval: this.opts.autoCommitIntervalMs,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (p) => this.onBatch(p, commit),
      });
    } catch (err) {
      this.rec.failed(err);
      this.gate.kill();
      await c.disconnect().catch(() => undefined);
      throw err;
    }
  }

  private async onBatch(p: EachBatchPayload, strategy: CommitStrategy): Promise<void> {
    if (this.rec.done) throw new Killed();
    const { batch } = p;
    const records = recordsFrom(batch.messages, 0);
    if (!records.length) return;
    const key = keyOf({ topic: batch.topic, partition: batch.partition });
    const last = batch.messages[batch.messages.length - 1]!.offset;
    if (this.armedStall) await this.stallHere(this.armedStall);
    if (this.rec.done) throw new Killed();
    await deliverByStrategy(strategy, {
      deliver: () => {
        this.rec.polls.delivered(key, records);
        p.resolveOffset(last);
      },
      commit: () => this.commit(p, batch.topic, batch.partition, Number(last) + 1),
      dead: () => this.rec.done,
      dieAfterCommit: () => {
        if (!this.armedCrash) return false;
        this.die("after-commit");
        return true;
      },
    });
  }

  /** One OffsetCommit of the delivery's next offset, recorded with its outcome. */
  private async commit(p: EachBatchPayload, topic: string, partition: number, next: number): Promise<CommitOutcome> {
    const done = this.rec.commit({ [keyOf({ topic, partition })]: next });
    try {
      await p.commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: String(next) }] }] });
      done("ok");
      return "ok";
    } catch (err) {
      const outcome = classifyCommitError(err);
      done(outcome, describeError(err));
      return outcome;
    }
  }

  private async stallHere(s: { ms: number; done: () => void }): Promise<void> {
    this.armedStall = undefined;
    this.rec.stalling(s.ms);
    await sleep(s.ms, this.ending.signal);
    this.rec.stalled(s.ms);
    s.done();
  }

  stall(ms: number): Promise<void> {
    if (this.rec.done) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.disarm(); // a stall or after-commit crash armed before and not yet struck ends unperformed
      const armed = { ms, done: () => resolve() };
      this.armedStall = armed;
      // No delivery to stall in: nothing happened, nothing is recorded.
      setTimeout(() => {
        if (this.armedStall === armed) this.armedStall = undefined;
        resolve();
      }, ARMED_WAIT_MS + ms).unref();
    });
  }

  crash(window: "now" | "after-commit" = "now"): Promise<void> {
    if (this.rec.done) return Promise.resolve();
    if (window === "now") {
      this.die("now");
      return Promise.resolve();
    }
    if (this.opts.commit !== "before")
      throw new Error(`crash window "after-commit" needs commit strategy "before" (this member: ${this.opts.commit})`);
    return new Promise<void>((resolve) => {
      this.disarm();
      this.armedCrash = resolve;
      // No delivery came to die in: die now, recorded as such.
      setTimeout(() => {
        if (this.armedCrash === resolve && !this.rec.done) this.die("now");
        resolve();
      }, ARMED_WAIT_MS).unref();
    });
  }

  /** Ends whatever is armed and has not struck (its promise resolves). */
  private disarm(): void {
    this.armedCrash?.();
    this.armedCrash = undefined;
    this.armedStall?.done();
    this.armedStall = undefined;
  }

  /** Dies as a killed process: connections dropped first, so nothing after reaches a broker. */
  private die(window: "now" | "after-commit"): void {
    this.gate.kill();
    this.rec.crashed(window);
    this.ending.abort();
    this.disarm();
    // Free kafkajs's timers; its LeaveGroup and any commit fail at the gate.
    void this.consumer.disconnect().catch(() => undefined);
  }

  async leave(): Promise<void> {
    if (this.rec.done) return;
    this.rec.leaving();
    this.ending.abort(); // a stall under way ends: kafkajs waits for the delivery before it leaves
    this.disarm();
    try {
      await this.consumer.disconnect();
      // kafkajs swallows a failed LeaveGroup: ok only if the coordinator answered one.
      this.rec.left(this.leaveAnswered ? "ok" : "info", this.leaveAnswered ? undefined : "no LeaveGroup answer from the coordinator");
    } catch (err) {
      this.rec.left("info", describeError(err));
    } finally {
      this.gate.kill();
    }
  }
}

/** One delivery's steps, in the order its commit strategy puts them (group-member.ts). */
export interface DeliverySteps {
  /** Hands the records to the harness (a poll op) and lets kafkajs move past them. */
  deliver(): void;
  commit(): Promise<CommitOutcome>;
  /** The member was killed (while a step waited). */
  dead(): boolean;
  /** Dies now if an after-commit crash is armed; whether it did. */
  dieAfterCommit(): boolean;
}

export async function deliverByStrategy(strategy: CommitStrategy, d: DeliverySteps): Promise<void> {
  switch (strategy) {
    case "before": {
      const outcome = await d.commit();
      if (d.dead()) throw new Killed();
      // Not known committed: not processed either, and not resolved, so kafkajs fetches it again.
      if (outcome !== "ok") return;
      if (d.dieAfterCommit()) throw new Killed();
      d.deliver();
      return;
    }
    case "after-sync":
      d.deliver();
      await d.commit();
      return;
    case "after-async":
      d.deliver();
      void d.commit();
      return;
    case "auto":
      d.deliver(); // kafkajs commits the resolved offsets after the batch and on its timer
      return;
  }
}

export const kafkajsGroupClient: GroupClient = {
  protocols: ["classic"],
  openMember: (ctx, opts) => KafkajsGroupMember.open(ctx, opts),
};
