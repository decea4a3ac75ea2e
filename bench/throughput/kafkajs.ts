// kafkajs without recording (raw-producer.ts): the harness's producer settings, one send() per
// record, yielding a turn of the event loop between records as the harness's driver does (kafkajs
// reorders sends issued in the same tick).
import { newKafka } from "../../harness/kafkajs/factory.ts";
import { KAFKAJS_PRODUCER_RETRY } from "../../harness/spec/delivery-budget.ts";
import { countAcked, type OpenRawProducer } from "./raw-producer.ts";

export const openRawKafkajs: OpenRawProducer = async (bootstrap, topic, settings) => {
  const producer = newKafka(bootstrap, "bench-raw", { requestTimeout: settings.requestTimeoutMs }).producer({
    idempotent: settings.idempotent,
    maxInFlightRequests: settings.maxInFlight,
    allowAutoTopicCreation: false,
    retry: { retries: settings.retries, ...KAFKAJS_PRODUCER_RETRY },
  });
  await producer.connect();
  await producer.send({ topic, messages: [] });
  const acks = settings.acks === "all" ? -1 : settings.acks;
  return {
    async send(partition, values) {
      const pending: Promise<unknown>[] = [];
      for (const v of values) {
        pending.push(producer.send({ topic, acks, timeout: settings.requestTimeoutMs, messages: [{ partition, value: String(v) }] }));
        await new Promise((r) => setImmediate(r));
      }
      return countAcked(pending);
    },
    close: () => producer.disconnect(),
  };
};
