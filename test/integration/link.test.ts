// The link family on a real cluster (the shared one): what a lossy or slow link does, measured by
// the rules' own counters and the shaping's statistics, not only by the commands' exit status.
// - packet-loss 30% between brokers on a leader: the rules drop packets (counter > 0) while acks=all
//   produce still succeeds (TCP retransmits);
// - packet-loss between clients: the harness's clients reach a broker from outside the cluster's
//   nodes (the network's gateway, through the published port), so their packets are the ones matched;
// - slow-link 64 kbit between brokers on a leader: what it sends its followers is limited, so an
//   acks=1 burst of 96 KB leaves the high watermark far behind the acknowledged writes (without
//   the limit, at most the last batch behind), and the qdisc counts overlimits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, createTopic } from "../../harness/cluster/cluster.ts";
import { createRecorder } from "../../harness/history/recorder.ts";
import { newKafka, withAdmin } from "../../harness/kafkajs/factory.ts";
import { type ClusterNemesis, clusterNemesis } from "../../harness/nemesis/nemesis.ts";
import { seededRng } from "../../harness/nemesis/rng.ts";
import { waitUntilWhole } from "../../harness/run/shared-cluster.ts";
import { sharedCluster } from "./shared-cluster.ts";

const TOPIC = "tlink";
let cluster: Cluster;
let nemesis: ClusterNemesis;

const produce = async (n: number, bytes: number, acks: -1 | 1) => {
  const producer = newKafka(cluster.bootstrap(), "link-test").producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < n; i += 8) {
      const messages = Array.from({ length: Math.min(8, n - i) }, (_, j) => ({ partition: 0, value: `${i + j}:`.padEnd(bytes, "x") }));
      await producer.send({ topic: TOPIC, acks, timeout: 30_000, messages });
    }
  } finally {
    await producer.disconnect();
  }
};

const highWatermark = () =>
  withAdmin(cluster.bootstrap(), async (a) => Number((await a.fetchTopicOffsets(TOPIC)).find((p) => p.partition === 0)!.high));

beforeAll(async () => {
  cluster = await sharedCluster();
  await createTopic(cluster.bootstrap(), TOPIC, { partitions: 1, replicationFactor: 3, config: { "min.insync.replicas": "2" } });
  nemesis = clusterNemesis(cluster, { recorder: createRecorder(), rng: seededRng(29), watch: false, healOnShutdown: false });
});

afterAll(async () => {
  await nemesis?.healAll();
  await nemesis?.close();
  if (cluster) await waitUntilWhole(cluster);
});

describe("link faults on a real cluster", () => {
  it("packet-loss 30% between brokers on the leader drops packets while acks=all produce succeeds", async () => {
    const r = await nemesis.invoke({
      fault: "packet-loss",
      targets: { kind: "leader", of: `${TOPIC}-0` },
      probability: 0.3,
      between: "brokers",
    });
    expect(r.type).toBe("ok");
    const leader = r.value.targets[0]!;
    await produce(96, 200, -1);
    const u = await nemesis.invoke(r.undo!);
    console.error(`packet-loss brokers: ${JSON.stringify(u.value)}`);
    const seen = u.value.seen as Record<string, number>;
    const dropped = u.value.dropped as Record<string, number>;
    expect(dropped[leader]).toBeGreaterThan(0);
    expect(seen[leader]).toBeGreaterThan(dropped[leader]!);
    expect(await highWatermark()).toBeGreaterThanOrEqual(96);
  });

  it("packet-loss between clients matches the harness's own connections (they come from outside the cluster's nodes)", async () => {
    const r = await nemesis.invoke({
      fault: "packet-loss",
      targets: { kind: "leader", of: `${TOPIC}-0` },
      probability: 0.2,
      between: "clients",
    });
    expect(r.type).toBe("ok");
    const leader = r.value.targets[0]!;
    await produce(40, 200, -1);
    const u = await nemesis.invoke(r.undo!);
    console.error(`packet-loss clients: ${JSON.stringify(u.value)}`);
    expect((u.value.seen as Record<string, number>)[leader]).toBeGreaterThan(0);
  });

  it("slow-link 64 kbit between brokers on the leader keeps its followers behind: the high watermark lags the acks=1 writes", async () => {
    // Baseline, same burst without the limit (printed, not asserted: it is a matter of speed).
    const base0 = await highWatermark();
    await produce(96, 1024, 1);
    const baseline = (await highWatermark()) - base0;
    const before = await highWatermark();
    const r = await nemesis.invoke({ fault: "slow-link", targets: { kind: "leader", of: `${TOPIC}-0` }, rateKbit: 64, between: "brokers" });
    expect(r.type).toBe("ok");
    const leader = r.value.targets[0]!;
    await produce(96, 1024, 1); // 96 KB: 12 s at 64 kbit/s
    const hw = await highWatermark();
    const u = await nemesis.invoke(r.undo!);
    console.error(
      `slow-link: high watermark ${hw - before} of 96 acknowledged (baseline without the limit: ${baseline}); ${JSON.stringify(u.value)}`,
    );
    // Without the limit the followers are at most the last batch (8) behind.
    expect(hw - before).toBeLessThan(48);
    const shaped = (u.value.shaped as Record<string, { sentBytes: number; overlimits: number }>)[leader]!;
    expect(shaped.overlimits).toBeGreaterThan(0);
    expect(shaped.sentBytes).toBeGreaterThan(0);
  });
});
