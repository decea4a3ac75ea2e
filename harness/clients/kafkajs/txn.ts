// kafkajs behind the txn client interface (txn-client.ts).
//
// Producer: kafkajs needs idempotent: true and maxInFlightRequests: 1 for a transactional producer;
// sends inside a transaction are acks=all (-1). connect() and the first transaction() send
// InitProducerId for the transactional id, which fences any older producer with that id and ends
// (aborts, or completes a commit already decided) the transaction it left open.
//
// Consumer: kafkajs has no poll(), only a push loop (eachBatch), and no manual assign (see
// consumer.ts): this consumer is alone in its group (the slot's group, the one its offsets
// are committed to with sendOffsets), auto-commit off, subscribed from the beginning, positions
// restored by seek after any rejoin. Each batch is parked in a DeliveryBuffer until a ["poll"]
// micro-op drains it, so a poll returns what the consumer had fetched since the previous poll; the
// handler waits (heartbeating) only when a key has too much parked.
// readUncommitted follows the spec's consumer.isolation; read_committed goes through the harness's
// fix of kafkajs's aborted-record filter (harness/kafkajs/aborted-filter-fix.ts).
//
// A copier's consumer (sharedGroup) shares one group with the other copiers: after a rejoin each
// partition resumes from the group's committed offsets (kafkajs's own rule: its positions are
// forgotten, not restored), and the batches a poll took stay in their handlers until settle(), so
// kafkajs rejoins only once the transaction that copied them ended. kafkajs sends its offsets in a
// transaction with TxnOffsetCommit v0/v1 (no generation or member id: no KIP-447 fencing of a
// copier that lost its partitions) and fetches committed offsets without require_stable; holding the
// handlers until the transaction ends is what keeps a partition's next owner from reading its
// offsets while a copy of it is open.
import type { Consumer, Producer, Transaction } from "kafkajs";
import { assertKafkajsAbortedFilterFixed } from "../../kafkajs/aborted-filter-fix.ts";
import { newKafka, withAdmin } from "../../kafkajs/factory.ts";
import type { ClientSecurity } from "../../protocol/security.ts";
import { BufferedTxnConsumer } from "../buffered-txn-consumer.ts";
import { keyOf, parseKey } from "../context.ts";
import { OpenTransaction, type TxnConsumerOptions, type TxnProducerDriver, type TxnProducerSettings, txnClient } from "../txn-client.ts";
import type { Records } from "../txn-delivery-buffer.ts";
import { seekOnRejoin } from "./consumer.ts";

class KafkajsTxnProducer implements TxnProducerDriver {
  private readonly txn = new OpenTransaction<Transaction>();

  constructor(
    private readonly producer: Producer,
    private readonly settings: TxnProducerSettings,
  ) {}

  async begin(): Promise<void> {
    this.txn.begun(await this.producer.transaction());
  }

  async send(key: string, value: number): Promise<number | undefined> {
    const { topic, partition } = parseKey(key);
    const md = await this.txn.current.send({
      topic,
      acks: -1,
      timeout: this.settings.requestTimeoutMs,
      messages: [{ partition, value: String(value) }],
    });
    const offset = (md.find((m) => m.partition === partition) ?? md[0])?.baseOffset;
    return offset === undefined ? undefined : Number(offset);
  }

  async sendOffsets(groupId: string, next: Record<string, number>): Promise<void> {
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const [key, offset] of Object.entries(next)) {
      const { topic, partition } = parseKey(key);
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), { partition, offset: String(offset) }]);
    }
    const offsets = { consumerGroupId: groupId, topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) };
    // kafkajs does not retry AddOffsetsToTxn: right after a commit the coordinator refuses it with
    // CONCURRENT_TRANSACTIONS until the previous transaction's markers are written (the request did
    // nothing), which would fail every transaction whose polls follow a commit closely. Retry it
    // as the Java client does; the transaction's op timeout bounds the retries.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.txn.current.sendOffsets(offsets);
      } catch (err) {
        if ((err as { type?: string }).type !== "CONCURRENT_TRANSACTIONS" || attempt >= 30) throw err;
        await new Promise((r) => setTimeout(r, Math.min(20 * 2 ** attempt, 300)));
      }
    }
  }

  async commit(): Promise<void> {
    await this.txn.end().commit();
  }

  async abort(): Promise<void> {
    await this.txn.end().abort();
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}

async function openProducer(bootstrap: string[], settings: TxnProducerSettings, security?: ClientSecurity): Promise<KafkajsTxnProducer> {
  const kafka = newKafka(bootstrap, "kafka-harness-txn-producer", { requestTimeout: settings.requestTimeoutMs }, security);
  const producer = kafka.producer({
    transactionalId: settings.transactionalId,
    transactionTimeout: settings.transactionTimeoutMs,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // After a commit the coordinator answers CONCURRENT_TRANSACTIONS until its markers are written
    // (milliseconds): retry soon and often, as the Java client does (retry.backoff.ms is 100 there,
    // but its AddPartitionsToTxn retries this error after 20 ms).
    retry: { retries: Math.max(settings.retries, 8), initialRetryTime: 20, maxRetryTime: 500 },
  });
  try {
    await producer.connect();
  } catch (err) {
    await producer.disconnect().catch(() => undefined);
    throw err;
  }
  return new KafkajsTxnProducer(producer, settings);
}

class KafkajsTxnConsumer extends BufferedTxnConsumer<Consumer> {
  private crashed: unknown;

  constructor(
    consumer: Consumer,
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
    const { topic, partition } = parseKey(key);
    try {
      this.consumer.seek({ topic, partition, offset: String(offset) });
    } catch (err) {
      // kafkajs refuses a seek before run() has started: the consumer is unusable.
      this.crashed ??= err;
    }
  }

  async start(): Promise<void> {
    const { topic } = this.opts;
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [topic], fromBeginning: true });
    // A rejoin restarts from the group's committed offsets (those of committed transactions),
    // which may be behind or ahead of what this consumer has handed out: alone in its group, it
    // goes back to its own positions; sharing it, the committed offsets are where it resumes.
    if (this.opts.sharedGroup) this.consumer.on(this.consumer.events.GROUP_JOIN, () => this.buffer.forgetAll());
    else seekOnRejoin(this.consumer, () => this.buffer.positions);
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      this.crashed = e.payload.error ?? new Error("consumer crashed");
      this.buffer.close();
    });
    await this.consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: Math.max(1, this.opts.keys.length),
      eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
        const key = keyOf({ topic: batch.topic, partition: batch.partition });
        const epoch = this.buffer.epochOf(key);
        if (isStale() || !isRunning()) return;
        const records: Records = batch.messages.map((m) => [Number(m.offset), Number(m.value?.toString())]);
        let parked = true;
        const taken = this.buffer.put(key, records, epoch).then(() => (parked = false));
        // Heartbeat while parked: a transaction may hold the batch longer than the session timeout.
        while (parked && isRunning()) {
          await Promise.race([taken, new Promise((r) => setTimeout(r, 1000))]);
          if (parked) await heartbeat().catch(() => undefined);
        }
      },
    });
  }

  async commitOffsets(next: Record<string, number>): Promise<void> {
    await this.consumer.commitOffsets(Object.entries(next).map(([key, offset]) => ({ ...parseKey(key), offset: String(offset) })));
  }

  async resetToCommitted(keys: string[]): Promise<void> {
    const { topic, groupId } = this.opts;
    const committed = await withAdmin(this.bootstrap, (a) => a.fetchOffsets({ groupId, topics: [topic] }), this.security);
    for (const { partitions } of committed) {
      for (const p of partitions) {
        const key = keyOf({ topic, partition: p.partition });
        // -1: nothing committed yet, so the start of the log (the group resets to the earliest).
        if (keys.includes(key)) this.seek(key, Math.max(0, Number(p.offset)));
      }
    }
  }

  async close(): Promise<void> {
    this.buffer.close();
    await this.consumer.disconnect().catch(() => undefined);
  }
}

async function openConsumer(bootstrap: string[], opts: TxnConsumerOptions, security?: ClientSecurity): Promise<KafkajsTxnConsumer> {
  assertKafkajsAbortedFilterFixed();
  const kafka = newKafka(bootstrap, "kafka-harness-txn-consumer", {}, security);
  const consumer = kafka.consumer({
    groupId: opts.groupId,
    readUncommitted: opts.isolation === "read_uncommitted",
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 500,
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000, restartOnFailure: async () => false },
  });
  return BufferedTxnConsumer.started(new KafkajsTxnConsumer(consumer, opts, bootstrap, security));
}

export const kafkajsTxnClient = { ...txnClient("kafkajs", openProducer, openConsumer), joinsGroup: true };
