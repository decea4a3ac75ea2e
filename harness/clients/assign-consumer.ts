// What the manual-assignment consumers (@platformatic/kafka's, librdkafka's) share: the consumer owns
// its positions, records its assignment (invoke, then ok or info), runs one fetch round after
// another until closed (a failed round is retried after the library's own pause), records each
// delivery as a poll op (poll-recorder.ts), and closes without waiting long for a round stuck on
// a paused broker. Each library only connects, fetches a round and disconnects.
import type { ConsumerClient, ConsumerOptions } from "./client.ts";
import type { ClientContext } from "./context.ts";
import { fetchLoop, sleep } from "./fetch-loop.ts";
import { PollRecorder } from "./poll-recorder.ts";

export { sleep };

/** L: the library's consumer. */
export abstract class AssignConsumer<L> implements ConsumerClient {
  readonly process: number;
  readonly positions: Map<string, number>;
  protected readonly polls: PollRecorder;
  protected stopping = false;
  private loop: Promise<void> = Promise.resolve();
  /** How long close() waits for the round in progress (a fetch to a paused broker waits for its request timeout). */
  private readonly closeWaitMs: number;

  protected constructor(
    protected readonly consumer: L,
    protected readonly ctx: ClientContext,
    protected readonly opts: ConsumerOptions,
    /** The longest a fetch round waits for records: close() waits a little longer for the round in progress. */
    fetchWaitMs: number,
  ) {
    this.process = ctx.nextProcess();
    this.positions = new Map(opts.positions ?? []);
    this.polls = new PollRecorder(this.process, ctx);
    this.closeWaitMs = fetchWaitMs + 1500;
  }

  /** Refuses anything but "assign" before the library's consumer is made, then makes and starts it. */
  protected static async openAssigned<C extends AssignConsumer<unknown>>(client: string, opts: ConsumerOptions, make: () => C): Promise<C> {
    if (opts.mode !== "assign") throw new Error(`the ${client} client has only "assign" consumers (got "${opts.mode}")`);
    const c = make();
    await c.start();
    return c;
  }

  get alive(): boolean {
    return true;
  }

  nextDelivery(timeoutMs: number): Promise<void> {
    return this.polls.nextDelivery(timeoutMs);
  }

  seek(key: string, offset: number): void {
    this.positions.set(key, offset);
  }

  /** Connects and assigns every key at its position; throws when it cannot. */
  protected abstract connect(): Promise<void>;
  /** One fetch round: deliveries recorded through `polls`, positions moved. */
  protected abstract fetchRound(): Promise<void>;
  /** After a round that threw: the library's pause before the next. */
  protected abstract afterError(): Promise<void>;
  protected abstract disconnect(): Promise<void>;

  protected async start(): Promise<void> {
    const { recorder } = this.ctx;
    const { mode, keys } = this.opts;
    recorder.record({ process: this.process, type: "invoke", f: mode, value: keys });
    try {
      await this.connect();
    } catch (err) {
      recorder.record({ process: this.process, type: "info", f: mode, value: keys, error: String(err) });
      await this.disconnect().catch(() => undefined);
      throw err;
    }
    recorder.record({ process: this.process, type: "ok", f: mode, value: keys });
    this.polls.invoke();
    this.loop = this.run();
  }

  private run(): Promise<void> {
    return fetchLoop(
      () => this.stopping,
      () => this.fetchRound(),
      () => this.afterError(),
    );
  }

  async close(): Promise<void> {
    this.stopping = true;
    await Promise.race([this.loop, sleep(this.closeWaitMs)]);
    await this.disconnect().catch(() => undefined);
    this.polls.closed();
  }
}
