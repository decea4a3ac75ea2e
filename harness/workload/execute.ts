// The queue workload's run against a live cluster, through the spec's client library
// (harness/clients), until the signal aborts (time limit or Ctrl-C): producers send their planned
// bursts at the spec's rate (a producer that hits an indefinite error is replaced by a new
// process, and closed once its records are answered: late answers are recorded until the workload
// returns, before the final reads), consumers poll continuously (a crashed one is replaced, keeping its positions).
// The producers alone (runProducers) also feed the copy workload's input.
import type { ConsumerClient, KafkaClient, ProducerClient } from "../clients/client.ts";
import type { ClientContext } from "../clients/context.ts";
import type { TestSpec } from "../spec/test-spec.ts";
import { sleep } from "../util/wait.ts";
import { valueCounter, type WorkloadPlan } from "./plan.ts";
import type { WorkloadStats } from "./workload.ts";

export async function runWorkload(
  spec: TestSpec,
  plan: WorkloadPlan,
  ctx: ClientContext,
  client: KafkaClient,
  signal: AbortSignal,
  onProgress: (s: WorkloadStats) => void = () => {},
): Promise<WorkloadStats> {
  const stats: WorkloadStats = { sends: { ok: 0, info: 0, fail: 0 }, producersReplaced: 0, consumersReplaced: 0, lateAcks: 0 };
  const topic = spec.topic.name;

  async function consumerLoop() {
    let positions: Map<string, number> | undefined;
    while (!signal.aborted) {
      let consumer: ConsumerClient;
      try {
        consumer = await client.openConsumer(ctx, { mode: spec.consumer.mode, topic, keys: plan.keys, positions });
      } catch {
        stats.consumersReplaced++;
        await sleep(1000, signal);
        continue;
      }
      while (!signal.aborted && consumer.alive) await consumer.nextDelivery(1000);
      positions = consumer.positions;
      await consumer.close();
      if (!signal.aborted) stats.consumersReplaced++;
    }
  }

  await Promise.all([
    runProducers(spec, plan, ctx, client, signal, stats, onProgress),
    ...Array.from({ length: plan.consumers }, consumerLoop),
  ]);
  return stats;
}

/** The planned producers (the queue and group workloads', and the copy workload's input), counted
 *  into `stats`: resolves once every producer has run its plan (or the signal aborted) and every
 *  retired one is closed (late answers recorded). */
export async function runProducers(
  spec: TestSpec,
  plan: WorkloadPlan,
  ctx: ClientContext,
  client: KafkaClient,
  signal: AbortSignal,
  stats: WorkloadStats,
  onProgress: (s: WorkloadStats) => void,
): Promise<void> {
  const valueFor = valueCounter();
  const intervalMs = (1000 * spec.workload.producers) / spec.workload.rate;
  const topic = spec.topic.name;
  /** Producers being closed: each waits for the answers to records its ops gave up on, until the
   *  producers are done and its client's delivery budget more at most. */
  const closing: Promise<void>[] = [];
  let producersDone: () => void = () => {};
  const allSent = new Promise<void>((r) => (producersDone = r));
  const retire = (p: ProducerClient) =>
    closing.push(
      p.close(allSent).then(() => {
        stats.lateAcks = (stats.lateAcks ?? 0) + p.lateAcks;
        onProgress(stats);
      }),
    );

  async function producerLoop(steps: WorkloadPlan["producers"][number], index: number) {
    let producer: ProducerClient | undefined;
    // Stagger the producers so their sends interleave instead of arriving together.
    await sleep((intervalMs * index) / spec.workload.producers, signal);
    for (const step of steps) {
      if (signal.aborted) break;
      const started = Date.now();
      try {
        producer ??= await client.openProducer(ctx, spec.producer, [topic]);
      } catch {
        await sleep(500, signal); // cluster unreachable for now; try again
        continue;
      }
      const values = Array.from({ length: step.burst }, () => valueFor(step.key));
      const type = await producer.send(step.key, values);
      stats.sends[type]++;
      if (type === "info") {
        // Indefinite: this process may still have requests in flight; a new one carries on.
        retire(producer);
        producer = undefined;
        stats.producersReplaced++;
      }
      onProgress(stats);
      await sleep(Math.max(0, intervalMs - (Date.now() - started)), signal);
    }
    if (producer) retire(producer);
  }

  await Promise.all(plan.producers.map((steps, i) => producerLoop(steps, i))).finally(producersDone);
  await Promise.all(closing);
}
