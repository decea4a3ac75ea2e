// Renders each node's configuration file from the cluster spec. Pure: the entrypoint in the image
// only writes this text and starts the JVM. ZooKeeper mode: zk1..zkN and brokers that register in
// ZooKeeper. KRaft: a static controller quorum (dedicated c1..cK, or the first K brokers running
// both roles when combined) and brokers that register with it.
import { randomBytes } from "node:crypto";
import type { ClusterSpec } from "../spec/cluster.ts";

export const ZK_CLIENT_PORT = 2181;
export const INTERNAL_PORT = 9092;
export const CONTROLLER_PORT = 9093;
/** Dedicated controllers' node ids start above every broker id (brokers are 1..5). */
export const CONTROLLER_ID_BASE = 100;

export const zkName = (id: number) => `zk${id}`;
export const brokerName = (id: number) => `kafka${id}`;
export const controllerName = (i: number) => `c${i}`;

/**
 * A KRaft cluster id: a Kafka Uuid, 16 random bytes in base64url without padding. Like Kafka's own
 * Uuid.randomUuid, never one that starts with "-": kafka-storage's argument parser reads
 * `--cluster-id -x...` as a missing value and the format fails (1 start in 64 did).
 */
export function newKraftClusterId(random: (n: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/** Where the nodes are, as their configurations name it: docker's nodes reach each other by
 *  container name and keep their data in /data; an ssh cluster's by host address, in its install
 *  folder. */
export interface Placement {
  /** The host the other nodes reach a node at (docker: its container name). */
  hostOf(name: string): string;
  /** The data folder (Kafka's log.dirs is its kafka/, ZooKeeper's dataDir its zookeeper/). */
  dataDir: string;
  /** The host the EXTERNAL listener is advertised at (docker: 127.0.0.1, where its port is published). */
  externalHostOf(name: string): string;
}

export const DOCKER_PLACEMENT: Placement = { hostOf: (name) => name, dataDir: "/data", externalHostOf: () => "127.0.0.1" };

/** The entrypoint's switch for clock faults: the JVM under libfaketime (cluster.fakeClock). */
export const fakeClockEnv = (spec: Pick<ClusterSpec, "fakeClock">): Record<string, string> =>
  spec.fakeClock ? { KH_FAKE_CLOCK: "1" } : {};

/** One KRaft quorum voter: its node id and the node (container name) it runs on. */
export interface Voter {
  id: number;
  name: string;
}

/** The static quorum: c1..cK (ids 101..) or, combined, kafka1..kafkaK (ids 1..K). */
export function quorumVoters(spec: ClusterSpec): Voter[] {
  return Array.from({ length: spec.controllers }, (_, i) =>
    spec.combined ? { id: i + 1, name: brokerName(i + 1) } : { id: CONTROLLER_ID_BASE + i + 1, name: controllerName(i + 1) },
  );
}

/** controller.quorum.voters: "101@c1:9093,102@c2:9093,...". */
export const votersProperty = (spec: ClusterSpec, p: Placement = DOCKER_PLACEMENT) =>
  quorumVoters(spec)
    .map((v) => `${v.id}@${p.hostOf(v.name)}:${CONTROLLER_PORT}`)
    .join(",");

/** What every KRaft node (controller or broker) shares: the quorum and how to reach it. */
function kraftCommon(spec: ClusterSpec, p: Placement): Record<string, string | number | boolean> {
  return {
    "controller.quorum.voters": votersProperty(spec, p),
    "controller.listener.names": "CONTROLLER",
    // A broker silent for this long is fenced (its partitions lose it as leader / from the ISR):
    // KRaft's counterpart of the ZooKeeper session timeout.
    "broker.session.timeout.ms": spec.brokerSessionTimeoutMs,
    "broker.heartbeat.interval.ms": Math.min(2000, Math.floor(spec.brokerSessionTimeoutMs / 3)),
    "log.dirs": `${p.dataDir}/kafka`,
  };
}

/** A dedicated controller (process.roles=controller): one CONTROLLER listener on the run's network. */
export function controllerConfig(spec: ClusterSpec, voter: Voter, p: Placement = DOCKER_PLACEMENT): string {
  return render({
    "process.roles": "controller",
    "node.id": voter.id,
    ...kraftCommon(spec, p),
    listeners: `CONTROLLER://0.0.0.0:${CONTROLLER_PORT}`,
    "listener.security.protocol.map": "CONTROLLER:PLAINTEXT",
    "num.io.threads": 2,
    "num.network.threads": 2,
    // A controller's own requests to the active one (its registration) time out like a broker's.
    "controller.socket.timeout.ms": spec.controllerSocketTimeoutMs,
    ...spec.brokerConfig,
  });
}

const render = (props: Record<string, string | number | boolean>) =>
  Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");

export function zookeeperConnect(spec: ClusterSpec, p: Placement = DOCKER_PLACEMENT): string {
  return Array.from({ length: spec.zookeepers }, (_, i) => `${p.hostOf(zkName(i + 1))}:${ZK_CLIENT_PORT}`).join(",");
}

export function zookeeperConfig(spec: ClusterSpec, p: Placement = DOCKER_PLACEMENT): string {
  const servers: Record<string, string> = {};
  // One node runs standalone; an ensemble lists every peer.
  if (spec.zookeepers > 1) {
    for (let i = 1; i <= spec.zookeepers; i++) servers[`server.${i}`] = `${p.hostOf(zkName(i))}:2888:3888`;
  }
  return render({
    tickTime: spec.zkTickTimeMs,
    initLimit: 20,
    syncLimit: 5,
    dataDir: `${p.dataDir}/zookeeper`,
    clientPort: ZK_CLIENT_PORT,
    maxSessionTimeout: 20 * spec.zkTickTimeMs,
    // Peers bind to every address of the container, not just the one their alias resolves to.
    quorumListenOnAllIPs: true,
    "admin.enableServer": false,
    ...servers,
  });
}

/** Where a broker keeps its metadata: ZooKeeper's connection, or its KRaft roles and quorum. */
function metadataProps(spec: ClusterSpec, id: number, externalPort: number, p: Placement): Record<string, string | number | boolean> {
  const listeners = `INTERNAL://0.0.0.0:${INTERNAL_PORT},EXTERNAL://0.0.0.0:${externalPort}`;
  if (spec.metadata === "zookeeper") {
    return {
      "broker.id": id,
      "zookeeper.connect": zookeeperConnect(spec, p),
      "zookeeper.session.timeout.ms": spec.zkSessionTimeoutMs,
      "zookeeper.connection.timeout.ms": Math.max(10_000, spec.zkSessionTimeoutMs),
      listeners,
      "listener.security.protocol.map": "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT",
    };
  }
  // A combined node also votes: it listens on CONTROLLER too (never advertised to clients).
  const votes = quorumVoters(spec).some((v) => v.id === id && v.name === brokerName(id));
  return {
    "process.roles": votes ? "broker,controller" : "broker",
    "node.id": id,
    ...kraftCommon(spec, p),
    listeners: votes ? `${listeners},CONTROLLER://0.0.0.0:${CONTROLLER_PORT}` : listeners,
    "listener.security.protocol.map": "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT",
  };
}

export function brokerConfig(spec: ClusterSpec, id: number, externalPort: number, p: Placement = DOCKER_PLACEMENT): string {
  const rf = Math.min(3, spec.brokers);
  const name = brokerName(id);
  return render({
    ...metadataProps(spec, id, externalPort, p),
    "log.dirs": `${p.dataDir}/kafka`,
    // INTERNAL carries replication between brokers on the run's network; EXTERNAL is what the
    // harness's clients reach (docker: a fixed port published on 127.0.0.1 only).
    "advertised.listeners": `INTERNAL://${p.hostOf(name)}:${INTERNAL_PORT},EXTERNAL://${p.externalHostOf(name)}:${externalPort}`,
    "inter.broker.listener.name": "INTERNAL",
    "replica.lag.time.max.ms": spec.replicaLagTimeMaxMs,
    "controller.socket.timeout.ms": spec.controllerSocketTimeoutMs,
    "auto.create.topics.enable": false,
    "num.partitions": 1,
    "default.replication.factor": rf,
    "offsets.topic.replication.factor": rf,
    "offsets.topic.num.partitions": 5,
    "transaction.state.log.replication.factor": rf,
    "transaction.state.log.min.isr": Math.min(2, rf),
    "group.initial.rebalance.delay.ms": 0,
    "num.network.threads": 2,
    "num.io.threads": 4,
    "num.recovery.threads.per.data.dir": 1,
    ...spec.brokerConfig,
  });
}
