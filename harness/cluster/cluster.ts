// Starts a ZooKeeper + Kafka cluster on its own Docker network from the local image, waits until it
// is ready, and removes every container and the network on stop(), on errors during start, and on
// SIGINT / SIGTERM.
import "./runtime-env.ts";
import { getContainerRuntimeClient, Wait } from "testcontainers";
import { withAdmin } from "../kafka/client.ts";
import { ensureImages, type Progress } from "../images/build-images.ts";
import { onShutdown } from "../util/shutdown.ts";
import { removeLeftovers } from "./cleanup.ts";
import { freePorts } from "./free-ports.ts";
import { newRunId, RUN_LABEL } from "./labels.ts";
import { brokerConfig, brokerName, zkName, zookeeperConfig } from "./node-config.ts";
import { HarnessNodeContainer } from "./node-container.ts";
import { nodeHandle, type NodeHandle } from "./node-handle.ts";
import { bootstrapOf, waitBrokersSeeEachOther, waitTopicInSync, waitZookeeperReady } from "./readiness.ts";
import { parseClusterSpec, type ClusterSpec, type ClusterSpecInput } from "../spec/cluster.ts";
import { secondsSince } from "../util/wait.ts";

export const READY_TOPIC = "__harness_ready";

export interface Cluster extends AsyncDisposable {
  readonly runId: string;
  readonly spec: ClusterSpec;
  readonly network: string;
  readonly image: string;
  readonly zookeepers: NodeHandle[];
  readonly brokers: NodeHandle[];
  /** Seconds from the first container start to a ready cluster. */
  readonly readySeconds: number;
  /** Client bootstrap addresses (127.0.0.1:port, one per broker). */
  bootstrap(): string[];
  node(name: string): NodeHandle;
  brokerById(id: number): NodeHandle;
  /** Removes every container and the network. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  runId?: string;
  progress?: Progress;
}

export async function startCluster(input: ClusterSpecInput = {}, opts: StartOptions = {}): Promise<Cluster> {
  const spec = parseClusterSpec(input); // before anything starts
  const progress = opts.progress ?? (() => {});
  const { tag: image } = await ensureImages((m) => progress(`images: ${m}`));
  const runId = opts.runId ?? newRunId();
  const timeoutMs = spec.startTimeoutSeconds * 1000;

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    unregister();
    await removeLeftovers(runId);
  };
  const unregister = onShutdown(stop);

  try {
    const client = await getContainerRuntimeClient();
    await client.network.create({ Name: runId, Labels: { [RUN_LABEL]: runId }, CheckDuplicate: true });
    const started = performance.now();

    progress(`cluster ${runId}: starting ${spec.zookeepers} ZooKeeper node(s)`);
    const zookeepers = await Promise.all(
      Array.from({ length: spec.zookeepers }, async (_, i) => {
        const id = i + 1;
        const c = await new HarnessNodeContainer(image)
          .withNode(runId, zkName(id), "zookeeper")
          .withNodeConfig(zookeeperConfig(spec), spec.zookeeperJvmOpts)
          .withEnvironment({ ZK_MYID: String(id) })
          .withWaitStrategy(Wait.forLogMessage(/binding to port/).withStartupTimeout(timeoutMs))
          .start();
        return nodeHandle({ name: zkName(id), role: "zookeeper", id, containerId: c.getId() }, runId);
      }),
    );
    await waitZookeeperReady(zookeepers, timeoutMs);

    progress(`cluster ${runId}: starting ${spec.brokers} broker(s)`);
    const ports = await freePorts(spec.brokers);
    const brokers = await Promise.all(
      ports.map(async (port, i) => {
        const id = i + 1;
        const c = await new HarnessNodeContainer(image)
          .withNode(runId, brokerName(id), "broker")
          .withNodeConfig(brokerConfig(spec, id, port), spec.brokerJvmOpts)
          .withLoopbackPort(port)
          .withWaitStrategy(Wait.forLogMessage(/started \(kafka\.server\.KafkaServer\)/).withStartupTimeout(timeoutMs))
          .start();
        return nodeHandle({ name: brokerName(id), role: "broker", id, containerId: c.getId(), externalPort: port }, runId);
      }),
    );
    const bootstrap = () => brokers.map(bootstrapOf);
    await waitBrokersSeeEachOther(brokers, timeoutMs);

    const rf = Math.min(3, spec.brokers);
    await createTopic(bootstrap(), READY_TOPIC, { partitions: spec.brokers, replicationFactor: rf });
    await waitTopicInSync(bootstrap(), READY_TOPIC, timeoutMs);
    const readySeconds = secondsSince(started);
    progress(`cluster ${runId}: ready in ${readySeconds} s (bootstrap ${bootstrap().join(",")})`);

    const byName = new Map([...zookeepers, ...brokers].map((n) => [n.name, n]));
    const node = (name: string) => {
      const n = byName.get(name);
      if (!n) throw new Error(`no node named ${name} in ${runId} (have ${[...byName.keys()].join(", ")})`);
      return n;
    };
    return {
      runId,
      spec,
      network: runId,
      image,
      zookeepers,
      brokers,
      readySeconds,
      bootstrap,
      node,
      brokerById: (id) => node(brokerName(id)),
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (err) {
    progress(`cluster ${runId}: start failed, removing its containers`);
    await stop().catch(() => undefined);
    throw err;
  }
}

export interface TopicOptions {
  partitions?: number;
  replicationFactor?: number;
  config?: Record<string, string>;
}

export async function createTopic(bootstrap: string[], topic: string, o: TopicOptions = {}): Promise<void> {
  await withAdmin(bootstrap, async (a) => {
    await a.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: o.partitions ?? 1,
          replicationFactor: o.replicationFactor ?? 3,
          configEntries: Object.entries(o.config ?? {}).map(([name, value]) => ({ name, value })),
        },
      ],
    });
  });
}
