// One place that makes kafkajs clients: quiet logs (kafkajs logs every reconnect at ERROR, which
// drowns progress output during faults) and short timeouts so faults show up within seconds.
// kafkajs is required on first use, after its fixes (fixes.ts): the read_committed fix must be in
// require's cache before kafkajs loads its consumer, so nothing here imports kafkajs's values.
import { createRequire } from "node:module";
import type { Kafka, KafkaConfig } from "kafkajs";
import { type ClientSecurity, tlsConnectOptions } from "../protocol/security.ts";
import { installKafkajsFixes } from "./fixes.ts";

const require = createRequire(import.meta.url);

/** kafkajs itself, its fixes installed first. */
function kafkajs(): typeof import("kafkajs") {
  installKafkajsFixes();
  return require("kafkajs") as typeof import("kafkajs");
}

/** kafkajs's `ssl` and `sasl` options for the cluster's security (none: plaintext). Pure. */
export function kafkajsSecurity(security: ClientSecurity | undefined): Pick<KafkaConfig, "ssl" | "sasl"> {
  return {
    ...(security?.tls ? { ssl: tlsConnectOptions(security.tls) } : {}),
    // kafkajs names the mechanisms as the spec does; its type wants each spelled out.
    ...(security?.sasl ? { sasl: { ...security.sasl } as NonNullable<KafkaConfig["sasl"]> } : {}),
  };
}

export function newKafka(brokers: string[], clientId: string, extra: Partial<KafkaConfig> = {}, security?: ClientSecurity): Kafka {
  const { Kafka, logLevel } = kafkajs();
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
    logLevel: process.env.KAFKA_HARNESS_DEBUG ? logLevel.INFO : logLevel.NOTHING,
    ...kafkajsSecurity(security),
    ...extra,
  });
}

/** Runs fn with a connected admin client and always disconnects it. */
export async function withAdmin<T>(
  brokers: string[],
  fn: (admin: ReturnType<Kafka["admin"]>) => Promise<T>,
  security?: ClientSecurity,
): Promise<T> {
  const admin = newKafka(brokers, "kafka-harness-admin", {}, security).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
