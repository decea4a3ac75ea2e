// The librdkafka consumer (@confluentinc/kafka-javascript's native KafkaConsumer) behind the client
// interface, with real manual assignment: assign() with explicit offsets, no subscription, nothing
// committed (librdkafka wants a group.id all the same: a unique one, never joined). A loop calls consume(n) (it returns as soon as something was fetched, or after
// FETCH_WAIT_MS) and records each key's records of one call as one delivery (one poll op,
// poll-recorder.ts).
//
// As the other clients: read_committed by default, and the consumer owns its positions. librdkafka
// validates its fetch position against the leader's epochs (KIP-320) and, on a truncated log,
// seeks back to the new leader's end ("Partition log truncation detected"); a position past the end
// resets to the end (auto.offset.reset latest). Either way it may hand out offsets below what this
// consumer already delivered: those are dropped here, so its reads never go back (a Java consumer
// with assign() and no reset policy keeps its position the same way; the other two clients of the
// harness do too). seek() moves both the harness's position and librdkafka's.
import { AssignConsumer, sleep } from "../assign-consumer.ts";
import type { ConsumerOptions } from "../client.ts";
import { type ClientContext, keyOf, parseKey } from "../context.ts";
import { consumerConfig, FETCH_WAIT_MS } from "./config.ts";
import { consumeBatch, loadConfluent, type RdConsumer, type RdMessage, type RdTopicPartitionAnswer } from "./package.ts";
import { connectRd, disconnectRd } from "./producer.ts";

const MAX_MESSAGES = 1000;

/** Each key's records of one consume() call, in offset order, from the key's position on. Pure. */
export function deliveriesOf(messages: readonly RdMessage[], positions: ReadonlyMap<string, number>): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  for (const m of messages) {
    const key = keyOf({ topic: m.topic, partition: m.partition });
    const list = out.get(key) ?? [];
    const from = Math.max(positions.get(key) ?? 0, list.length ? list[list.length - 1]![0] + 1 : 0);
    if (m.offset < from) continue;
    list.push([m.offset, Number(m.value?.toString())]);
    out.set(key, list);
  }
  return out;
}

/** Keys whose librdkafka position is past the consumer's own (control records since), with it. Pure. */
export function positionsPast(answer: readonly RdTopicPartitionAnswer[], positions: ReadonlyMap<string, number>): [string, number][] {
  const out: [string, number][] = [];
  for (const tp of answer) {
    if (tp instanceof Error || typeof tp.offset !== "number") continue;
    const key = keyOf(tp);
    if (tp.offset > (positions.get(key) ?? 0)) out.push([key, tp.offset]);
  }
  return out;
}

export class ConfluentConsumer extends AssignConsumer<RdConsumer> {
  static open(ctx: ClientContext, opts: ConsumerOptions): Promise<ConfluentConsumer> {
    return AssignConsumer.openAssigned("confluent", opts, () => {
      const { KafkaConsumer } = loadConfluent();
      const consumer = new KafkaConsumer(consumerConfig(ctx.bootstrap(), undefined, undefined, ctx.security));
      consumer.on("event.error", (() => undefined) as never);
      return new ConfluentConsumer(consumer, ctx, opts, FETCH_WAIT_MS);
    });
  }

  override seek(key: string, offset: number): void {
    super.seek(key, offset);
    const { topic, partition } = parseKey(key);
    try {
      this.consumer.seek({ topic, partition, offset }, 0, () => undefined);
    } catch {
      // Not connected (closing): nothing to move.
    }
  }

  protected async connect(): Promise<void> {
    await connectRd(this.consumer, this.opts.topic, 10_000);
    this.consumer.assign(this.opts.keys.map((k) => ({ ...parseKey(k), offset: this.positions.get(k) ?? 0 })));
    this.consumer.setDefaultConsumeTimeout(FETCH_WAIT_MS);
    this.consumer.setDefaultIsTimeoutOnlyForFirstMessage(true);
  }

  private consumeOnce(): Promise<RdMessage[]> {
    return consumeBatch(this.consumer, MAX_MESSAGES);
  }

  protected async fetchRound(): Promise<void> {
    // A consumer error (a broker down, a reset) throws: librdkafka carries on by itself.
    const messages = await this.consumeOnce();
    if (this.stopping) return;
    for (const [key, records] of deliveriesOf(messages, this.positions)) {
      if (!records.length) continue;
      this.positions.set(key, records[records.length - 1]![0] + 1);
      this.polls.delivered(key, records);
    }
    this.pastControlRecords();
  }

  /** A transaction's commit or abort marker is never handed out, so the last record read + 1 stays
   *  below it, and reads would never reach a transactional log's end offset. librdkafka's position
   *  (rd_kafka_position: after the last message or control record consume() handed over, so every
   *  record below it was delivered above) moves past them. */
  private pastControlRecords(): void {
    let answer: RdTopicPartitionAnswer[];
    try {
      answer = this.consumer.position(this.opts.keys.map(parseKey));
    } catch {
      return; // closing
    }
    for (const [key, offset] of positionsPast(answer, this.positions)) this.positions.set(key, offset);
  }

  protected afterError(): Promise<void> {
    return sleep(100);
  }

  protected disconnect(): Promise<void> {
    return disconnectRd(this.consumer);
  }
}
