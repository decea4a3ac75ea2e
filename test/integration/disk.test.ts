// The disk family on a real cluster (needs Docker): corrupt-segment flips a bit in a follower's
// active segment while it is down; Kafka finds the bad batch when it recovers the segment at start,
// truncates it, and fetches it again from the leader: the broker is back in the ISR and nothing
// acknowledged is lost. The measured effect is what the broker logged and its return to the ISR.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, createTopic, startCluster } from "../../harness/cluster/cluster.ts";
import { createRecorder } from "../../harness/history/recorder.ts";
import { newKafka } from "../../harness/kafkajs/factory.ts";
import { type ClusterNemesis, clusterNemesis } from "../../harness/nemesis/nemesis.ts";
import { type ClusterProbe, clusterProbe } from "../../harness/nemesis/probe.ts";
import { seededRng } from "../../harness/nemesis/rng.ts";

const TOPIC = "disk";
const COUNT = 300;
let cluster: Cluster;
let probe: ClusterProbe;
let nemesis: ClusterNemesis;
const log = (m: string) => console.error(`[disk] ${m}`);

beforeAll(async () => {
  cluster = await startCluster({ metadata: "kraft", brokers: 3, controllers: 3, combined: true }, { progress: log });
  probe = clusterProbe(cluster);
  await createTopic(cluster.bootstrap(), TOPIC, { partitions: 1, replicationFactor: 3, config: { "min.insync.replicas": "2" } });
  nemesis = clusterNemesis(cluster, {
    recorder: createRecorder(),
    rng: seededRng(11),
    probe,
    watch: { topics: [TOPIC] },
    healOnShutdown: false,
  });
}, 180_000);

afterAll(async () => {
  await nemesis?.close();
  await cluster?.stop();
});

async function produce(n: number, from = 0) {
  const producer = newKafka(cluster.bootstrap(), "disk").producer({ allowAutoTopicCreation: false, idempotent: true });
  await producer.connect();
  try {
    const messages = Array.from({ length: n }, (_, i) => ({ partition: 0, value: `v${from + i}`.padEnd(100, ".") }));
    await producer.send({ topic: TOPIC, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

async function consumeAll(): Promise<string[]> {
  const kafka = newKafka(cluster.bootstrap(), "disk-read");
  const consumer = kafka.consumer({ groupId: `disk-${Date.now()}` });
  const got: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${got.length} of ${COUNT}`)), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message.value!.toString().replace(/\.+$/, ""));
        if (got.length >= COUNT) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return got;
}

describe("disk faults on a real cluster", () => {
  it("corrupt-segment on a follower: recovery finds the bad batch, the follower refetches it, nothing is lost", async () => {
    await produce(COUNT);
    const md = await probe.metadata({ topics: [TOPIC] });
    const p = md.partitions[0]!;
    const follower = cluster.brokerById(p.replicas.find((r) => r !== p.leader)!);
    const r = await nemesis.invoke({ fault: "corrupt-segment", targets: { kind: "nodes", names: [follower.name] } });
    log(JSON.stringify(r.value, null, 1));
    expect(r.type).toBe("ok");
    const [c] = r.value.corrupted as { path: string; field: string; offset: number }[];
    expect(c!.path).toMatch(new RegExp(`/data/kafka/${TOPIC}-0/\\d{20}\\.log$`));
    const [e] = r.value.effects as { backInIsrMs?: number; logged: string[] }[];
    expect(e!.backInIsrMs).toBeGreaterThanOrEqual(0);
    expect(e!.logged.join("\n")).toMatch(/invalid|corrupt/i);
    expect((await consumeAll()).sort()).toEqual(Array.from({ length: COUNT }, (_, i) => `v${i}`).sort());
  }, 180_000);
});
