// Starts a Kafka cluster on its own Docker network from the local image of its Kafka version
// (provisioning the engine and building the image first when needed): a ZooKeeper ensemble and
// brokers, or (KRaft) a controller quorum and brokers, each node on a fixed address of the network's
// own subnet. Waits until it is ready, and removes every container and the network on stop(), on
// errors during start, and on SIGINT / SIGTERM.
import { getContainerRuntimeClient, Wait } from "testcontainers";
import { ensureImages, type Progress } from "../images/build-images.ts";
import { withAdmin } from "../kafkajs/factory.ts";
import type { ClientSecurity } from "../protocol/security.ts";
import { type ClusterSpec, type ClusterSpecInput, parseClusterSpec } from "../spec/cluster.ts";
import { ensureEngine } from "../util/engine.ts";
import { EnvironmentError, tailOf } from "../util/environment.ts";
import { run } from "../util/exec.ts";
import { onShutdown } from "../util/shutdown.ts";
import { secondsSince, waitFor } from "../util/wait.ts";
import { addedBrokers, type BrokerMembership } from "./added-brokers.ts";
import { type BrokerSite, startBrokerNode } from "./broker-node.ts";
import { findLeftovers, removeLeftovers } from "./cleanup.ts";
import { freePorts } from "./free-ports.ts";
import type { RunCluster } from "./kinds/kind.ts";
import { newRunId, RUN_LABEL } from "./labels.ts";
import {
  brokerName,
  CONTROLLER_ID_BASE,
  CONTROLLER_PORT,
  controllerConfig,
  fakeClockEnv,
  newKraftClusterId,
  quorumVoters,
  zkName,
  zookeeperConfig,
} from "./node-config.ts";
import { HarnessNodeContainer } from "./node-container.ts";
import { type NodeHandle, nodeHandle } from "./node-handle.ts";
import { bootstrapOf, describeTopic, waitBrokersSeeEachOther, waitQuorumReady, waitTopicInSync, waitZookeeperReady } from "./readiness.ts";
import { createRunNetwork } from "./run-network.ts";
import type { StartMarks } from "./start-timings.ts";
import { nodeAddress } from "./subnet.ts";

export const READY_TOPIC = "__harness_ready";

/** The docker kind: a cluster the harness started, every node a container of its own. */
export interface Cluster extends RunCluster, AsyncDisposable {
  readonly kind: "docker";
  readonly runId: string;
  readonly spec: ClusterSpec;
  readonly network: string;
  /** The network's /24; every node has a fixed address in it (see subnet.ts). */
  readonly subnet: string;
  readonly image: string;
  /** ZooKeeper mode's ensemble; empty in KRaft. */
  readonly zookeepers: NodeHandle[];
  readonly brokers: NodeHandle[];
  /** KRaft's quorum voters (c1..cK, or with `combined` the brokers kafka1..kafkaK); empty in
   *  ZooKeeper mode. */
  readonly controllers: NodeHandle[];
  /** Seconds from the first container start to a ready cluster. */
  readonly readySeconds: number;
  /** When each step of the start ended (epoch ms), for the start-time breakdown (start-timings.ts). */
  readonly startMarks: StartMarks;
  /** Client bootstrap addresses (127.0.0.1:port, one per broker, added ones included). */
  bootstrap(): string[];
  node(name: string): NodeHandle;
  /** A broker more, mid-run (added-brokers.ts): `brokers` grows in place. */
  addBroker: BrokerMembership["addBroker"];
  removeBroker: BrokerMembership["removeBroker"];
  brokerById(id: number): NodeHandle;
  /** Removes every container and the network. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  runId?: string;
  progress?: Progress;
  /** The image tag when the caller already ran prepareMachine (else it runs here). */
  image?: string;
  /** How the harness reaches the brokers' EXTERNAL listener when brokerConfig makes it ask for
   *  SASL or TLS (tests of an attached cluster's security); absent: plaintext. */
  security?: ClientSecurity;
}

/**
 * What a cluster needs from the machine: an engine that answers (provisioned as `doctor` does) and
 * the image (built on first use). Either failing is an EnvironmentError: nothing can be tested here.
 */
export async function prepareMachine(progress: Progress = () => {}, kafkaVersion?: string): Promise<{ image: string }> {
  await ensureEngine(progress);
  try {
    const { tag } = await ensureImages(progress, kafkaVersion);
    return { image: tag };
  } catch (err) {
    if (err instanceof EnvironmentError) throw err;
    throw new EnvironmentError(
      `the images could not be built: ${tailOf(err)}`,
      "see the failed step, its last lines and its log above; `npx kafka-harness images build` retries the build alone",
    );
  }
}

/** Tries to remove a cluster's containers and network a few times; the error names what is left. */
async function removeCluster(runId: string): Promise<void> {
  let last: unknown;
  for (let attempt = 1; attempt <= REMOVE_ATTEMPTS; attempt++) {
    try {
      await removeLeftovers(runId);
      const left = await findLeftovers(runId);
      if (left.containers.length === 0 && left.networks.length === 0) return;
      last = new Error(`still there: ${left.containers.length} container(s), ${left.networks.length} network(s)`);
    } catch (err) {
      last = err;
    }
    if (attempt < REMOVE_ATTEMPTS) await new Promise((r) => setTimeout(r, 1000 * attempt));
  }
  throw new Error(
    `cluster ${runId}: could not remove its containers and network after ${REMOVE_ATTEMPTS} attempts (${(last as Error).message}); \`npx kafka-harness clean\` removes them`,
  );
}

const REMOVE_ATTEMPTS = 3;

// A node whose JVM exits before its "started" line (seen under heavy load: a broker's ZooKeeper
// session expires while it registers, and Kafka shuts itself down) fails the start; the cluster is
// removed and started once more, under a fresh run id, before the error reaches the caller.
const NODE_EXITED_DURING_START = /Log stream ended and message .* was not received/;

/** A start that failed because a node exited before its started line: worth one more start. */
export const nodeExitedDuringStart = (err: unknown): boolean => NODE_EXITED_DURING_START.test((err as Error)?.message ?? "");

/** The log line that says a node's JVM serves: ZooKeeper binds its client port; KRaft nodes log
 *  the KafkaRaftServer line (3.9 to 4.x), ZooKeeper-mode brokers the KafkaServer one. */
export function upLine(role: "zookeeper" | "broker" | "controller", kraft: boolean): RegExp {
  if (role === "zookeeper") return /binding to port/;
  return kraft ? /Kafka Server started \(kafka\.server\.KafkaRaftServer\)/ : /started \(kafka\.server\.KafkaServer\)/;
}

export async function startCluster(input: ClusterSpecInput = {}, opts: StartOptions = {}): Promise<Cluster> {
  try {
    return await startClusterOnce(input, opts);
  } catch (err) {
    if (!nodeExitedDuringStart(err) || opts.runId !== undefined) throw err;
    (opts.progress ?? (() => {}))(`cluster: a node exited while starting (${(err as Error).message}); starting the cluster once more`);
    return startClusterOnce(input, opts);
  }
}

async function startClusterOnce(input: ClusterSpecInput, opts: StartOptions): Promise<Cluster> {
  const spec = parseClusterSpec(input); // before anything starts
  const progress = opts.progress ?? (() => {});
  const image = opts.image ?? (await prepareMachine(progress, spec.kafkaVersion)).image;
  const runId = opts.runId ?? newRunId();
  const timeoutMs = spec.startTimeoutSeconds * 1000;

  // One removal at a time; marked done only once it worked, so a failed removal is tried again.
  let removal: Promise<void> | undefined;
  let removed = false;
  const stop = async () => {
    if (removed) return;
    removal ??= removeCluster(runId).then(
      () => {
        removed = true;
        unregister();
      },
      (err: unknown) => {
        removal = undefined;
        throw err;
      },
    );
    await removal;
  };
  const unregister = onShutdown(stop);

  try {
    const subnet = await createRunNetwork(runId);
    const started = performance.now();
    const marks: Omit<StartMarks, "ready"> = { begin: Date.now() };

    const kraft = spec.metadata === "kraft";
    // One id for every KRaft node's storage (a Kafka Uuid: 16 bytes, base64url without padding).
    const clusterId = newKraftClusterId();
    const kraftEnv: Record<string, string> = kraft ? { KRAFT_CLUSTER_ID: clusterId } : {};
    const voters = kraft ? quorumVoters(spec) : [];
    const startedLine = upLine(kraft ? "controller" : "broker", kraft);

    progress(
      kraft
        ? `cluster ${runId}: Kafka ${spec.kafkaVersion} KRaft, ${spec.controllers} controller(s)${spec.combined ? " on the brokers (combined)" : ""}, cluster id ${clusterId}, starting every node at once`
        : `cluster ${runId}: Kafka ${spec.kafkaVersion}, starting ${spec.zookeepers} ZooKeeper node(s) and ${spec.brokers} broker(s) at once`,
    );
    const dedicated = kraft && !spec.combined ? voters : [];
    // One call for every published port, so no two nodes are handed the same free port.
    const freeHostPorts = await freePorts(dedicated.length + spec.brokers);
    // Each controller's CONTROLLER listener on 127.0.0.1 too: the nemesis asks every voter who
    // leads (DescribeQuorum), which a broker can only forward to the controller it knows.
    const controllerPorts = freeHostPorts.slice(0, dedicated.length);
    const ports = freeHostPorts.slice(dedicated.length);
    // Every node starts at once: the JVM starts are most of a cluster's start, and they overlap.
    // Brokers wait for their metadata quorum themselves (a ZooKeeper-mode broker retries its
    // connection for zookeeper.connection.timeout.ms; a KRaft broker until a controller answers).
    const controllersStarting = allStarted(
      dedicated.map(async (v, i) => {
        const address = nodeAddress(subnet, "controller", v.id - CONTROLLER_ID_BASE);
        const c = await new HarnessNodeContainer(image)
          .withNode(runId, v.name, "controller")
          .withAddress(address)
          .withNodeConfig(controllerConfig(spec, v), spec.zookeeperJvmOpts)
          .withEnvironment(fakeClockEnv(spec))
          .withEnvironment(kraftEnv)
          .withExposedPorts({ container: CONTROLLER_PORT, host: controllerPorts[i]! })
          .withWaitStrategy(Wait.forLogMessage(startedLine).withStartupTimeout(timeoutMs))
          .start();
        return nodeHandle(
          { name: v.name, role: "controller", id: v.id, containerId: c.getId(), controllerPort: controllerPorts[i], address },
          runId,
        );
      }),
    );
    const zookeepersStarting = allStarted(
      Array.from({ length: kraft ? 0 : spec.zookeepers }, async (_, i) => {
        const id = i + 1;
        const address = nodeAddress(subnet, "zookeeper", id);
        const c = await new HarnessNodeContainer(image)
          .withNode(runId, zkName(id), "zookeeper")
          .withAddress(address)
          .withNodeConfig(zookeeperConfig(spec), spec.zookeeperJvmOpts)
          .withEnvironment(fakeClockEnv(spec))
          .withEnvironment({ ZK_MYID: String(id) })
          .withWaitStrategy(Wait.forLogMessage(upLine("zookeeper", false)).withStartupTimeout(timeoutMs))
          .start();
        return nodeHandle({ name: zkName(id), role: "zookeeper", id, containerId: c.getId(), address }, runId);
      }),
    ).then(async (zks) => {
      if (zks.length > 0) {
        await waitZookeeperReady(zks, timeoutMs);
        marks.ensemble = Date.now();
      }
      return zks;
    });
    const site: BrokerSite = { runId, subnet, image, spec, kraftEnv, startedLine, timeoutMs };
    const brokersStarting = allStarted(ports.map((port, i) => startBrokerNode(site, i + 1, port)));
    const [ownControllers, zookeepers, brokers] = (await allStarted([controllersStarting, zookeepersStarting, brokersStarting])) as [
      NodeHandle[],
      NodeHandle[],
      NodeHandle[],
    ];
    const bootstrap = () => brokers.map(bootstrapOf);
    const controllers = spec.combined ? brokers.filter((b) => voters.some((v) => v.name === b.name)) : ownControllers;
    if (kraft) {
      await waitQuorumReady(
        brokers,
        voters.map((v) => v.id),
        timeoutMs,
        opts.security,
      );
      marks.ensemble = Date.now();
    }
    await waitBrokersSeeEachOther(brokers, timeoutMs, opts.security);
    marks.registered = Date.now();

    const rf = Math.min(3, spec.brokers);
    await createTopic(bootstrap(), READY_TOPIC, { partitions: spec.brokers, replicationFactor: rf }, opts.security);
    marks.topicCreated = Date.now();
    await waitTopicInSync(bootstrap(), READY_TOPIC, timeoutMs, opts.security);
    const readySeconds = secondsSince(started);
    const startMarks: StartMarks = { ...marks, ready: Date.now() };
    progress(`cluster ${runId}: ready in ${readySeconds} s (bootstrap ${bootstrap().join(",")})`);

    const byName = new Map([...zookeepers, ...ownControllers, ...brokers].map((n) => [n.name, n]));
    const node = (name: string) => {
      const n = byName.get(name);
      if (!n) throw new Error(`no node named ${name} in ${runId} (have ${[...byName.keys()].join(", ")})`);
      return n;
    };
    return {
      kind: "docker",
      ...addedBrokers(site, brokers, byName),
      runId,
      spec,
      network: runId,
      subnet,
      image,
      zookeepers,
      brokers,
      controllers,
      readySeconds,
      startMarks,
      bootstrap,
      ...(opts.security ? { security: opts.security } : {}),
      node,
      brokerById: (id) => node(brokerName(id)),
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (err) {
    progress(`cluster ${runId}: start failed (${(err as Error).message}), removing its containers`);
    // What each node said last: a node that never came up says why only in its own log.
    for (const line of await lastLogLines(runId).catch(() => [])) progress(line);
    await stop().catch((e: Error) => progress(e.message));
    throw err;
  }
}

/** The last log lines of each of a run's containers, prefixed with the node's name. */
async function lastLogLines(runId: string, lines = 8): Promise<string[]> {
  const names = (await run("docker", ["ps", "-a", "--filter", `label=${RUN_LABEL}=${runId}`, "--format", "{{.Names}}"]))
    .split("\n")
    .filter(Boolean);
  const out: string[] = [];
  for (const name of names.sort()) {
    const log = await run("docker", ["logs", "--tail", String(lines), name]).catch((e: Error) => e.message);
    for (const l of log.split("\n").filter(Boolean)) out.push(`  ${name.slice(runId.length + 1)}| ${l.slice(0, 300)}`);
  }
  return out;
}

/**
 * Waits for every container start to settle before reporting the first failure: removing the
 * cluster while a sibling is still being created would let that container escape the removal.
 */
async function allStarted<T>(starts: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

export interface TopicOptions {
  partitions?: number;
  replicationFactor?: number;
  config?: Record<string, string>;
}

/**
 * Creates a topic and waits for its leaders. On a loaded machine the controller can take longer
 * than the request's timeout: the creation then goes on in the background and kafkajs reports
 * REQUEST_TIMED_OUT (or, when it retried, TOPIC_ALREADY_EXISTS); the topic is then awaited in
 * metadata instead of failing the start.
 */
/** Deletes a topic (the controller accepts it; its logs go in the background). */
export async function deleteTopic(bootstrap: string[], topic: string, security?: ClientSecurity): Promise<void> {
  await withAdmin(bootstrap, (a) => a.deleteTopics({ topics: [topic], timeout: 10_000 }), security);
}

export async function createTopic(bootstrap: string[], topic: string, o: TopicOptions = {}, security?: ClientSecurity): Promise<void> {
  const partitions = o.partitions ?? 1;
  try {
    await withAdmin(
      bootstrap,
      async (a) => {
        await a.createTopics({
          waitForLeaders: true,
          timeout: 30_000,
          topics: [
            {
              topic,
              numPartitions: partitions,
              replicationFactor: o.replicationFactor ?? 3,
              configEntries: Object.entries(o.config ?? {}).map(([name, value]) => ({ name, value })),
            },
          ],
        });
      },
      security,
    );
  } catch (err) {
    const types = ((err as { errors?: Array<{ type?: string }> }).errors ?? []).map((e) => e.type);
    // KRaft: the topic exists once the controller has it, but the broker that kafkajs asks for its
    // leaders (waitForLeaders) may not have replayed it yet and answers UNKNOWN_TOPIC_OR_PARTITION
    // ("This server does not host this topic-partition") until kafkajs gives up retrying.
    const unknownYet = (err as { type?: string }).type === "UNKNOWN_TOPIC_OR_PARTITION";
    if (unknownYet) types.push("UNKNOWN_TOPIC_OR_PARTITION");
    const pending =
      types.length > 0 &&
      types.every((t) => t === "REQUEST_TIMED_OUT" || t === "TOPIC_ALREADY_EXISTS" || t === "UNKNOWN_TOPIC_OR_PARTITION");
    if (!pending) throw err;
    await waitFor(
      `topic ${topic} to exist with a leader for each of its ${partitions} partition(s) (creation reported ${types.join(", ")})`,
      async () => {
        const ps = await describeTopic(bootstrap, topic, security);
        return ps.length === partitions && ps.every((p) => p.leader >= 0);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  }
}
