// Cluster kind "attach": an existing Kafka cluster, reached by its bootstrap address. The harness
// starts, stops and downloads nothing there: its brokers are read from Kafka's own metadata
// (DescribeCluster), and each fault (kill, stop, pause) is the user's hook command (hooks.ts) run
// for the target broker, at the fault's start and at its undo. A node's state is what its hooks
// last did: a hook that failed midway leaves the node marked faulted, so heal-all runs the undo.

import { withAdmin } from "../../kafkajs/factory.ts";
import type { ClientSecurity } from "../../protocol/security.ts";
import type { HookFault } from "../../spec/attach-faults.ts";
import type { ClusterSpec } from "../../spec/cluster.ts";
import { newRunId } from "../labels.ts";
import { brokerName } from "../node-config.ts";
import type { ContainerState } from "../node-handle.ts";
import type { HookRunner, HookTarget } from "./hooks.ts";
import type { RunCluster, RunNode } from "./kind.ts";

export interface AttachedBroker {
  nodeId: number;
  host: string;
  port: number;
}

/** A broker of an attached cluster whose process faults are its hooks. */
export function hookedBroker(b: AttachedBroker, hooks: HookRunner | undefined): RunNode {
  const target: HookTarget = { name: brokerName(b.nodeId), id: b.nodeId, host: b.host, port: b.port };
  let state: ContainerState = "running";
  /** What took it down (kill or stop): its hook's stop phase brings it back. */
  let downBy: HookFault | undefined;
  const hook = async (fault: HookFault, phase: "start" | "stop", after: ContainerState) => {
    if (!hooks) throw new Error(`${target.name}: no fault hooks on this attached cluster`);
    // Marked before the command: if it fails midway the fault may be half done (the op is info),
    // and heal-all, which asks each node's state, then runs the undo hook too.
    if (phase === "start") state = after;
    await hooks.run(fault, phase, target);
    state = after;
  };
  const unreachable = (what: string) => () => Promise.reject(new Error(`${target.name}: ${what} is not possible on an attached cluster`));
  return {
    name: target.name,
    role: "broker",
    id: b.nodeId,
    externalPort: b.port,
    externalHost: b.host,
    lastAddress: () => undefined,
    state: async () => state,
    kill: () => ((downBy = "kill"), hook("kill", "start", "exited")),
    stop: () => ((downBy = "stop"), hook("stop", "start", "exited")),
    start: () => hook(downBy ?? "kill", "stop", "running"),
    pause: () => hook("pause", "start", "paused"),
    unpause: () => hook("pause", "stop", "running"),
    address: unreachable("a network address on the harness's network"),
    exec: unreachable("running a command on a node"),
  };
}

/** The attached cluster: its brokers as its metadata lists them now. */
export async function attachCluster(
  spec: ClusterSpec,
  o: { hooks?: HookRunner; progress: (m: string) => void; security?: ClientSecurity },
): Promise<RunCluster> {
  const bootstrap = [...(spec.bootstrap ?? [])];
  if (!bootstrap.length) throw new Error('cluster kind "attach" needs cluster.bootstrap (host:port addresses)');
  const security = o.security;
  const described = await withAdmin(bootstrap, (a) => a.describeCluster(), security).catch((err: Error) => {
    // A listener that wants TLS or SASL closes a plaintext client's connection without a word.
    const hint = security ? "" : "; if the cluster asks for TLS or SASL, give them: --tls, --tls-ca, --sasl-*, or cluster.security";
    throw new Error(`attach: no broker at ${bootstrap.join(",")} answered (${err.message})${hint}`);
  });
  const brokers = [...described.brokers].sort((a, b) => a.nodeId - b.nodeId).map((b) => hookedBroker(b, o.hooks));
  const runId = `attach-${newRunId().slice(3)}`;
  o.progress(
    `cluster ${runId}: attached to ${bootstrap.join(",")}${securityWords(security)}: brokers ${described.brokers
      .map((b) => `${b.nodeId} (${b.host}:${b.port})`)
      .join(", ")}, controller ${described.controller ?? "unknown"}`,
  );
  return {
    kind: "attach",
    runId,
    spec,
    zookeepers: [],
    brokers,
    controllers: [],
    networkFaults: false,
    // The topic's replicas are the cluster owner's: membership faults only when the spec allows them.
    ...(spec.alterReplicas ? {} : { alterReplicas: false as const }),
    bootstrap: () => bootstrap,
    ...(security ? { security } : {}),
  };
}

/** " (TLS, SASL scram-sha-256 as alice)" for the progress line; never the password. */
const securityWords = (s: ClientSecurity | undefined) => {
  const words = [...(s?.tls ? ["TLS"] : []), ...(s?.sasl ? [`SASL ${s.sasl.mechanism} as ${s.sasl.username}`] : [])];
  return words.length ? ` (${words.join(", ")})` : "";
};
