// A kafkajs consumer that records every delivery as a poll op. kafkajs has no manual assign(), so
// an "assign" consumer is alone in its own group (unique groupId), auto-commit off, its positions
// tracked here: restored with seek after any rejoin, and records below the position dropped, as a
// Java consumer with assign() does. A "subscribe" consumer shares one group and may be rebalanced.
// Each delivery is one poll op: invoked when the consumer was ready for more (end of the previous
// delivery), completed with every record this delivery returned.
import type { Consumer } from "kafkajs";
import { keyOf, type ClientContext } from "./context.ts";
import { newKafka } from "../kafka/client.ts";

export type ConsumerMode = "assign" | "subscribe";

export interface ConsumerOptions {
  mode: ConsumerMode;
  topic: string;
  /** The keys (topic-partitions) this consumer reads: all partitions of the topic. */
  keys: string[];
  /** subscribe mode: the shared group. */
  groupId?: string;
  /** Start positions (assign mode), e.g. carried over from a crashed predecessor. */
  positions?: Map<string, number>;
  sessionTimeoutMs?: number;
}

let groupSeq = 0;

export class RecordingConsumer {
  /** Next offset to read per key (assign mode). */
  readonly positions: Map<string, number>;
  private pendingPoll = false;
  private crashed: unknown;
  private listeners = new Set<() => void>();

  private constructor(
    readonly process: number,
    private readonly consumer: Consumer,
    private readonly ctx: ClientContext,
    private readonly opts: ConsumerOptions,
  ) {
    this.positions = new Map(opts.positions ?? []);
  }

  static async open(ctx: ClientContext, opts: ConsumerOptions): Promise<RecordingConsumer> {
    const groupId = opts.mode === "subscribe" ? opts.groupId ?? "kafka-harness" : `kafka-harness-assign-${process.pid}-${Date.now()}-${groupSeq++}`;
    const kafka = newKafka(ctx.bootstrap(), "kafka-harness-consumer");
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: opts.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: 500,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000, restartOnFailure: async () => false },
    });
    const c = new RecordingConsumer(ctx.nextProcess(), consumer, ctx, opts);
    await c.start(opts.mode === "subscribe" ? groupId : undefined);
    return c;
  }

  get alive(): boolean {
    return this.crashed === undefined;
  }

  /** Resolves after the next delivery (or crash): lets callers wait for progress. */
  nextDelivery(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.listeners.delete(done);
        resolve();
      };
      const t = setTimeout(done, timeoutMs);
      this.listeners.add(done);
    });
  }

  private notify() {
    for (const l of [...this.listeners]) l();
  }

  private invokePoll() {
    this.ctx.recorder.record({ process: this.process, type: "invoke", f: "poll", value: [["poll"]] });
    this.pendingPoll = true;
  }

  private async start(groupId?: string): Promise<void> {
    const { recorder } = this.ctx;
    const { mode, topic, keys } = this.opts;
    recorder.record({ process: this.process, type: "invoke", f: mode, value: keys });
    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: [topic], fromBeginning: true });
      if (mode === "assign") {
        this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
          // A rejoin would restart from the committed (none) or earliest offset: put positions back.
          for (const [key, offset] of this.positions) {
            const partition = Number(key.slice(topic.length + 1));
            this.consumer.seek({ topic, partition, offset: String(offset) });
          }
        });
      }
      this.consumer.on(this.consumer.events.CRASH, (e) => {
        this.crashed = e.payload.error ?? new Error("consumer crashed");
        if (this.pendingPoll) {
          this.pendingPoll = false;
          recorder.record({ process: this.process, type: "info", f: "poll", value: [["poll", {}]], error: String(this.crashed) });
        }
        this.notify();
      });
      // Subscribed: from here on the consumer is ready for its first delivery.
      recorder.record({ process: this.process, type: "ok", f: mode, value: keys });
      this.invokePoll();
      await this.consumer.run({
        autoCommit: mode === "subscribe",
        eachBatch: async ({ batch }) => {
          const key = keyOf({ topic: batch.topic, partition: batch.partition });
          const from = mode === "assign" ? this.positions.get(key) ?? 0 : 0;
          const records: [number, number][] = [];
          for (const m of batch.messages) {
            const offset = Number(m.offset);
            if (offset < from) continue;
            records.push([offset, Number(m.value?.toString())]);
          }
          if (records.length === 0) return;
          if (mode === "assign") this.positions.set(key, records[records.length - 1]![0] + 1);
          this.pendingPoll = false;
          recorder.record({ process: this.process, type: "ok", f: "poll", value: [["poll", { [key]: records }]] });
          this.invokePoll();
          this.notify();
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
    if (this.pendingPoll) {
      // The last poll returned nothing before the consumer was closed: it read nothing.
      this.pendingPoll = false;
      this.ctx.recorder.record({ process: this.process, type: "fail", f: "poll", value: [["poll", {}]], error: "consumer closed" });
    }
  }
}
