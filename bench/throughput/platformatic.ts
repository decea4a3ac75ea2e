// @platformatic/kafka without recording (raw-producer.ts): the harness's producer settings, one
// send() per record, issued in the same tick as the harness's driver does.
import { Producer } from "@platformatic/kafka";
import { PLATFORMATIC_RETRY_DELAY_MS } from "../../harness/spec/delivery-budget.ts";
import { countAcked, type OpenRawProducer } from "./raw-producer.ts";

export const openRawPlatformatic: OpenRawProducer = async (bootstrap, topic, settings) => {
  const producer = new Producer({
    clientId: "bench-raw",
    bootstrapBrokers: bootstrap,
    idempotent: settings.idempotent,
    maxInflights: settings.maxInFlight,
    retries: settings.retries,
    retryDelay: PLATFORMATIC_RETRY_DELAY_MS,
    timeout: settings.requestTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    connectTimeout: 3000,
    autocreateTopics: false,
  });
  await producer.metadata({ topics: [topic] });
  const acks = settings.acks === "all" ? -1 : settings.acks;
  return {
    send: (partition, values) =>
      countAcked(values.map((v) => producer.send({ acks, messages: [{ topic, partition, value: Buffer.from(String(v)) }] }))),
    close: () => producer.close(),
  };
};
