// librdkafka (@confluentinc/kafka-javascript) without recording (raw-producer.ts): the harness's
// librdkafka configuration (harness/clients/confluent/config.ts), one produce() per record, each
// answered by its own delivery report (polled in the background thread, as the harness does).
import type { RecordOutcome } from "../../harness/clients/burst-outcome.ts";
import { producerConfig } from "../../harness/clients/confluent/config.ts";
import { loadConfluent } from "../../harness/clients/confluent/package.ts";
import { connectRd, disconnectRd, onDeliveryReport, type Pending } from "../../harness/clients/confluent/producer.ts";
import type { OpenRawProducer } from "./raw-producer.ts";

export const openRawConfluent: OpenRawProducer = async (bootstrap, topic, settings) => {
  const { Producer } = loadConfluent();
  const producer = new Producer(producerConfig(bootstrap, settings));
  producer.on("delivery-report", onDeliveryReport(settings.acks === "all" ? -1 : settings.acks) as never);
  producer.on("event.error", (() => undefined) as never);
  await connectRd(producer, topic, Math.max(5000, settings.requestTimeoutMs));
  producer.setPollInBackground(true);
  const one = (partition: number, v: number) =>
    new Promise<RecordOutcome>((resolve) => {
      try {
        producer.produce(topic, partition, Buffer.from(String(v)), null, null, { topic, partition, resolve } satisfies Pending);
      } catch (error) {
        resolve({ acked: false, error });
      }
    });
  return {
    async send(partition, values) {
      const outcomes = await Promise.all(values.map((v) => one(partition, v)));
      return outcomes.filter((o) => o.acked).length;
    },
    close: () => disconnectRd(producer),
  };
};
