// The kafkajs producer behind the client interface: it issues a burst's records, one send() per
// record, not awaiting the previous, in the listed order, so retries with several requests in flight
// can reorder or duplicate them, and the history shows it. Recording and the op timeout are shared
// (recording-producer.ts); errors are classified by kafkajs's rules (classify.ts).
//
// kafkajs itself reorders send() calls made in the same tick (measured: 39 of 40 five-record bursts
// had records 4 and 5 swapped, even with idempotence and 1 request in flight), because each call
// goes through several awaits before it reaches the socket. So the burst yields to the event loop
// between calls (each record reaches the connection's queue before the next is issued, still
// without awaiting any answer), a new producer loads its metadata before its first burst, and its
// first burst to a key waits for the first record's answer (kafkajs connects to a partition's leader
// lazily, and sends racing on that first connect come out in any order).
import type { Producer } from "kafkajs";
import { newKafka } from "../../kafkajs/factory.ts";
import { deliveryBudget, KAFKAJS_PRODUCER_RETRY } from "../../spec/delivery-budget.ts";
import { type RecordOutcome, resolvedSend } from "../burst-outcome.ts";
import type { ProducerSettings } from "../client.ts";
import type { ClientContext } from "../context.ts";
import { PerRecordDriver, RecordingProducer, type RecordTarget } from "../recording-producer.ts";
import { classifySendError } from "./classify.ts";

export async function openKafkajsProducer(ctx: ClientContext, settings: ProducerSettings, topics: string[]): Promise<RecordingProducer> {
  const kafka = newKafka(ctx.bootstrap(), "kafka-harness-producer", { requestTimeout: settings.requestTimeoutMs }, ctx.security);
  const producer = kafka.producer({
    idempotent: settings.idempotent,
    maxInFlightRequests: settings.maxInFlight,
    allowAutoTopicCreation: false,
    retry: { retries: settings.retries, ...KAFKAJS_PRODUCER_RETRY },
  });
  await producer.connect();
  // An empty send loads the topics' metadata and writes nothing.
  for (const topic of topics) await producer.send({ topic, messages: [] });
  return new RecordingProducer(ctx, new KafkajsProducerDriver(producer, settings), {
    opTimeoutMs: settings.opTimeoutMs,
    lateWaitMs: deliveryBudget("kafkajs", settings).ms,
  });
}

export class KafkajsProducerDriver extends PerRecordDriver<Producer> {
  /** Keys this process has had an answer from: their leader's connection is up. */
  private readonly connectedKeys = new Set<string>();

  protected sendRecord({ topic, partition, acks }: RecordTarget, value: number): Promise<RecordOutcome> {
    return (
      this.producer
        .send({ topic, acks, timeout: this.settings.requestTimeoutMs, messages: [{ partition, value: String(value) }] })
        // [] when kafkajs's metadata lacked the partition and it sent nothing (seen on KRaft).
        .then((md) => resolvedSend(acks, (md.find((m) => m.partition === partition) ?? md[0])?.baseOffset, topic, partition))
        .catch((error: unknown): RecordOutcome => ({ acked: false, error }))
    );
  }

  /** The first record of a new key waits for its answer (the leader's connection is made); each
   *  later one yields to the event loop, so it reaches the connection's queue before the next. */
  protected override async afterIssue({ key }: RecordTarget, pending: readonly Promise<RecordOutcome>[]): Promise<void> {
    if (pending.length === 1 && !this.connectedKeys.has(key)) {
      if ((await pending[0]!).acked) this.connectedKeys.add(key);
    } else await new Promise((r) => setImmediate(r));
  }

  classify(err: unknown) {
    return classifySendError(err);
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}
