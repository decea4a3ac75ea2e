// Renders each node's configuration file from the cluster spec. Pure: the entrypoint in the image
// only writes this text and starts the JVM.
import type { ClusterSpec } from "../spec/cluster.ts";

export const ZK_CLIENT_PORT = 2181;
export const INTERNAL_PORT = 9092;

export const zkName = (id: number) => `zk${id}`;
export const brokerName = (id: number) => `kafka${id}`;

const render = (props: Record<string, string | number | boolean>) =>
  Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");

export function zookeeperConnect(spec: ClusterSpec): string {
  return Array.from({ length: spec.zookeepers }, (_, i) => `${zkName(i + 1)}:${ZK_CLIENT_PORT}`).join(",");
}

export function zookeeperConfig(spec: ClusterSpec): string {
  const servers: Record<string, string> = {};
  // One node runs standalone; an ensemble lists every peer.
  if (spec.zookeepers > 1) {
    for (let i = 1; i <= spec.zookeepers; i++) servers[`server.${i}`] = `${zkName(i)}:2888:3888`;
  }
  return render({
    tickTime: spec.zkTickTimeMs,
    initLimit: 20,
    syncLimit: 5,
    dataDir: "/data/zookeeper",
    clientPort: ZK_CLIENT_PORT,
    maxSessionTimeout: 20 * spec.zkTickTimeMs,
    // Peers bind to every address of the container, not just the one their alias resolves to.
    quorumListenOnAllIPs: true,
    "admin.enableServer": false,
    ...servers,
  });
}

export function brokerConfig(spec: ClusterSpec, id: number, externalPort: number): string {
  const rf = Math.min(3, spec.brokers);
  return render({
    "broker.id": id,
    "zookeeper.connect": zookeeperConnect(spec),
    "zookeeper.session.timeout.ms": spec.zkSessionTimeoutMs,
    "zookeeper.connection.timeout.ms": Math.max(10_000, spec.zkSessionTimeoutMs),
    "log.dirs": "/data/kafka",
    // INTERNAL carries replication between brokers on the run's network; EXTERNAL is what the
    // harness's clients reach, on a fixed port published on 127.0.0.1 only.
    listeners: `INTERNAL://0.0.0.0:${INTERNAL_PORT},EXTERNAL://0.0.0.0:${externalPort}`,
    "advertised.listeners": `INTERNAL://${brokerName(id)}:${INTERNAL_PORT},EXTERNAL://127.0.0.1:${externalPort}`,
    "listener.security.protocol.map": "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT",
    "inter.broker.listener.name": "INTERNAL",
    "replica.lag.time.max.ms": spec.replicaLagTimeMaxMs,
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
