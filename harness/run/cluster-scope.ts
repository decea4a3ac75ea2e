// The run's cluster as a scope, by the spec's cluster kind (docs/design.md "Cluster kinds"):
// - docker: started here, or the shared one a suite passed in (which gets a fresh topic per run);
//   on leaving the scope every node's log is saved into the run folder, then the cluster is
//   stopped if this run started it (a shared cluster's owner stops it), or, shared, the run's
//   topic is deleted: the next run finds the cluster as it found it, and a broker killed later
//   does not recover every earlier run's logs when it restarts;
// - attach: an existing cluster, reached by its bootstrap address; nothing is started or stopped
//   and no node log is downloaded; on leaving, the run's topic is deleted unless cluster.keepTopic;
// - ssh: hosts logged in to over SSH (kinds/ssh/cluster.ts); on leaving, every node's log is
//   downloaded and the hosts are left as found (install: processes stopped, run folder removed;
//   existing: the run's topic deleted, the user's processes left running).

import { resolve } from "node:path";
import { type Cluster, createTopic, deleteTopic, startCluster } from "../cluster/cluster.ts";
import { attachCluster } from "../cluster/kinds/attach.ts";
import { hookRunner } from "../cluster/kinds/hooks.ts";
import type { RunCluster } from "../cluster/kinds/kind.ts";
import { startSshCluster } from "../cluster/kinds/ssh/cluster.ts";
import { saveNodeLogs } from "../cluster/node-logs.ts";
import type { ClientSecurity } from "../protocol/security.ts";
import { clusterKind } from "../spec/cluster.ts";
import { clusterFor } from "../spec/disk-layer.ts";
import type { TestSpec } from "../spec/test-spec.ts";
import { messageOf } from "../util/errors.ts";
import { topicsOf } from "../workload/workload.ts";

export interface ClusterScope extends AsyncDisposable {
  readonly cluster: RunCluster;
}

export interface ClusterScopeOptions {
  shared?: Cluster;
  image?: string;
  /** The run folder (hooks see it as KH_RUN_DIR) and its logs folder. */
  runDir?: string;
  logsDir: string;
  progress: (m: string) => void;
  problems: string[];
  /** An attached cluster's TLS and SASL, resolved (prepare.ts). */
  security?: ClientSecurity;
}

export async function openCluster(spec: TestSpec, o: ClusterScopeOptions): Promise<ClusterScope> {
  if (clusterKind(spec.cluster) === "attach") return openAttached(spec, o);
  if (clusterKind(spec.cluster) === "ssh") return openSsh(spec, o);
  const cluster = o.shared ?? (await startCluster(clusterFor(spec), { progress: o.progress, image: o.image }));
  return {
    cluster,
    async [Symbol.asyncDispose]() {
      await saveNodeLogs(cluster, o.logsDir).catch(() => undefined);
      if (!o.shared) await cluster.stop().catch((err: unknown) => void o.problems.push(messageOf(err)));
      // Nothing of the run needs it now: its history holds what it read.
      else await deleteRunTopic(cluster, spec, o.problems, "the shared cluster");
    },
  };
}

async function openAttached(spec: TestSpec, o: ClusterScopeOptions): Promise<ClusterScope> {
  const bootstrap = spec.cluster.bootstrap ?? [];
  const hooks = spec.faults.hooks
    ? hookRunner(spec.faults.hooks, { runDir: resolve(o.runDir ?? "."), bootstrap, topic: spec.topic.name })
    : undefined;
  const cluster = await attachCluster(spec.cluster, { hooks, progress: o.progress, ...(o.security ? { security: o.security } : {}) });
  return {
    cluster,
    async [Symbol.asyncDispose]() {
      if (spec.cluster.keepTopic) o.progress(`cluster ${cluster.runId}: topic ${spec.topic.name} kept (cluster.keepTopic)`);
      else await deleteRunTopic(cluster, spec, o.problems, `the attached cluster (${bootstrap.join(",")})`);
    },
  };
}

async function openSsh(spec: TestSpec, o: ClusterScopeOptions): Promise<ClusterScope> {
  const cluster = await startSshCluster(spec.cluster, { logsDir: o.logsDir, progress: o.progress });
  return {
    cluster,
    async [Symbol.asyncDispose]() {
      // Mode install removes the whole run folder (the topic with it); the user's cluster keeps
      // only what the run did not create.
      if (spec.cluster.inventory?.mode === "existing") await deleteRunTopic(cluster, spec, o.problems, `the ssh hosts' cluster`);
      await cluster.stop().catch((err: unknown) => void o.problems.push(messageOf(err)));
    },
  };
}

/** Deletes the run's topic; a topic never created answers UNKNOWN_TOPIC_OR_PARTITION, which is no problem. */
async function deleteRunTopic(cluster: RunCluster, spec: TestSpec, problems: string[], where: string): Promise<void> {
  for (const topic of topicsOf(spec)) {
    await deleteTopic(cluster.bootstrap(), topic, cluster.security).catch((err: unknown) => {
      if (!/does not host this topic-partition|UNKNOWN_TOPIC/.test(messageOf(err)))
        problems.push(`deleting topic ${topic} on ${where}: ${messageOf(err)}`);
    });
  }
}

/** The run's topics (workload.ts topicsOf), with the spec's replication settings. */
export async function createRunTopic(cluster: RunCluster, spec: TestSpec): Promise<void> {
  // The copy workload's output topic too, alike.
  for (const topic of topicsOf(spec)) await createOneTopic(cluster, spec, topic);
}

async function createOneTopic(cluster: RunCluster, spec: TestSpec, topic: string): Promise<void> {
  await createTopic(
    cluster.bootstrap(),
    topic,
    {
      partitions: spec.topic.partitions,
      replicationFactor: spec.topic.replicationFactor,
      config: {
        "min.insync.replicas": String(spec.topic.minInsyncReplicas),
        "unclean.leader.election.enable": String(spec.topic.uncleanLeaderElection),
      },
    },
    cluster.security,
  );
}
