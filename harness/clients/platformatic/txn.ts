// @platformatic/kafka 1.35 behind the txn client interface (txn-client.ts).
//
// Producer: an idempotent Producer with a transactionalId (the library then forces acks=all and one
// request in flight). producer.beginTransaction() finds the transaction coordinator (once per
// producer: the library caches its node id for the producer's life) and, the first time only, sends
// InitProducerId, which fences any older producer with that id and ends the transaction it left
// open. Transaction.send() adds the partition (AddPartitionsToTxn) before producing.
// sendOffsets: Transaction.addConsumer() reads only `consumer.groupId` and sends AddOffsetsToTxn;
// Transaction.addOffset(message) sends TxnOffsetCommit to message.metadata.consumer.coordinatorId
// with that object's groupId, generationId and memberId, committing message.offset + 1. The harness's
// consumer is in no group (below), so the driver finds the group's coordinator itself (FindCoordinator
// through the library's Admin) and hands addOffset a synthetic message per key (offsetMessage):
// generation -1 and member "" as kafkajs sends them (no KIP-447 zombie fencing). One addOffset at a
// time: the library deduplicates concurrent calls by operation name ("commit"), so two keys
// committed at once would both get the answer of the first key's request and the second would
// never be sent.
// A transaction that added nothing (no send, no offsets: its polls read nothing) ends with
// Transaction.cancel() (local only), as Kafka's Java producer sends no EndTxn for it: the broker
// answers EndTxn on an empty transaction with INVALID_TXN_STATE.
//
// A copier's consumer (sharedGroup) joins no group either: the copy workload hands each copier the
// partitions of its slot (txn-client.ts joinsGroup), and the group is only where their offsets are
// committed. It starts each key at the group's committed offset, read with require_stable (KIP-447:
// the coordinator answers UNSTABLE_OFFSET_COMMIT while a transaction holding offsets for it is
// open, and the read is asked again), as does resetToCommitted; the at-least-once copier commits
// with AlterConsumerGroupOffsets (the group has no members, so the coordinator takes it).
//
// Consumer: as the queue consumer (consumer.ts), manual assignment with no group (the
// Consumer, used for metadata, needs a groupId and never joins), Fetch requests at the spec's
// isolation sent through the library's protocol API (raw-fetch.ts), not
// Consumer.fetch(), whose read_committed filter both hands out aborted records and drops committed
// ones. Control batches and (read_committed) aborted records are dropped by the harness by Kafka's
// rule (fetch.ts). Fetched
// records are parked in a DeliveryBuffer (txn-delivery-buffer.ts) until a ["poll"] micro-op takes
// them; a seek bumps the key's epoch, so a fetch issued before it is discarded.
import { Admin, Consumer, FindCoordinatorKeyTypes, Producer } from "@platformatic/kafka";
import type { ClientSecurity } from "../../protocol/security.ts";
import { BufferedTxnConsumer } from "../buffered-txn-consumer.ts";
import { keyOf, parseKey } from "../context.ts";
import { fetchLoop, sleep } from "../fetch-loop.ts";
import { OpenTransaction, type TxnConsumerOptions, type TxnProducerDriver, type TxnProducerSettings, txnClient } from "../txn-client.ts";
import { isPlatformaticFenced } from "./classify.ts";
import { recordsOfPartition } from "./fetch.ts";
import { assignOnlyConsumer, FETCH_WAIT_MS, fetchFromLeaders, RawFetcher } from "./raw-fetch.ts";
import { platformaticSecurity } from "./security.ts";

/** What Transaction.addOffset() reads of a consumed message to commit `next` for `key` to the group
 *  (TxnOffsetCommit to metadata.consumer.coordinatorId, offset + 1 committed). The harness's
 *  consumer is in no group: generation -1 and member "" (as kafkajs sends), which the group
 *  coordinator accepts for any group. */
export function offsetMessage(key: string, next: number, groupId: string, coordinatorId: number) {
  if (!Number.isInteger(next) || next < 1) throw new Error(`no offset to commit for ${key}: next offset ${next}`);
  const { topic, partition } = parseKey(key);
  return {
    topic,
    partition,
    offset: BigInt(next) - 1n,
    metadata: { consumer: { groupId, generationId: -1, memberId: "", coordinatorId } },
  };
}
type Transaction = Awaited<ReturnType<Producer["beginTransaction"]>>;

/** Retry delay for the library's retried operations: right after a commit the coordinator answers
 *  CONCURRENT_TRANSACTIONS until its markers are written (milliseconds), so retry soon and often
 *  (Java's AddPartitionsToTxn retries it after 20 ms). */
const retryDelay = (_client: unknown, _op: string, attempt: number): number => Math.min(20 * 2 ** (attempt - 1), 500);

class PlatformaticTxnProducer implements TxnProducerDriver {
  private readonly txn = new OpenTransaction<Transaction>();
  /** Something was added to the transaction (a send or offsets were attempted): it needs an EndTxn. */
  private touched = false;
  private groupCoordinators = new Map<string, number>();
  private admin: Admin | undefined;

  constructor(
    private readonly producer: Producer,
    private readonly bootstrap: string[],
    private readonly settings: TxnProducerSettings,
    private readonly security: ClientSecurity | undefined,
  ) {}

  async begin(): Promise<void> {
    this.touched = false;
    this.txn.begun(await this.producer.beginTransaction());
  }

  async send(key: string, value: number): Promise<number | undefined> {
    const { topic, partition } = parseKey(key);
    const t = this.txn.current;
    this.touched = true;
    const result = await t.send({ acks: -1, messages: [{ topic, partition, value: Buffer.from(String(value)) }] });
    const offset = result.offsets?.find((o) => o.topic === topic && o.partition === partition)?.offset;
    return offset === undefined ? undefined : Number(offset);
  }

  private async coordinatorOf(groupId: string): Promise<number> {
    const known = this.groupCoordinators.get(groupId);
    if (known !== undefined) return known;
    this.admin ??= new Admin({
      ...platformaticSecurity(this.security),
      clientId: "kafka-harness-txn-admin",
      bootstrapBrokers: this.bootstrap,
      connectTimeout: 3000,
      requestTimeout: this.settings.requestTimeoutMs,
      retries: 3,
      retryDelay: 200,
    });
    const found = await this.admin.findCoordinator({ keyType: FindCoordinatorKeyTypes.GROUP, keys: [groupId] });
    const nodeId = found.find((c) => c.key === groupId)?.nodeId;
    if (nodeId === undefined || nodeId < 0) throw new Error(`no coordinator found for group ${groupId}`);
    this.groupCoordinators.set(groupId, nodeId);
    return nodeId;
  }

  async sendOffsets(groupId: string, next: Record<string, number>): Promise<void> {
    const t = this.txn.current;
    this.touched = true;
    // AddOffsetsToTxn: the library reads only the groupId of the "consumer" it is given.
    await t.addConsumer({ groupId } as unknown as Consumer);
    const coordinatorId = await this.coordinatorOf(groupId);
    // The library connects to metadata.brokers.get(coordinatorId) without checking it: a broker
    // missing from its metadata (killed, or not yet back) throws a TypeError from inside its
    // callbacks, which no caller can catch and which ends the run. Refuse that here instead.
    const topics = [...new Set(Object.keys(next).map((key) => parseKey(key).topic))];
    if (!(await this.producer.metadata({ topics })).brokers.has(coordinatorId)) {
      this.groupCoordinators.delete(groupId);
      throw new Error(`the coordinator of group ${groupId} (broker ${coordinatorId}) is not in the client's metadata`);
    }
    try {
      for (const [key, offset] of Object.entries(next))
        await t.addOffset(offsetMessage(key, offset, groupId, coordinatorId) as unknown as Parameters<Transaction["addOffset"]>[0]);
    } catch (err) {
      // The group's coordinator may have moved (NOT_COORDINATOR): find it again next time.
      this.groupCoordinators.delete(groupId);
      throw err;
    }
  }

  async commit(): Promise<void> {
    const t = this.txn.end();
    await (this.touched ? t.commit() : t.cancel());
  }

  async abort(): Promise<void> {
    const t = this.txn.end();
    await (this.touched ? t.abort() : t.cancel());
  }

  isFenced(err: unknown): boolean {
    return isPlatformaticFenced(err);
  }

  async close(): Promise<void> {
    await this.admin?.close().catch(() => undefined);
    await this.producer.close(true);
  }
}

async function openProducer(
  bootstrap: string[],
  settings: TxnProducerSettings,
  security?: ClientSecurity,
): Promise<PlatformaticTxnProducer> {
  const producer = new Producer({
    ...platformaticSecurity(security),
    clientId: "kafka-harness-txn-producer",
    bootstrapBrokers: bootstrap,
    idempotent: true,
    transactionalId: settings.transactionalId,
    // InitProducerId's producer id and epoch: the library sends 0 and 0 unless told (producer.js
    // #initIdempotentProducer), which the coordinator (KIP-360) takes as "bump the epoch of producer
    // 0 at epoch 0" and answers PRODUCER_FENCED for any transactional id already held by another
    // producer id or epoch: no new producer could take over an id used before (seen: seed 101,
    // docs/transactions.md). -1 / -1 is "a new producer", what Kafka's Java client sends.
    producerId: -1n,
    producerEpoch: -1,
    // One option for two things: the produce request's broker-side ack timeout and InitProducerId's
    // transaction timeout (the broker aborts a transaction left open this long). The transaction
    // timeout is what must be right; the client's own wait per request is requestTimeout.
    timeout: settings.transactionTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    connectTimeout: 3000,
    retries: Math.max(settings.retries, 8),
    retryDelay,
    autocreateTopics: false,
  });
  return new PlatformaticTxnProducer(producer, bootstrap, settings, security);
}

class PlatformaticTxnConsumer extends BufferedTxnConsumer<Consumer> {
  /** Next offset to fetch per key (ahead of the buffer's positions: what is fetched but not polled). */
  private readonly fetchPositions = new Map<string, number>(this.opts.keys.map((key) => [key, this.opts.positions?.get(key) ?? 0]));
  private stopping = false;
  private loop: Promise<void> = Promise.resolve();
  private readonly fetcher: RawFetcher;

  private admin: Admin | undefined;

  constructor(
    consumer: Consumer,
    opts: TxnConsumerOptions,
    private readonly bootstrap: string[],
    private readonly security: ClientSecurity | undefined,
  ) {
    super(consumer, opts);
    this.fetcher = new RawFetcher("kafka-harness-txn-consumer", { connectTimeout: 3000, requestTimeout: 10_000 }, security);
  }

  private adminClient(): Admin {
    this.admin ??= new Admin({
      ...platformaticSecurity(this.security),
      clientId: "kafka-harness-copier-admin",
      bootstrapBrokers: this.bootstrap,
      connectTimeout: 3000,
      requestTimeout: 10_000,
      retries: 3,
      retryDelay: 200,
    });
    return this.admin;
  }

  /** The group's committed offset of each key (0 when none), read stable: asked again while an open
   *  transaction holds offsets of the group (UNSTABLE_OFFSET_COMMIT), up to 30 s. */
  private async committed(keys: string[]): Promise<Map<string, number>> {
    const { topic, groupId } = this.opts;
    const partitionIndexes = keys.map((k) => parseKey(k).partition);
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const [group] = await this.adminClient().listConsumerGroupOffsets({
          groups: [{ groupId, topics: [{ name: topic, partitionIndexes }] }],
          requireStable: true,
        });
        const out = new Map(keys.map((k) => [k, 0]));
        for (const t of group?.topics ?? [])
          for (const p of t.partitions)
            if (p.committedOffset >= 0n) out.set(keyOf({ topic: t.name, partition: p.partitionIndex }), Number(p.committedOffset));
        return out;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(200);
      }
    }
  }

  async resetToCommitted(keys: string[]): Promise<void> {
    for (const [key, offset] of await this.committed(keys)) this.seek(key, offset);
  }

  async commitOffsets(next: Record<string, number>): Promise<void> {
    const byTopic = new Map<string, { partition: number; offset: bigint }[]>();
    for (const [key, offset] of Object.entries(next)) {
      const { topic, partition } = parseKey(key);
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), { partition, offset: BigInt(offset) }]);
    }
    await this.adminClient().alterConsumerGroupOffsets({
      groupId: this.opts.groupId,
      topics: [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets })),
    });
  }

  get alive(): boolean {
    return true; // the fetch loop never gives up by itself
  }

  seek(key: string, offset: number): void {
    this.buffer.seek(key, offset);
    this.fetchPositions.set(key, offset);
  }

  async start(): Promise<void> {
    await this.consumer.metadata({ topics: [this.opts.topic] });
    // A copier resumes its partitions where the group committed.
    if (this.opts.sharedGroup) await this.resetToCommitted(this.opts.keys);
    this.loop = this.run();
  }

  private run(): Promise<void> {
    return fetchLoop(
      () => this.stopping,
      () => this.fetchRound(),
      async () => {
        this.consumer.clearMetadata();
        await sleep(200);
      },
    );
  }

  private async fetchRound(): Promise<void> {
    await fetchFromLeaders(this.consumer, this.opts.topic, this.opts.keys, (broker, topicId, partitions) =>
      this.fetchFrom(broker, topicId, partitions),
    );
  }

  private async fetchFrom(broker: { host: string; port: number }, topicId: string, partitions: number[]): Promise<void> {
    const { topic } = this.opts;
    const readCommitted = this.opts.isolation === "read_committed";
    const asked = new Map(
      partitions.map((partition) => {
        const key = keyOf({ topic, partition });
        return [partition, { key, epoch: this.buffer.epochOf(key), from: this.fetchPositions.get(key) ?? 0 }];
      }),
    );
    // Not Consumer.fetch(): its read_committed filter drops committed records (raw-fetch.ts).
    const response = await this.fetcher.fetchOrPartial(
      broker,
      {
        maxWaitMs: FETCH_WAIT_MS,
        readCommitted,
        topicId,
        partitions: [...asked].map(([partition, a]) => ({ partition, fetchOffset: BigInt(a.from) })),
      },
      () => this.consumer.clearMetadata(),
    );
    if (!response) return;
    if (this.stopping) return;
    const parked: Promise<void>[] = [];
    for (const topicResponse of response.responses) {
      for (const p of topicResponse.partitions) {
        const a = asked.get(p.partitionIndex);
        if (!a || p.errorCode !== 0 || !p.records) continue;
        // A seek since the request was sent: what came back is from before it.
        if (this.buffer.epochOf(a.key) !== a.epoch || this.fetchPositions.get(a.key) !== a.from) continue;
        const { records, next } = recordsOfPartition(p, a.from, readCommitted);
        this.fetchPositions.set(a.key, next);
        parked.push(this.buffer.put(a.key, records, a.epoch));
      }
    }
    // Bounded memory: wait while a key has too much parked (a poll, a seek or close releases it).
    await Promise.all(parked);
  }

  async close(): Promise<void> {
    this.stopping = true;
    this.buffer.close();
    // A fetch to a paused broker waits for its request timeout: close() does not wait that long.
    await Promise.race([this.loop, sleep(FETCH_WAIT_MS + 1500)]);
    await this.fetcher.close().catch(() => undefined);
    await this.admin?.close().catch(() => undefined);
    await this.consumer.close().catch(() => undefined);
  }
}

async function openConsumer(bootstrap: string[], opts: TxnConsumerOptions, security?: ClientSecurity): Promise<PlatformaticTxnConsumer> {
  // The slot's group (the one sendOffsets commits to) is opts.groupId; the library's consumer joins none.
  const consumer = assignOnlyConsumer("kafka-harness-txn-consumer", bootstrap, "kafka-harness-txn-assign", security);
  return BufferedTxnConsumer.started(new PlatformaticTxnConsumer(consumer, opts, bootstrap, security));
}

export const platformaticTxnClient = txnClient("platformatic", openProducer, openConsumer);
