// How a push consumer (kafkajs's eachBatch) serves the txn workload's ["poll"] micro-ops: each
// fetched batch is parked here until a poll takes it. A poll drains every parked batch at once, as
// one poll of a Java consumer returns what it has fetched. The batch handler goes on fetching until
// a key has maxParked records parked, then waits until a poll takes them (bounded memory, and the
// consumer keeps up with the log between the workload's polls, which are a fraction of its ops).
//
// The buffer also keeps the consumer's positions (next offset to hand out, per key): records below
// a key's position are dropped, and seek() moves it, bumping the key's epoch so a batch fetched
// before the seek (parked, or still on its way) is discarded instead of handed out past the seek
// point. Pure (no library, no clock but the bounded wait), so it is tested without a cluster.

import { nextSignal } from "../util/wait.ts";

export type Records = [offset: number, value: number][];

interface Parked {
  key: string;
  epoch: number;
  records: Records;
  release: () => void;
}

export class DeliveryBuffer {
  readonly positions: Map<string, number>;
  private readonly epochs = new Map<string, number>();
  private parked: Parked[] = [];
  private readonly waiting = new Set<() => void>();
  private closed = false;

  constructor(
    positions?: ReadonlyMap<string, number>,
    private readonly maxParked = 500,
  ) {
    this.positions = new Map(positions ?? []);
  }

  /** The key's seek epoch: take it before fetching work starts, pass it to put(). */
  epochOf(key: string): number {
    return this.epochs.get(key) ?? 0;
  }

  /** Parks a fetched batch; resolves at once while the key has room, else once a poll took it, a
   *  seek discarded it, or the buffer closed. */
  put(key: string, records: Records, epoch: number): Promise<void> {
    if (this.closed || epoch !== this.epochOf(key) || records.length === 0) return Promise.resolve();
    const room = this.parked.filter((p) => p.key === key).reduce((n, p) => n + p.records.length, 0) < this.maxParked;
    const taken = new Promise<void>((release) => this.parked.push({ key, epoch, records, release }));
    for (const w of [...this.waiting]) w();
    return room ? Promise.resolve() : taken;
  }

  get hasData(): boolean {
    return this.parked.length > 0;
  }

  /** Waits until something is parked, at most timeoutMs. */
  waitForData(timeoutMs: number): Promise<void> {
    if (this.hasData || this.closed) return Promise.resolve();
    return nextSignal(this.waiting, timeoutMs);
  }

  /** Everything parked, per key in offset order, from each key's position on; positions advance. */
  drain(): Record<string, Records> {
    const out: Record<string, Records> = {};
    const taken = this.parked;
    this.parked = [];
    for (const p of taken) {
      if (p.epoch === this.epochOf(p.key)) {
        const from = this.positions.get(p.key) ?? 0;
        const fresh = p.records.filter(([o]) => o >= from);
        if (fresh.length) {
          (out[p.key] ??= []).push(...fresh);
          this.positions.set(p.key, fresh[fresh.length - 1]![0] + 1);
        }
      }
      p.release();
    }
    return out;
  }

  /** Moves a key's position; batches of the key fetched before are discarded. */
  seek(key: string, offset: number): void {
    this.epochs.set(key, this.epochOf(key) + 1);
    this.positions.set(key, offset);
    const [gone, kept] = [this.parked.filter((p) => p.key === key), this.parked.filter((p) => p.key !== key)];
    this.parked = kept;
    for (const p of gone) p.release();
  }

  /** Releases every parked batch and waiter: the consumer is stopping. */
  close(): void {
    this.closed = true;
    for (const p of this.parked) p.release();
    this.parked = [];
    for (const w of [...this.waiting]) w();
  }
}
