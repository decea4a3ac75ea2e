// kafkajs behind the client interface (client.ts): producers in producer.ts, consumers in
// consumer.ts, error rules in classify.ts.
import { probeKafkajsAbortedFilter } from "../../kafkajs/aborted-filter-fix.ts";
import type { KafkaClient } from "../client.ts";
import { KafkajsConsumer } from "./consumer.ts";
import { openKafkajsProducer } from "./producer.ts";

export const kafkajsClient: KafkaClient = {
  name: "kafkajs",
  openProducer: openKafkajsProducer,
  openConsumer: (ctx, opts) => KafkajsConsumer.open(ctx, opts),
  probeReadCommittedFilter: () => ({ client: "kafkajs", filter: probeKafkajsAbortedFilter() }),
};
