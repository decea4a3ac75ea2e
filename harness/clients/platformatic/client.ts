// @platformatic/kafka (1.35.x, Node >= 20.19.4) behind the client interface (client.ts): producers
// in producer.ts, consumers (manual assignment, no group) in consumer.ts,
// error rules in classify.ts.
import type { KafkaClient } from "../client.ts";
import { PlatformaticConsumer } from "./consumer.ts";
import { openPlatformaticProducer } from "./producer.ts";

export const platformaticClient: KafkaClient = {
  name: "platformatic",
  openProducer: openPlatformaticProducer,
  openConsumer: (ctx, opts) => PlatformaticConsumer.open(ctx, opts),
};
