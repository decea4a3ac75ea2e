// kafkajs behind the client interface (client.ts): producers in kafkajs-producer.ts, consumers in
// kafkajs-consumer.ts, error rules in classify.ts.
import type { KafkaClient } from "./client.ts";
import { KafkajsConsumer } from "./kafkajs-consumer.ts";
import { openKafkajsProducer } from "./kafkajs-producer.ts";

export const kafkajsClient: KafkaClient = {
  name: "kafkajs",
  openProducer: openKafkajsProducer,
  openConsumer: (ctx, opts) => KafkajsConsumer.open(ctx, opts),
};
