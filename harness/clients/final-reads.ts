// Phase 4 of a run: a fresh consumer reads every key from offset 0 up to the end offsets taken once
// the cluster has recovered. Without it, loss is not decidable. The reading consumer is the run's
// client library's (an assign consumer); the end offsets come from a kafkajs admin client.

import { withAdmin } from "../kafkajs/factory.ts";
import { secondsSince, waitFor } from "../util/wait.ts";
import type { KafkaClient } from "./client.ts";
import type { ClientContext } from "./context.ts";
import { loadClient } from "./registry.ts";

export interface FinalReadResult {
  complete: boolean;
  endOffsets: Record<string, number>;
  reached: Record<string, number>;
  seconds: number;
}

export async function readFinal(
  ctx: ClientContext,
  topic: string,
  keys: string[],
  timeoutMs: number,
  client?: KafkaClient,
): Promise<FinalReadResult> {
  const reader = client ?? (await loadClient("kafkajs"));
  const started = performance.now();
  const endOffsets: Record<string, number> = {};
  // Right after a heal a partition may still be electing a leader: ask again until it answers.
  await waitFor(
    `end offsets of ${topic}`,
    () =>
      withAdmin(ctx.bootstrap(), async (a) => {
        for (const p of await a.fetchTopicOffsets(topic)) endOffsets[`${topic}-${p.partition}`] = Number(p.high);
        return true;
      }),
    { timeoutMs: timeoutMs / 2, intervalMs: 1000 },
  );
  const consumer = await waitFor(`a consumer of ${topic}`, () => reader.openConsumer(ctx, { mode: "assign", topic, keys }), {
    timeoutMs: timeoutMs / 2,
    intervalMs: 1000,
  });
  const done = () => keys.every((k) => (consumer.positions.get(k) ?? 0) >= (endOffsets[k] ?? 0));
  const deadline = Date.now() + timeoutMs;
  while (!done() && consumer.alive && Date.now() < deadline) await consumer.nextDelivery(1000);
  await consumer.close();
  return {
    complete: done(),
    endOffsets,
    reached: Object.fromEntries(keys.map((k) => [k, consumer.positions.get(k) ?? 0])),
    seconds: secondsSince(started),
  };
}
