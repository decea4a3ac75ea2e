// @platformatic/kafka without recording (raw-producer.ts): the harness's producer settings, one
// send() per record, issued in the same tick as the harness's driver does.
import { Producer } from "@platformatic/kafka";
import { platformaticProducerOptions } from "../../harness/clients/platformatic/producer.ts";
import { countAcked, type OpenRawProducer } from "./raw-producer.ts";

export const openRawPlatformatic: OpenRawProducer = async (bootstrap, topic, settings) => {
  const producer = new Producer(platformaticProducerOptions("bench-raw", bootstrap, settings));
  await producer.metadata({ topics: [topic] });
  const acks = settings.acks === "all" ? -1 : settings.acks;
  return {
    send: (partition, values) =>
      countAcked(values.map((v) => producer.send({ acks, messages: [{ topic, partition, value: Buffer.from(String(v)) }] }))),
    close: () => producer.close(),
  };
};
