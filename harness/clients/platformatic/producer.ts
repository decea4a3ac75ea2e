// The @platformatic/kafka producer behind the client interface: a burst's records are issued one
// send() per record, not awaiting the previous, in the listed order. With its metadata, API versions
// and leader connection warm, each send() reaches the connection's request queue synchronously, so
// no yielding between records is needed (unlike kafkajs); its connection keeps up to
// `maxInflights` requests in flight (forced to 1 when idempotent). Recording and the op timeout are
// shared (recording-producer.ts); errors are classified by classify.ts.
import { Producer } from "@platformatic/kafka";
import type { ClientSecurity } from "../../protocol/security.ts";
import { deliveryBudget, PLATFORMATIC_RETRY_DELAY_MS } from "../../spec/delivery-budget.ts";
import { type RecordOutcome, resolvedSend } from "../burst-outcome.ts";
import type { ProducerSettings } from "../client.ts";
import type { ClientContext } from "../context.ts";
import { PerRecordDriver, RecordingProducer, type RecordTarget } from "../recording-producer.ts";
import { classifyPlatformaticSendError } from "./classify.ts";
import { platformaticSecurity } from "./security.ts";

/** The library's producer options for the spec's producer settings (also the throughput bench's raw producer). */
export function platformaticProducerOptions(
  clientId: string,
  bootstrapBrokers: string[],
  settings: ProducerSettings,
  security?: ClientSecurity,
) {
  return {
    ...platformaticSecurity(security),
    clientId,
    bootstrapBrokers,
    idempotent: settings.idempotent,
    maxInflights: settings.maxInFlight,
    retries: settings.retries,
    retryDelay: PLATFORMATIC_RETRY_DELAY_MS,
    // `timeout` is the produce request's broker-side timeout; `requestTimeout` the client's wait.
    timeout: settings.requestTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    connectTimeout: 3000,
    autocreateTopics: false,
  };
}

export async function openPlatformaticProducer(
  ctx: ClientContext,
  settings: ProducerSettings,
  topics: string[],
): Promise<RecordingProducer> {
  const producer = new Producer(platformaticProducerOptions("kafka-harness-producer", ctx.bootstrap(), settings, ctx.security));
  try {
    // Loads the topics' metadata (and the broker's API versions) before the first burst.
    await producer.metadata({ topics });
  } catch (err) {
    await producer.close().catch(() => undefined);
    throw err;
  }
  return new RecordingProducer(ctx, new PlatformaticProducerDriver(producer, settings), {
    opTimeoutMs: settings.opTimeoutMs,
    lateWaitMs: deliveryBudget("platformatic", settings).ms,
  });
}

export class PlatformaticProducerDriver extends PerRecordDriver<Producer> {
  protected sendRecord({ topic, partition, acks }: RecordTarget, value: number): Promise<RecordOutcome> {
    return this.producer
      .send({ acks, messages: [{ topic, partition, value: Buffer.from(String(value)) }] })
      .then((result) =>
        resolvedSend(acks, result.offsets?.find((o) => o.topic === topic && o.partition === partition)?.offset, topic, partition),
      )
      .catch((error: unknown): RecordOutcome => ({ acked: false, error }));
  }

  classify(err: unknown) {
    return classifyPlatformaticSendError(err);
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
