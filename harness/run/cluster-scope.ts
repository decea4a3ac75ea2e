// The run's cluster as a scope: started here, or the shared one a suite passed in (which gets a
// fresh topic per run); on leaving the scope every node's log is saved into the run folder, then
// the cluster is stopped if this run started it (a shared cluster's owner stops it).
import { type Cluster, createTopic, startCluster } from "../cluster/cluster.ts";
import { saveNodeLogs } from "../cluster/node-logs.ts";
import type { TestSpec } from "../spec/test-spec.ts";
import { messageOf } from "../util/errors.ts";

export interface ClusterScope extends AsyncDisposable {
  readonly cluster: Cluster;
}

export async function openCluster(
  spec: TestSpec,
  o: { shared?: Cluster; image?: string; logsDir: string; progress: (m: string) => void; problems: string[] },
): Promise<ClusterScope> {
  const cluster = o.shared ?? (await startCluster(spec.cluster, { progress: o.progress, image: o.image }));
  return {
    cluster,
    async [Symbol.asyncDispose]() {
      await saveNodeLogs(cluster, o.logsDir).catch(() => undefined);
      if (!o.shared) await cluster.stop().catch((err: unknown) => void o.problems.push(messageOf(err)));
    },
  };
}

/** The run's topic, with the spec's replication settings. */
export async function createRunTopic(cluster: Cluster, spec: TestSpec): Promise<void> {
  await createTopic(cluster.bootstrap(), spec.topic.name, {
    partitions: spec.topic.partitions,
    replicationFactor: spec.topic.replicationFactor,
    config: {
      "min.insync.replicas": String(spec.topic.minInsyncReplicas),
      "unclean.leader.election.enable": String(spec.topic.uncleanLeaderElection),
    },
  });
}
