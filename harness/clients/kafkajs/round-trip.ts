// Plain produce-then-read-back helpers for the doctor and the cluster tests (not the recording
// clients of the workload: these only count what came back).
import { newKafka } from "../../kafkajs/factory.ts";

/** Sends the values (as strings) in batches with the given acks; resolves when all are acknowledged. */
export async function produceValues(bootstrap: string[], topic: string, values: number[], acks: -1 | 0 | 1 = -1): Promise<number> {
  const producer = newKafka(bootstrap, "kafka-harness-roundtrip").producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    let acked = 0;
    for (let i = 0; i < values.length; i += 100) {
      const batch = values.slice(i, i + 100);
      await producer.send({ topic, acks, messages: batch.map((v) => ({ key: String(v), value: String(v) })) });
      acked += batch.length;
    }
    return acked;
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

/** Reads the topic from the beginning until `expected` records arrived or the timeout passed. */
export async function readValues(bootstrap: string[], topic: string, expected: number, timeoutMs = 60_000): Promise<number[]> {
  const kafka = newKafka(bootstrap, "kafka-harness-roundtrip");
  const consumer = kafka.consumer({ groupId: `kafka-harness-roundtrip-${Date.now()}-${Math.random().toString(36).slice(2)}` });
  const seen: number[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      void consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) seen.push(Number(m.value?.toString()));
          if (seen.length >= expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    return seen;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}
