// librdkafka (@confluentinc/kafka-javascript 1.10.1, librdkafka 2.15.1) behind the txn client
// interface (txn-client.ts), through the package's native API.
//
// Producer: a Producer with transactional.id (config.ts txnProducerConfig). Every transactional
// call of the binding (initTransactions, beginTransaction, sendOffsetsToTransaction,
// commitTransaction, abortTransaction) runs librdkafka's blocking call in a libuv worker and calls
// back with its result (src/workers.cc): a callback with no error is librdkafka's success, which for
// init, sendOffsets, commit and abort is the coordinator's answer (rdkafka.h: commit "will block until
// ... the transaction commit request has been successfully handled by the transaction coordinator");
// beginTransaction is local. librdkafka sends no EndTxn for a transaction that registered nothing
// (no partition, no offsets): its commit or abort is then local, and nothing of it is anywhere.
// An AddPartitionsToTxn or AddOffsetsToTxn whose answer was lost still counts as registered
// (rdkafka_txnmgr.c), so an acknowledged abort always covers what may have reached the broker.
// initTransactions (InitProducerId: fences an older producer with the id and ends the transaction
// it left open) runs when the producer opens. A record inside the transaction is one produce()
// whose delivery report (its offset, or an error) settles send(); sends are awaited one at a time.
// Each call has a finite timeout (txnCallMs), so a libuv worker is never held for a whole
// transaction timeout (the consumers' consume() calls share those workers), and close() waits for a
// call in flight, and refuses new ones, before destroying the producer under it.
// sendOffsetsToTransaction takes a KafkaConsumer for the group's metadata
// (rd_kafka_consumer_group_metadata): the driver keeps a consumer of its own with the group's id
// that never joins it, so the metadata is generation -1 and member "" (as kafkajs and the harness's
// @platformatic/kafka driver send: no KIP-447 fencing of a copier that lost its partitions).
// Error classification: txn-process.ts decides from which call failed; the library says only
// whether the producer is fenced or fatal (classify.ts isConfluentFenced).
//
// Consumer: a KafkaConsumer with manual assignment (assign with explicit offsets, as the queue's
// consumer.ts), group.id the slot's group, which it never joins (copy: every copier reads the
// partitions of its slot; txn-client.ts joinsGroup is unset), isolation as the spec says. A loop
// calls consume(n) and parks each key's records in the DeliveryBuffer until a ["poll"] takes them;
// a seek bumps the key's epoch, so records of a consume() call issued before it are dropped, and
// librdkafka's own seek is made between two consume() calls (the binding runs it in a worker).
// A copier's consumer (sharedGroup) starts each key at the group's committed offset, read with
// committed() (rd_kafka_committed: OffsetFetch with require_stable under read_committed, asked again
// while a transaction holding offsets of the group is open), as resetToCommitted does. The
// at-least-once copier commits through a second consumer of the group (never assigned, never
// joined): commitCb's callback only says the commit was queued (docs/clients.md), so the answer
// is taken from offset_commit_cb, served by that consumer's own consume() calls (the reading
// consumer's loop waits while a copier holds its deliveries).
import type { ClientSecurity } from "../../protocol/security.ts";
import { BufferedTxnConsumer } from "../buffered-txn-consumer.ts";
import { keyOf, parseKey } from "../context.ts";
import { fetchLoop, sleep } from "../fetch-loop.ts";
import { OpenTransaction, type TxnConsumerOptions, type TxnProducerDriver, type TxnProducerSettings, txnClient } from "../txn-client.ts";
import { ConfluentDeliveryError, ConfluentEnqueueError, ConfluentTxnError, isConfluentFenced } from "./classify.ts";
import { consumerConfig, FETCH_WAIT_MS, txnProducerConfig } from "./config.ts";
import { deliveriesOf } from "./consumer.ts";
import {
  consumeBatch,
  loadConfluent,
  type RdConsumer,
  type RdDeliveryReport,
  type RdKafkaError,
  type RdMessage,
  type RdProducer,
  type RdTopicPartitionAnswer,
} from "./package.ts";
import { connectRd, disconnectRd } from "./producer.ts";

const MAX_MESSAGES = 1000;
/** How long committed() and a commit's answer may take (UNSTABLE_OFFSET_COMMIT is asked again). */
const GROUP_CALL_MS = 30_000;
/** How long a seek may wait for librdkafka to take it (its answer says whether it did). */
const SEEK_MS = 5000;

/** The bound of one transactional call: three request timeouts (librdkafka retries inside it, a
 *  coordinator's failover included), at least 10 s, at most the transaction timeout. Pure. */
export function txnCallMs(s: Pick<TxnProducerSettings, "requestTimeoutMs" | "transactionTimeoutMs">): number {
  return Math.min(s.transactionTimeoutMs, Math.max(10_000, 3 * s.requestTimeoutMs));
}

/** A binding call answered by a callback as a promise; its error wrapped with the call's name. */
function call(name: string, start: (cb: (err: RdKafkaError | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      start((err) => (err ? reject(new ConfluentTxnError(name, err)) : resolve()));
    } catch (err) {
      reject(new ConfluentTxnError(name, err));
    }
  });
}

/** A send's delivery report goes to its own opaque. */
interface PendingSend {
  resolve: (offset: number | undefined) => void;
  reject: (err: unknown) => void;
}

/** The 'delivery-report' listener: the record's offset (undefined when the answer carried none:
 *  librdkafka's -1), or its error. */
export function onTxnDeliveryReport(err: RdKafkaError | null, report: RdDeliveryReport): void {
  const p = report?.opaque as PendingSend | undefined;
  if (!p) return;
  if (err) p.reject(new ConfluentDeliveryError(err.code, err.message));
  else p.resolve(report.offset >= 0 ? report.offset : undefined);
}

/** What the driver needs of the package (a fake one in the unit tests). */
export interface TxnParts {
  producer: RdProducer;
  /** A consumer of `groupId` whose metadata goes with the offsets (connected on first use). */
  groupConsumer(groupId: string): Promise<RdConsumer>;
  closeGroupConsumers(): Promise<void>;
}

export class ConfluentTxnProducer implements TxnProducerDriver {
  private readonly txn = new OpenTransaction<true>();
  /** The transactional call in flight: close() waits for it (the binding's workers use the producer unlocked). */
  private inFlight: Promise<unknown> = Promise.resolve();
  private readonly callMs: number;

  constructor(
    private readonly parts: TxnParts,
    settings: TxnProducerSettings,
  ) {
    this.callMs = txnCallMs(settings);
  }

  /** close() began: no binding call may start (one whose answer came after the producer was
   *  destroyed would use it freed, and re-open its callback handles). */
  private closing = false;

  private track<T>(start: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new Error("the transactional producer is closing"));
    const p = start();
    this.inFlight = p.catch(() => undefined);
    return p;
  }

  /** InitProducerId: fences an older producer with the id and ends the transaction it left open. */
  init(): Promise<void> {
    return this.track(() => call("initTransactions", (cb) => this.parts.producer.initTransactions(this.callMs, cb)));
  }

  async begin(): Promise<void> {
    await this.track(() => call("beginTransaction", (cb) => this.parts.producer.beginTransaction(cb)));
    this.txn.begun(true);
  }

  send(key: string, value: number): Promise<number | undefined> {
    void this.txn.current; // throws when no transaction was begun
    if (this.closing) return Promise.reject(new Error("the transactional producer is closing"));
    const { topic, partition } = parseKey(key);
    return new Promise((resolve, reject) => {
      try {
        this.parts.producer.produce(topic, partition, Buffer.from(String(value)), null, null, { resolve, reject } satisfies PendingSend);
      } catch (err) {
        // Not enqueued (the transaction is in an abortable state, the producer fatal): never sent.
        reject(new ConfluentEnqueueError(err));
      }
    });
  }

  async sendOffsets(groupId: string, next: Record<string, number>): Promise<void> {
    void this.txn.current; // throws when no transaction was begun
    const consumer = await this.track(() => this.parts.groupConsumer(groupId));
    const offsets = Object.entries(next).map(([key, offset]) => ({ ...parseKey(key), offset }));
    await this.track(() =>
      call("sendOffsetsToTransaction", (cb) => this.parts.producer.sendOffsetsToTransaction(offsets, consumer, this.callMs, cb)),
    );
  }

  async commit(): Promise<void> {
    this.txn.end();
    await this.track(() => call("commitTransaction", (cb) => this.parts.producer.commitTransaction(this.callMs, cb)));
  }

  async abort(): Promise<void> {
    this.txn.end();
    await this.track(() => call("abortTransaction", (cb) => this.parts.producer.abortTransaction(this.callMs, cb)));
  }

  isFenced(err: unknown): boolean {
    return isConfluentFenced(err);
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.inFlight;
    await this.parts.closeGroupConsumers();
    await disconnectRd(this.parts.producer);
  }
}

/** The package's parts for one transactional producer. */
async function openParts(bootstrap: string[], settings: TxnProducerSettings, security?: ClientSecurity): Promise<TxnParts> {
  const { Producer, KafkaConsumer } = loadConfluent();
  const producer = new Producer(txnProducerConfig(bootstrap, settings, security));
  producer.on("delivery-report", onTxnDeliveryReport as never);
  producer.on("event.error", (() => undefined) as never);
  await connectRd(producer, "", Math.max(5000, settings.requestTimeoutMs));
  producer.setPollInBackground(true);
  const groupConsumers = new Map<string, Promise<RdConsumer>>();
  return {
    producer,
    groupConsumer(groupId) {
      let c = groupConsumers.get(groupId);
      if (!c) {
        const consumer = new KafkaConsumer(consumerConfig(bootstrap, "read_committed", groupId, security));
        consumer.on("event.error", (() => undefined) as never);
        c = connectRd(consumer, "", 10_000);
        c.catch(() => groupConsumers.delete(groupId));
        groupConsumers.set(groupId, c);
      }
      return c;
    },
    async closeGroupConsumers() {
      const all = [...groupConsumers.values()];
      groupConsumers.clear();
      await Promise.all(all.map((c) => c.then((x) => disconnectRd(x)).catch(() => undefined)));
    },
  };
}

async function openProducer(bootstrap: string[], settings: TxnProducerSettings, security?: ClientSecurity): Promise<ConfluentTxnProducer> {
  const parts = await openParts(bootstrap, settings, security);
  const p = new ConfluentTxnProducer(parts, settings);
  try {
    await p.init();
  } catch (err) {
    await p.close().catch(() => undefined);
    throw err;
  }
  return p;
}

/** Each key's committed offset from committed()'s answer (0 where none); throws when a partition
 *  carries an error (UNSTABLE_OFFSET_COMMIT after librdkafka's own retries: asked again). Pure. */
export function committedOffsets(keys: readonly string[], answer: readonly RdTopicPartitionAnswer[]): Map<string, number> {
  const out = new Map(keys.map((k): [string, number] => [k, 0]));
  for (const tp of answer) {
    if (tp instanceof Error) throw tp;
    if (typeof tp.offset === "number" && tp.offset >= 0) out.set(keyOf(tp), tp.offset);
  }
  return out;
}

/** offset_commit_cb's answer for a commit: its error, or the first partition's error; undefined
 *  when the coordinator took every offset. Pure. */
export function commitAnswerError(err: RdKafkaError | null | undefined, offsets: readonly RdTopicPartitionAnswer[] | undefined): unknown {
  if (err) return err;
  return (offsets ?? []).find((o) => o instanceof Error);
}

/** The at-least-once copier's commits: a consumer of the group, never assigned, whose consume()
 *  calls serve offset_commit_cb. One commit at a time. */
class Committer {
  private answer: ((err: unknown) => void) | undefined;

  constructor(private readonly consumer: RdConsumer & { disconnect(cb: () => void): unknown }) {
    consumer.on("offset.commit", ((err: RdKafkaError | null, offsets: RdTopicPartitionAnswer[]) => {
      const a = this.answer;
      this.answer = undefined;
      a?.(commitAnswerError(err, offsets));
    }) as never);
  }

  async commit(next: Record<string, number>): Promise<void> {
    const toppars = Object.entries(next).map(([key, offset]) => ({ ...parseKey(key), offset }));
    const deadline = Date.now() + GROUP_CALL_MS;
    let outcome: { err: unknown } | undefined;
    this.answer = (err) => {
      outcome = { err };
    };
    this.consumer.commitCb(toppars, (err) => {
      // Only "queued": an error here is librdkafka refusing it before any request.
      if (err && !outcome) {
        this.answer = undefined;
        outcome = { err };
      }
    });
    while (!outcome && Date.now() < deadline) {
      await new Promise<void>((resolve) => this.consumer.consume(1, () => resolve()));
    }
    this.answer = undefined;
    if (!outcome) throw new Error(`no answer to the offset commit within ${GROUP_CALL_MS} ms`);
    if (outcome.err) throw new ConfluentTxnError("commit", outcome.err);
  }

  close(): Promise<void> {
    return disconnectRd(this.consumer);
  }
}

export class ConfluentTxnConsumer extends BufferedTxnConsumer<RdConsumer> {
  /** Next offset to fetch per key (ahead of the buffer's positions: what is fetched but not polled). */
  private readonly fetchPositions = new Map<string, number>();
  private stopping = false;
  private crashed: unknown;
  private loop: Promise<void> = Promise.resolve();
  private committer: Promise<Committer> | undefined;
  private assigned = false;
  /** Keys seeked since the last fetch round: librdkafka's seek is made before the next consume(). */
  private readonly toSeek = new Set<string>();

  constructor(
    consumer: RdConsumer,
    opts: TxnConsumerOptions,
    private readonly bootstrap: string[],
    private readonly security: ClientSecurity | undefined,
  ) {
    super(consumer, opts);
  }

  get alive(): boolean {
    return this.crashed === undefined;
  }

  seek(key: string, offset: number): void {
    this.buffer.seek(key, offset);
    this.fetchPositions.set(key, offset);
    // librdkafka's seek waits for the fetch loop (applySeeks): a consume() in flight would take the
    // records fetched from the new position, which the epoch check then drops, and nothing would
    // fetch them again (seen: a read skipping records after an abort's seek back).
    if (this.assigned) this.toSeek.add(key);
  }

  /** librdkafka's seeks of the keys seeked since the last round; none of them has a consume() in
   *  flight. rd_kafka_seek sets the partition's version barrier before it answers (records fetched
   *  before it are dropped); one it refused is an assign of every key at its position. */
  private async applySeeks(): Promise<void> {
    const keys = [...this.toSeek];
    this.toSeek.clear();
    const refused = await Promise.all(
      keys.map(
        (key) =>
          new Promise<boolean>((resolve) => {
            try {
              this.consumer.seek({ ...parseKey(key), offset: this.fetchPositions.get(key) ?? 0 }, SEEK_MS, (err) => resolve(!!err));
            } catch {
              resolve(true);
            }
          }),
      ),
    );
    if (refused.some(Boolean)) this.assignAll();
  }

  /** Every key at its fetch position (librdkafka starts fetching each from there). */
  private assignAll(): void {
    try {
      this.consumer.assign(this.opts.keys.map((key) => ({ ...parseKey(key), offset: this.fetchPositions.get(key) ?? 0 })));
      this.assigned = true;
    } catch {
      // Closing: nothing to assign.
    }
  }

  private committed(keys: string[]): Promise<Map<string, number>> {
    const toppars = keys.map(parseKey);
    const deadline = Date.now() + GROUP_CALL_MS;
    const ask = (): Promise<Map<string, number>> =>
      new Promise<Map<string, number>>((resolve, reject) => {
        try {
          this.consumer.committed(toppars, 10_000, (err, answer) => {
            if (err) reject(err);
            else {
              try {
                resolve(committedOffsets(keys, answer ?? []));
              } catch (e) {
                reject(e);
              }
            }
          });
        } catch (err) {
          reject(err);
        }
      }).catch(async (err: unknown) => {
        if (Date.now() > deadline) throw err;
        await sleep(200);
        return ask();
      });
    return ask();
  }

  async resetToCommitted(keys: string[]): Promise<void> {
    for (const [key, offset] of await this.committed(keys)) this.seek(key, offset);
  }

  async commitOffsets(next: Record<string, number>): Promise<void> {
    this.committer ??= (async () => {
      const { KafkaConsumer } = loadConfluent();
      const c = new KafkaConsumer({
        ...consumerConfig(this.bootstrap, "read_committed", this.opts.groupId, this.security),
        offset_commit_cb: true,
      }) as RdConsumer & { disconnect(cb: () => void): unknown };
      c.on("event.error", (() => undefined) as never);
      await connectRd(c, this.opts.topic, 10_000);
      c.setDefaultConsumeTimeout(100);
      return new Committer(c);
    })();
    this.committer.catch(() => (this.committer = undefined));
    await (await this.committer).commit(next);
  }

  async start(): Promise<void> {
    const { topic, keys } = this.opts;
    await connectRd(this.consumer, topic, 10_000);
    this.consumer.setDefaultConsumeTimeout(FETCH_WAIT_MS);
    this.consumer.setDefaultIsTimeoutOnlyForFirstMessage(true);
    // A copier resumes its partitions where the group committed.
    if (this.opts.sharedGroup) for (const [key, offset] of await this.committed(keys)) this.buffer.seek(key, offset);
    for (const key of keys) this.fetchPositions.set(key, this.buffer.positions.get(key) ?? 0);
    this.assignAll();
    if (!this.assigned) throw new Error("librdkafka refused the assignment");
    this.loop = fetchLoop(
      () => this.stopping,
      () => this.fetchRound(),
      () => sleep(100),
    );
  }

  private consumeOnce(): Promise<RdMessage[]> {
    return consumeBatch(this.consumer, MAX_MESSAGES);
  }

  private async fetchRound(): Promise<void> {
    // Epochs first: a key seeked after this point has its records of this round dropped, and its
    // librdkafka seek is made at the next round, so they are fetched again.
    const epochs = new Map(this.opts.keys.map((k) => [k, this.buffer.epochOf(k)]));
    if (this.toSeek.size) await this.applySeeks();
    let messages: RdMessage[];
    try {
      messages = await this.consumeOnce();
    } catch (err) {
      // librdkafka carries on by itself after a broker or a reset error; a fatal one ends the consumer.
      if ((err as RdKafkaError).isFatal) {
        this.crashed ??= err;
        this.stopping = true;
        this.buffer.close();
      }
      throw err;
    }
    if (this.stopping) return;
    const parked: Promise<void>[] = [];
    for (const [key, records] of deliveriesOf(messages, this.fetchPositions)) {
      const epoch = epochs.get(key);
      // A seek since the call was issued: what came back is from the old position (librdkafka's
      // seek of the key is made next round).
      if (epoch === undefined || epoch !== this.buffer.epochOf(key) || !records.length) continue;
      this.fetchPositions.set(key, records[records.length - 1]![0] + 1);
      parked.push(this.buffer.put(key, records, epoch));
    }
    // Bounded memory (and a copier's held deliveries): wait until a poll, a seek or close releases them.
    await Promise.all(parked);
  }

  async close(): Promise<void> {
    this.stopping = true;
    this.buffer.close();
    await Promise.race([this.loop, sleep(FETCH_WAIT_MS + 1500)]);
    const committer = this.committer;
    this.committer = undefined;
    await committer?.then((c) => c.close()).catch(() => undefined);
    await disconnectRd(this.consumer);
  }
}

async function openConsumer(bootstrap: string[], opts: TxnConsumerOptions, security?: ClientSecurity): Promise<ConfluentTxnConsumer> {
  const { KafkaConsumer } = loadConfluent();
  const consumer = new KafkaConsumer(consumerConfig(bootstrap, opts.isolation, opts.groupId, security));
  consumer.on("event.error", (() => undefined) as never);
  return BufferedTxnConsumer.started(new ConfluentTxnConsumer(consumer, opts, bootstrap, security));
}

export const confluentTxnClient = txnClient("confluent", openProducer, openConsumer);

/** The client, once the package loads (ConfluentNotInstalled otherwise), as confluent/client.ts. */
export function loadConfluentTxnClient() {
  loadConfluent();
  return confluentTxnClient;
}
