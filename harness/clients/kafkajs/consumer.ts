// The kafkajs consumer behind the client interface; every delivery is one poll op (poll-recorder.ts).
// kafkajs has no manual assign(), so an "assign" consumer is alone in its own group (unique
// groupId), auto-commit off, its positions tracked here: restored with seek after any rejoin, and
// records below the position dropped, as a Java consumer with assign() does. A "subscribe" consumer
// shares one group and may be rebalanced. kafkajs pushes batches (eachBatch): each batch of one
// partition is one delivery.
import type { Consumer } from "kafkajs";
import { newKafka } from "../../kafkajs/factory.ts";
import type { ConsumerClient, ConsumerOptions } from "../client.ts";
import { type ClientContext, keyOf, parseKey } from "../context.ts";
import { PollRecorder } from "../poll-recorder.ts";
import { AssignedPositions, recordsFrom } from "./positions.ts";

let groupSeq = 0;

export class KafkajsConsumer implements ConsumerClient {
  readonly positions: Map<string, number>;
  private readonly assigned: AssignedPositions;
  private crashed: unknown;
  private readonly polls: PollRecorder;

  private constructor(
    readonly process: number,
    private readonly consumer: Consumer,
    private readonly ctx: ClientContext,
    private readonly opts: ConsumerOptions,
  ) {
    this.positions = new Map(opts.positions ?? []);
    this.assigned = new AssignedPositions(this.positions);
    this.polls = new PollRecorder(process, ctx);
  }

  static async open(ctx: ClientContext, opts: ConsumerOptions): Promise<KafkajsConsumer> {
    const groupId =
      opts.mode === "subscribe" ? (opts.groupId ?? "kafka-harness") : `kafka-harness-assign-${process.pid}-${Date.now()}-${groupSeq++}`;
    const kafka = newKafka(ctx.bootstrap(), "kafka-harness-consumer", {}, ctx.security);
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: opts.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: 500,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000, restartOnFailure: async () => false },
    });
    const c = new KafkajsConsumer(ctx.nextProcess(), consumer, ctx, opts);
    await c.start();
    return c;
  }

  get alive(): boolean {
    return this.crashed === undefined;
  }

  nextDelivery(timeoutMs: number): Promise<void> {
    return this.polls.nextDelivery(timeoutMs);
  }

  seek(key: string, offset: number): void {
    this.positions.set(key, offset);
    const { topic, partition } = parseKey(key);
    this.consumer.seek({ topic, partition, offset: String(offset) });
  }

  private async start(): Promise<void> {
    const { recorder } = this.ctx;
    const { mode, topic, keys } = this.opts;
    recorder.record({ process: this.process, type: "invoke", f: mode, value: keys });
    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: [topic], fromBeginning: true });
      if (mode === "assign") {
        // A rejoin would restart from the committed (none) or earliest offset.
        seekOnRejoin(this.consumer, () => this.positions);
        this.consumer.on(this.consumer.events.END_BATCH_PROCESS, (e) => this.assigned.followBatchEnd(e.payload));
      }
      this.consumer.on(this.consumer.events.CRASH, (e) => {
        this.crashed = e.payload.error ?? new Error("consumer crashed");
        this.polls.crashed(this.crashed);
      });
      // Subscribed: from here on the consumer is ready for its first delivery.
      recorder.record({ process: this.process, type: "ok", f: mode, value: keys });
      this.polls.invoke();
      await this.consumer.run({
        autoCommit: mode === "subscribe",
        eachBatch: async ({ batch }) => {
          const key = keyOf({ topic: batch.topic, partition: batch.partition });
          // A subscribed consumer hands out whatever the group gives it.
          const records = mode === "assign" ? this.assigned.take(key, batch.messages) : recordsFrom(batch.messages, 0);
          if (records.length) this.polls.delivered(key, records);
        },
      });
    } catch (err) {
      recorder.record({ process: this.process, type: "info", f: mode, value: keys, error: String(err) });
      this.crashed = err;
      await this.consumer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
    this.polls.closed();
  }
}

/** After every group (re)join, seeks each key back to the harness's own position: kafkajs would
 *  restart from the group's committed offsets, which are not what this consumer has handed out. */
export function seekOnRejoin(consumer: Consumer, positions: () => ReadonlyMap<string, number>): void {
  consumer.on(consumer.events.GROUP_JOIN, () => {
    for (const [key, offset] of positions()) consumer.seek({ ...parseKey(key), offset: String(offset) });
  });
}
