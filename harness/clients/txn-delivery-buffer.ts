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
//
// A copier (holdUntilSettled) keeps each batch a poll took until settle(), called once the
// transaction that copied it ended: kafkajs rejoins a rebalancing group only after every batch
// handler returned, so a partition moves to another copier only after the copy of what was read
// from it committed or aborted (the harness's stand-in for committing in onPartitionsRevoked).
// forget() drops a key's position: after a rejoin the group's committed offsets say where it resumes.

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
  /** Batches a poll took, waiting for settle() (holdUntilSettled). */
  private held: Parked[] = [];
  private readonly waiting = new Set<() => void>();
  private closed = false;

  constructor(
    positions?: ReadonlyMap<string, number>,
    private readonly maxParked = 500,
    private readonly holdUntilSettled = false,
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
    // A copier's batch is held in its handler until its copy ended, room or not.
    return room && !this.holdUntilSettled ? Promise.resolve() : taken;
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
      if (this.holdUntilSettled && !this.closed) this.held.push(p);
      else p.release();
    }
    return out;
  }

  /** Releases the batches the polls took (holdUntilSettled): their copy has ended. */
  settle(): void {
    const held = this.held;
    this.held = [];
    for (const p of held) p.release();
  }

  /** Drops every key's position and parked batch: the next batch of each key is handed out from
   *  wherever it starts (a rejoin: the group's committed offsets). */
  forgetAll(): void {
    for (const key of new Set([...this.positions.keys(), ...this.parked.map((p) => p.key)])) {
      this.seek(key, 0);
      this.positions.delete(key);
    }
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
    for (const p of [...this.parked, ...this.held]) p.release();
    this.parked = [];
    this.held = [];
    for (const w of [...this.waiting]) w();
  }
}
