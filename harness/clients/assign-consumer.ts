// What the manual-assignment consumers (@platformatic/kafka's, librdkafka's) share: the consumer owns
// its positions, records its assignment (invoke, then ok or info), runs one fetch round after
// another until closed (a failed round is retried after the library's own pause), records each
// delivery as a poll op (poll-recorder.ts), and closes without waiting long for a round stuck on
// a paused broker. Each library only connects, fetches a round and disconnects.
import type { ConsumerClient, ConsumerOptions } from "./client.ts";
import type { ClientContext } from "./context.ts";
import { PollRecorder } from "./poll-recorder.ts";

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export abstract class AssignConsumer implements ConsumerClient {
  readonly positions: Map<string, number>;
  protected readonly polls: PollRecorder;
  protected stopping = false;
  private loop: Promise<void> = Promise.resolve();

  protected constructor(
    readonly process: number,
    protected readonly ctx: ClientContext,
    protected readonly opts: ConsumerOptions,
    /** How long close() waits for the round in progress. */
    private readonly closeWaitMs: number,
  ) {
    this.positions = new Map(opts.positions ?? []);
    this.polls = new PollRecorder(process, ctx);
  }

  /** The client has only assign consumers: anything else is refused before it is made. */
  static assignOnly(client: string, opts: ConsumerOptions): void {
    if (opts.mode !== "assign") throw new Error(`the ${client} client has only "assign" consumers (got "${opts.mode}")`);
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

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.fetchRound();
      } catch {
        await this.afterError();
      }
    }
  }

  async close(): Promise<void> {
    this.stopping = true;
    await Promise.race([this.loop, sleep(this.closeWaitMs)]);
    await this.disconnect().catch(() => undefined);
    this.polls.closed();
  }
}
