// Cluster benchmarks (need a Docker engine): cluster start time, run throughput (acknowledged sends
// per second) and the overhead of recording, measured against raw kafkajs producers sending the
// same bursts to the same cluster in the same process. Prints figures; asserts nothing.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processCounter } from "../harness/clients/context.ts";
import { openKafkajsProducer } from "../harness/clients/kafkajs/producer.ts";
import { createTopic, startCluster } from "../harness/cluster/cluster.ts";
import { createRecorder } from "../harness/history/recorder.ts";
import { newKafka } from "../harness/kafkajs/factory.ts";
import { ensureEngine } from "../harness/util/engine.ts";

const PRODUCERS = 4;
const BURST = 4;
const SECONDS = 15;
const settings = { acks: "all" as const, idempotent: false, maxInFlight: 5, retries: 5, requestTimeoutMs: 5000, opTimeoutMs: 10_000 };

const failures: string[] = [];

async function rawThroughput(bootstrap: string[], topic: string): Promise<number> {
  let acked = 0;
  const deadline = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: PRODUCERS }, async (_, p) => {
      const producer = newKafka(bootstrap, "bench-raw").producer({ maxInFlightRequests: 5, retry: { retries: 5 } });
      await producer.connect();
      await producer.send({ topic, messages: [] });
      let v = 0;
      while (Date.now() < deadline) {
        const pending = [];
        for (let i = 0; i < BURST; i++) {
          pending.push(producer.send({ topic, acks: -1, messages: [{ partition: p % 3, value: String(v++) }] }));
          await new Promise((r) => setImmediate(r));
        }
        const settled = await Promise.allSettled(pending);
        acked += settled.filter((r) => r.status === "fulfilled").length;
        for (const r of settled) if (r.status === "rejected") failures.push(String(r.reason).slice(0, 120));
      }
      await producer.disconnect();
    }),
  );
  return acked / SECONDS;
}

async function recordedThroughput(bootstrap: string[], topic: string, historyPath: string): Promise<number> {
  const ctx = { bootstrap: () => bootstrap, recorder: createRecorder({ path: historyPath }), nextProcess: processCounter() };
  let acked = 0;
  const deadline = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: PRODUCERS }, async (_, p) => {
      const producer = await openKafkajsProducer(ctx, settings, [topic]);
      let v = 0;
      while (Date.now() < deadline) {
        const values = Array.from({ length: BURST }, () => v++ * PRODUCERS + p);
        if ((await producer.send(`${topic}-${p % 3}`, values)) === "ok") acked += BURST;
      }
      await producer.close();
    }),
  );
  return acked / SECONDS;
}

export async function benchCluster(): Promise<void> {
  await ensureEngine();
  const t = performance.now();
  const cluster = await startCluster({});
  console.log(
    `cluster: 3 ZooKeeper + 3 brokers ready in ${cluster.readySeconds} s (${Math.round((performance.now() - t) / 100) / 10} s with image check)`,
  );
  const dir = await mkdtemp(join(tmpdir(), "kafka-harness-bench-"));
  try {
    await createTopic(cluster.bootstrap(), "bench", { partitions: 3, replicationFactor: 3, config: { "min.insync.replicas": "2" } });
    // The brokers' JIT warms up over the first minute on 2 cores: one warm-up round is thrown
    // away, then raw and recorded alternate A-B-B-A so neither gets only the warmer cluster.
    await rawThroughput(cluster.bootstrap(), "bench");
    const raw: number[] = [];
    const rec: number[] = [];
    for (const [i, kind] of (["raw", "rec", "rec", "raw"] as const).entries()) {
      if (kind === "raw") raw.push(await rawThroughput(cluster.bootstrap(), "bench"));
      else rec.push(await recordedThroughput(cluster.bootstrap(), "bench", join(dir, `h${i}.jsonl`)));
    }
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    if (failures.length) console.log(`raw failures: ${failures.length}, first: ${failures[0]}`);
    const overhead = (1 - avg(rec) / avg(raw)) * 100;
    console.log(
      `run throughput (acks=all, ${PRODUCERS} producers, bursts of ${BURST}, unpaced): recorded ${avg(rec).toFixed(0)} acked sends/s, raw kafkajs ${avg(raw).toFixed(0)} acked sends/s`,
    );
    console.log(
      `recording overhead: ${overhead.toFixed(1)}% (target at most 10%; runs: raw ${raw.map((x) => x.toFixed(0)).join(", ")}, recorded ${rec.map((x) => x.toFixed(0)).join(", ")})`,
    );
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCluster();
