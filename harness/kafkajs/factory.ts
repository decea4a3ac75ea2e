// One place that makes kafkajs clients: quiet logs (kafkajs logs every reconnect at ERROR, which
// drowns progress output during faults) and short timeouts so faults show up within seconds.
// The read_committed fix must be in require's cache before kafkajs loads its consumer.
import "./aborted-filter-fix.ts";
import { Kafka, logLevel, type KafkaConfig } from "kafkajs";
import "./stop-fix.ts";

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= "1";

export function newKafka(brokers: string[], clientId: string, extra: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
    logLevel: process.env.KAFKA_HARNESS_DEBUG ? logLevel.INFO : logLevel.NOTHING,
    ...extra,
  });
}

/** Runs fn with a connected admin client and always disconnects it. */
export async function withAdmin<T>(brokers: string[], fn: (admin: ReturnType<Kafka["admin"]>) => Promise<T>): Promise<T> {
  const admin = newKafka(brokers, "kafka-harness-admin").admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
