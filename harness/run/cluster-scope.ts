// The run's cluster as a scope: started here, or the shared one a suite passed in (which gets a
// fresh topic per run); on leaving the scope every node's log is saved into the run folder, then
// the cluster is stopped if this run started it (a shared cluster's owner stops it), or, shared,
// the run's topic is deleted: the next run finds the cluster as it found it, and a broker killed
// later does not recover every earlier run's logs when it restarts.
import { type Cluster, createTopic, deleteTopic, startCluster } from "../cluster/cluster.ts";
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
      // Nothing of the run needs it now: its history holds what it read. (A topic never created
      // answers UNKNOWN_TOPIC_OR_PARTITION, which is not a problem.)
      else
        await deleteTopic(cluster.bootstrap(), spec.topic.name).catch((err: unknown) => {
          if (!/does not host this topic-partition|UNKNOWN_TOPIC/.test(messageOf(err)))
            o.problems.push(`deleting topic ${spec.topic.name} on the shared cluster: ${messageOf(err)}`);
        });
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
