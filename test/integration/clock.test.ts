// The clock family on a real cluster (needs Docker): a clock-bump moves the broker JVM's own clock,
// as Kafka shows it (a topic with message.timestamp.type=LogAppendTime: the broker stamps each record
// with System.currentTimeMillis()), and reset-clock brings it back. One KRaft node (combined
// controller and broker) started with cluster.fakeClock: the smallest cluster whose JVM runs under
// libfaketime, so the test stays short.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Cluster, createTopic, startCluster } from "../../harness/cluster/cluster.ts";
import { newRunId } from "../../harness/cluster/labels.ts";
import { createRecorder } from "../../harness/history/recorder.ts";
import { newKafka } from "../../harness/kafkajs/factory.ts";
import { type ClusterNemesis, clusterNemesis } from "../../harness/nemesis/nemesis.ts";
import { seededRng } from "../../harness/nemesis/rng.ts";
import { waitFor } from "../../harness/util/wait.ts";

const TOPIC = "clock";
const HOUR_MS = 3_600_000;
let cluster: Cluster;
let nemesis: ClusterNemesis;

/** The broker's clock minus ours, in ms, as the LogAppendTime it stamps on a record it appends. */
async function brokerSkewMs(): Promise<number> {
  const producer = newKafka(cluster.bootstrap(), "clock-test").producer();
  await producer.connect();
  try {
    const sentAt = Date.now();
    const [md] = await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: String(sentAt) }] });
    return Number(md!.logAppendTime) - sentAt;
  } finally {
    await producer.disconnect();
  }
}

describe("clock faults (real engine)", () => {
  beforeAll(async () => {
    const runId = newRunId();
    writeFileSync(join(inject("sharedClusters"), runId), ""); // the global teardown removes it whatever happens
    cluster = await startCluster(
      { metadata: "kraft", kafkaVersion: "3.9.1", controllers: 1, combined: true, brokers: 1, fakeClock: true },
      { runId, progress: (m) => console.error(m) },
    );
    await createTopic(cluster.bootstrap(), TOPIC, {
      partitions: 1,
      replicationFactor: 1,
      config: { "message.timestamp.type": "LogAppendTime" },
    });
    nemesis = clusterNemesis(cluster, { recorder: createRecorder(), rng: seededRng(1), watch: false, healOnShutdown: false });
  }, 180_000);

  afterAll(async () => {
    await nemesis?.close();
    await cluster?.stop();
  });

  it("clock-bump moves the broker JVM's clock an hour ahead (LogAppendTime), reset-clock brings it back", async () => {
    const before = await brokerSkewMs();
    expect(Math.abs(before)).toBeLessThan(60_000);

    const bump = await nemesis.invoke({ fault: "clock-bump", targets: { kind: "nodes", names: ["kafka1"] }, deltaMs: HOUR_MS });
    expect(bump).toMatchObject({ type: "ok", value: { targets: ["kafka1"], deltaMs: HOUR_MS } });
    // Measured in the node: libfaketime's clock against the container's own.
    const measured = (bump.value.offsetMs as Record<string, number>).kafka1!;
    expect(Math.abs(measured - HOUR_MS)).toBeLessThan(1000);
    // The JVM reads the control file again within two seconds (libfaketime's cache).
    const ahead = await waitFor(
      "the broker to stamp records an hour ahead",
      async () => {
        const s = await brokerSkewMs();
        if (s < HOUR_MS - 60_000) throw new Error(`skew ${s} ms`);
        return s;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    console.error(`LogAppendTime skew: ${before} ms before, ${ahead} ms after clock-bump +1 h (measured in the node: ${measured} ms)`);
    expect(ahead).toBeLessThan(HOUR_MS + 60_000);

    const reset = await nemesis.invoke(bump.undo!);
    expect(reset).toMatchObject({ type: "ok", f: "reset-clock", value: { offsetMs: { kafka1: expect.any(Number) } } });
    const back = await waitFor(
      "the broker to stamp records with the host's time again",
      async () => {
        const s = await brokerSkewMs();
        if (Math.abs(s) > 60_000) throw new Error(`skew ${s} ms`);
        return s;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    console.error(`LogAppendTime skew after reset-clock: ${back} ms`);
  }, 120_000);
});
