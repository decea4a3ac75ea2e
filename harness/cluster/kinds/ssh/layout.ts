// Where each process of an ssh cluster runs and how it is started, as plain data from the inventory
// and the cluster spec (pure). Nodes get the docker kind's names (zk1.., kafka1.., c1..), so targets,
// reports and stored runs read the same: ZooKeeper hosts in inventory order, then brokers with the
// combined ones first (KRaft's combined voters are the first brokers), then dedicated controllers.
// Mode install keeps everything of a run in one folder per host, removed at teardown.
import type { ClusterSpec } from "../../../spec/cluster.ts";
import { existingOf, type SshInventory, type SshNode } from "../../../spec/ssh-inventory.ts";
import {
  brokerConfig,
  brokerName,
  CONTROLLER_ID_BASE,
  CONTROLLER_PORT,
  controllerConfig,
  controllerName,
  type Placement,
  quorumVoters,
  zkName,
  zookeeperConfig,
} from "../../node-config.ts";
import type { Role } from "../../node-container.ts";
import { q } from "./commands.ts";
import type { SshProcess } from "./node.ts";
import type { SshTarget } from "./session.ts";

/** Where install mode puts a run on each host: <INSTALL_ROOT>/<run id>/{kafka,data,node.log,node.pid}. */
export const INSTALL_ROOT = "/opt/kafka-harness";
/** The EXTERNAL listener's port on every broker host (the clients'; INTERNAL is 9092). */
export const SSH_EXTERNAL_PORT = 9094;
/** How much of each node's log a run downloads: its end. */
export const NODE_LOG_BYTES = 16 * 1024 * 1024;

/** How the harness logs in to a host: the node's own user and port over the inventory's. */
export const loginOf = (inv: Pick<SshInventory, "user" | "port" | "keyFile">, node: SshNode, name: string): SshTarget => ({
  name,
  host: node.host,
  port: node.port ?? inv.port,
  user: node.user ?? inv.user,
  ...(inv.keyFile ? { keyFile: inv.keyFile } : {}),
});

export interface SshNodePlan {
  name: string;
  role: Role;
  id: number;
  /** The inventory's host: where SSH logs in, and the address the other nodes and the clients use. */
  host: string;
  login: SshTarget;
  process: SshProcess;
  /** The log file downloaded into logs/<name>.log. */
  log: string;
  /** install: the node's configuration and its entrypoint's environment. */
  config?: string;
  externalPort?: number;
  /** Dedicated controllers: the CONTROLLER port, asked for the quorum. */
  controllerPort?: number;
}

export interface SshLayout {
  nodes: SshNodePlan[];
  /** install: the run's folder on every host. */
  runRoot?: string;
}

/** Each inventory host with the node name and id it gets. */
export function namedHosts(inv: Pick<SshInventory, "nodes">): { node: SshNode; name: string; role: Role; id: number }[] {
  const of = (r: SshNode["role"]) => inv.nodes.filter((n) => n.role === r);
  const brokers = [...of("combined"), ...of("broker")];
  return [
    ...of("zookeeper").map((node, i) => ({ node, name: zkName(i + 1), role: "zookeeper" as const, id: i + 1 })),
    ...brokers.map((node, i) => ({ node, name: brokerName(i + 1), role: "broker" as const, id: i + 1 })),
    ...of("controller").map((node, i) => ({
      node,
      name: controllerName(i + 1),
      role: "controller" as const,
      id: CONTROLLER_ID_BASE + i + 1,
    })),
  ];
}

/** The run's folder on a host (install). */
export const runRootOf = (runId: string) => `${INSTALL_ROOT}/${runId}`;

/** The environment the entrypoint starts a node with (install), as `NAME=value` words for env. */
function entrypointEnv(spec: ClusterSpec, clusterId: string, root: string, role: Role, id: number): Record<string, string> {
  return {
    KH_HOME: `${root}/kafka`,
    KH_DATA: `${root}/data`,
    ROLE: role,
    JVM_OPTS: role === "zookeeper" ? spec.zookeeperJvmOpts : spec.brokerJvmOpts,
    ...(role === "zookeeper" ? { ZK_MYID: String(id) } : {}),
    ...(spec.metadata === "kraft" && role !== "zookeeper" ? { KRAFT_CLUSTER_ID: clusterId } : {}),
  };
}

/** `clusterId`: KRaft's cluster id (16 random bytes, base64url), the same on every node. */
export function sshLayout(spec: ClusterSpec, inv: SshInventory, runId: string, clusterId: string): SshLayout {
  const hosts = namedHosts(inv);
  const hostByName = new Map(hosts.map((h) => [h.name, h.node.host]));
  const root = runRootOf(runId);
  const placement: Placement = {
    hostOf: (name) => hostByName.get(name) ?? name,
    dataDir: `${root}/data`,
    externalHostOf: (name) => hostByName.get(name) ?? name,
  };
  const voters = spec.metadata === "kraft" ? quorumVoters(spec) : [];
  const nodes = hosts.map(({ node, name, role, id }): SshNodePlan => {
    const login = loginOf(inv, node, name);
    const ports = {
      ...(role === "broker" ? { externalPort: SSH_EXTERNAL_PORT } : {}),
      ...(role === "controller" ? { controllerPort: CONTROLLER_PORT } : {}),
    };
    if (inv.mode === "existing") {
      const e = existingOf(inv, node);
      // The user's listeners: the client port as configured (Kafka's usual 9092 when not given).
      const own = {
        ...(role === "broker" ? { externalPort: e.port ?? 9092 } : {}),
        ...(role === "controller" ? { controllerPort: e.port ?? CONTROLLER_PORT } : {}),
      };
      return { name, role, id, host: node.host, login, process: { mode: "existing", start: e.start!, pid: e.pid! }, log: e.log!, ...own };
    }
    const config =
      role === "zookeeper"
        ? zookeeperConfig(spec, placement)
        : role === "controller"
          ? controllerConfig(spec, voters.find((v) => v.name === name)!, placement)
          : brokerConfig(spec, id, SSH_EXTERNAL_PORT, placement);
    const env = entrypointEnv(spec, clusterId, root, role, id);
    const configFile = `${root}/node.properties`;
    const command = `env ${Object.entries(env)
      .map(([k, v]) => q(`${k}=${v}`))
      .join(" ")} NODE_CONFIG="$(cat ${q(configFile)})" ${q(`${root}/kafka/entrypoint.sh`)}`;
    const log = `${root}/node.log`;
    return {
      name,
      role,
      id,
      host: node.host,
      login,
      process: { mode: "install", command, pidFile: `${root}/node.pid`, log, dir: root },
      log,
      config,
      ...ports,
    };
  });
  return { nodes, ...(inv.mode === "install" ? { runRoot: root } : {}) };
}
