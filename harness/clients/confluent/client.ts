// @confluentinc/kafka-javascript 1.10.1 (librdkafka 2.15.1) behind the client interface (client.ts),
// through its native API: Producer with a delivery report per record (producer.ts) and
// KafkaConsumer with assign() and seek(), no group (consumer.ts); error rules in
// classify.ts, settings in config.ts. Built on demand into the per-user clients
// folder (`kafka-harness install-client confluent`) and loaded from there (package.ts).
import type { KafkaClient } from "../client.ts";
import { ConfluentConsumer } from "./consumer.ts";
import { loadConfluent } from "./package.ts";
import { openConfluentProducer } from "./producer.ts";

export const confluentClient: KafkaClient = {
  name: "confluent",
  openProducer: openConfluentProducer,
  openConsumer: (ctx, opts) => ConfluentConsumer.open(ctx, opts),
};

/** The client, once the package loads (ConfluentNotInstalled otherwise). */
export function loadConfluentClient(): KafkaClient {
  loadConfluent();
  return confluentClient;
}
