// What every library's transactional consumer shares: fetched records are parked in a
// DeliveryBuffer (txn-delivery-buffer.ts) until a ["poll"] micro-op takes them, so a poll returns
// what the consumer fetched since the previous poll. A library only starts its fetching, seeks and
// closes.

import type { TxnConsumer, TxnConsumerOptions } from "./txn-client.ts";
import { DeliveryBuffer, type Records } from "./txn-delivery-buffer.ts";

/** L: the library's consumer. */
export abstract class BufferedTxnConsumer<L> implements TxnConsumer {
  protected readonly buffer: DeliveryBuffer;

  constructor(
    protected readonly consumer: L,
    protected readonly opts: TxnConsumerOptions,
  ) {
    this.buffer = new DeliveryBuffer(opts.positions, undefined, opts.sharedGroup === true && opts.holdDeliveries !== false);
  }

  get groupId(): string {
    return this.opts.groupId;
  }

  get positions(): ReadonlyMap<string, number> {
    return this.buffer.positions;
  }

  abstract get alive(): boolean;

  async poll(waitMs: number): Promise<Record<string, Records>> {
    await this.buffer.waitForData(waitMs);
    return this.buffer.drain();
  }

  async ready(waitMs: number): Promise<boolean> {
    await this.buffer.waitForData(waitMs);
    return this.buffer.hasData;
  }

  settle(): void {
    this.buffer.settle();
  }

  abstract seek(key: string, offset: number): void;
  /** Starts fetching; throws when the consumer cannot start. */
  abstract start(): Promise<void>;
  abstract close(): Promise<void>;

  /** Starts `c`, closing it when the start fails. */
  static async started<C extends BufferedTxnConsumer<unknown>>(c: C): Promise<C> {
    try {
      await c.start();
    } catch (err) {
      await c.close();
      throw err;
    }
    return c;
  }
}
