// The librdkafka producer (@confluentinc/kafka-javascript's native Producer) behind the client
// interface. A burst's records are one produce() each, in the listed order, not awaiting each other;
// librdkafka answers each with a delivery report (offset, or an error code) that carries the
// record's own opaque, so every record gets its own outcome. Delivery reports are polled by the
// package's background thread (setPollInBackground). Recording and the op timeout are shared
// (recording-producer.ts); errors are classified by classify.ts, the settings mapped by
// config.ts.
import { deliveryBudget } from "../../spec/delivery-budget.ts";
import { type RecordOutcome, resolvedSend } from "../burst-outcome.ts";
import type { ProducerSettings } from "../client.ts";
import type { ClientContext } from "../context.ts";
import { PerRecordDriver, RecordingProducer, type RecordTarget } from "../recording-producer.ts";
import { ConfluentDeliveryError, ConfluentEnqueueError, classifyConfluentSendError } from "./classify.ts";
import { producerConfig } from "./config.ts";
import { loadConfluent, type RdDeliveryReport, type RdKafkaError, type RdMetadata, type RdProducer } from "./package.ts";

const CLOSE_WAIT_MS = 1500;

/** Connects a librdkafka client, its first metadata for `topic` loaded; rejects after timeoutMs. */
export function connectRd<T extends { connect: RdProducer["connect"] }>(client: T, topic: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`librdkafka client not connected within ${timeoutMs} ms`));
      void disconnectRd(client);
    }, timeoutMs);
    client.connect({ topic, timeout: timeoutMs }, (err: RdKafkaError | null, _md: RdMetadata) => {
      clearTimeout(timer);
      if (err) {
        void disconnectRd(client);
        reject(err);
      } else resolve(client);
    });
  });
}

/** Disconnects, waiting at most CLOSE_WAIT_MS (a broker that is paused would hold it longer). A
 *  Producer's disconnect(timeout, cb) flushes first; a KafkaConsumer's is disconnect(cb). */
export function disconnectRd(client: object, waitMs = CLOSE_WAIT_MS): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, waitMs + 500);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    try {
      const c = client as { flush?: unknown; disconnect: (...args: unknown[]) => unknown };
      if (typeof c.flush === "function") c.disconnect(waitMs, done);
      else c.disconnect(done);
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/** A record's own opaque: where its delivery report goes. */
export interface Pending {
  topic: string;
  partition: number;
  resolve: (o: RecordOutcome) => void;
}

/** The 'delivery-report' listener: each report settles its record's outcome, whenever it comes
 *  (after the op timeout too: the recording producer keeps the promise). */
export function onDeliveryReport(acks: 0 | 1 | -1) {
  return (err: RdKafkaError | null, report: RdDeliveryReport): void => {
    const p = report.opaque as Pending | undefined;
    if (!p) return;
    if (err) p.resolve({ acked: false, error: new ConfluentDeliveryError(err.code, err.message) });
    // librdkafka reports offset -1 (RD_KAFKA_OFFSET_INVALID) when the answer carried none.
    else p.resolve(resolvedSend(acks, report.offset >= 0 ? report.offset : undefined, p.topic, p.partition));
  };
}

export async function openConfluentProducer(ctx: ClientContext, settings: ProducerSettings, topics: string[]): Promise<RecordingProducer> {
  const { Producer } = loadConfluent();
  const producer = new Producer(producerConfig(ctx.bootstrap(), settings, ctx.security));
  producer.on("delivery-report", onDeliveryReport(settings.acks === "all" ? -1 : settings.acks) as never);
  producer.on("event.error", (() => undefined) as never);
  await connectRd(producer, topics[0]!, Math.max(5000, settings.requestTimeoutMs));
  producer.setPollInBackground(true);
  return new RecordingProducer(ctx, new ConfluentProducerDriver(producer, settings), {
    opTimeoutMs: settings.opTimeoutMs,
    lateWaitMs: deliveryBudget("confluent", settings).ms,
  });
}

export class ConfluentProducerDriver extends PerRecordDriver<RdProducer> {
  protected sendRecord({ topic, partition }: RecordTarget, value: number): Promise<RecordOutcome> {
    return new Promise<RecordOutcome>((resolve) => {
      try {
        this.producer.produce(topic, partition, Buffer.from(String(value)), null, null, { topic, partition, resolve } satisfies Pending);
      } catch (error) {
        // Not enqueued: librdkafka never sent it.
        resolve({ acked: false, error: new ConfluentEnqueueError(error) });
      }
    });
  }

  classify(err: unknown) {
    return classifyConfluentSendError(err, this.settings.retries);
  }

  close(): Promise<void> {
    return disconnectRd(this.producer);
  }
}
