// Which Kafka client library a run drives (docs/design.md, Clients): the same ops, the same history and
// the same classification rules through kafkajs, @platformatic/kafka or @confluentinc/kafka-javascript
// (librdkafka, built on demand: kafka-harness install-client confluent), so a finding can be told
// apart as Kafka's or the client's.
import { z } from "zod";

export const CLIENT_NAMES = ["kafkajs", "platformatic", "confluent"] as const;
export type ClientName = (typeof CLIENT_NAMES)[number];

export const ClientNameSchema = z.enum(CLIENT_NAMES, { error: `must be one of ${CLIENT_NAMES.join(", ")}` });

/** The consumer-group protocols each client's group members speak (harness/clients/<lib>/group.ts,
 *  the GroupClient's `protocols`); a client not listed has no group members, so no group workload. */
export const GROUP_PROTOCOLS_OF: Partial<Record<ClientName, readonly ("classic" | "consumer")[]>> = {
  kafkajs: ["classic"],
  platformatic: ["classic", "consumer"],
  confluent: ["classic", "consumer"],
};
