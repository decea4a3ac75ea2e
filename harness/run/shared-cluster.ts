// Several runs on one cluster, each with a fresh topic (suites with --share-cluster, replay and
// shrink of several runs, the API's harnessFixture): the one place that decides which cluster a run
// gets and that it is whole again before the run starts, since the previous run's faults were
// healed but its replicas may still be catching up.

import { isDeepStrictEqual } from "node:util";
import { type Cluster, READY_TOPIC, startCluster } from "../cluster/cluster.ts";
import { waitTopicInSync } from "../cluster/readiness.ts";
import type { ClusterSpec } from "../spec/cluster.ts";

/** How long a shared cluster may take to have every replica back in sync before the next run. */
const READY_BETWEEN_RUNS_MS = 120_000;

export interface SharedClusters {
  /** The cluster for a run of this cluster spec, whole again; undefined: the run starts its own. */
  clusterFor(spec: ClusterSpec): Promise<Cluster | undefined>;
  /** Stops the cluster started here, if any (a given cluster is its owner's to stop). */
  stop(): Promise<void>;
}

export interface SharedClusterOptions {
  /**
   * A running cluster for every run whose cluster spec it matches; its owner stops it. A run that
   * asks for another cluster (other broker settings, more brokers) does not get it: it would run
   * without what it asked for, silently.
   */
  given?: Cluster;
  /** Without a given cluster: start one per distinct cluster spec and reuse it for the next runs. */
  share?: boolean;
  progress?: (m: string) => void;
}

export function sharedClusters(opts: SharedClusterOptions): SharedClusters {
  let own: { key: string; cluster: Cluster } | undefined;
  return {
    async clusterFor(spec) {
      let cluster = opts.given && isDeepStrictEqual(opts.given.spec, spec) ? opts.given : undefined;
      if (opts.given && !cluster)
        opts.progress?.(`the given cluster ${opts.given.runId} is not the cluster this run asks for: it gets its own`);
      if (!cluster && opts.share) {
        const key = JSON.stringify(spec);
        if (own?.key !== key) {
          const previous = own;
          own = undefined;
          await previous?.cluster.stop();
          own = { key, cluster: await startCluster(spec, { progress: opts.progress }) };
        }
        cluster = own.cluster;
      }
      if (cluster) await waitUntilWhole(cluster);
      return cluster;
    },
    async stop() {
      const c = own?.cluster;
      own = undefined;
      await c?.stop();
    },
  };
}

/** Every replica of the cluster's readiness topic in sync: the cluster is whole again. */
export async function waitUntilWhole(cluster: Cluster): Promise<void> {
  await waitTopicInSync(cluster.bootstrap(), READY_TOPIC, READY_BETWEEN_RUNS_MS);
}
