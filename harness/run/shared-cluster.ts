// Several runs on one cluster, each with a fresh topic (suites with --share-cluster or --parallel,
// replay and shrink of several runs, the detection bench): the one place that decides which cluster
// a run gets and that it is whole again before the run starts, since the previous run's faults were
// healed but its replicas may still be catching up. Runs that go on side by side (a suite's lanes)
// each hold their cluster until they release it; no two runs ever share one at the same time,
// since one run's faults would be the other's.

import { isDeepStrictEqual } from "node:util";
import { type Cluster, READY_TOPIC, startCluster } from "../cluster/cluster.ts";
import { waitTopicInSync } from "../cluster/readiness.ts";
import { type ClusterSpec, clusterKind } from "../spec/cluster.ts";

/** How long a shared cluster may take to have every replica back in sync before the next run. */
const READY_BETWEEN_RUNS_MS = 120_000;

/** A cluster held by one run until `release`; `cluster` undefined: the run starts its own. */
export interface ClusterLease {
  readonly cluster: Cluster | undefined;
  release(): void;
}

export interface SharedClusters {
  /** The cluster for a run of this spec, whole again and held by that run until released. */
  lease(spec: ClusterSpec): Promise<ClusterLease>;
  /** Stops the clusters started here (a given cluster is its owner's to stop). */
  stop(): Promise<void>;
}

export interface SharedClusterOptions {
  /**
   * A running cluster for every run whose cluster spec it matches; its owner stops it. A run that
   * asks for another cluster (other broker settings, more brokers) does not get it: it would run
   * without what it asked for, silently.
   */
  given?: Cluster;
  /** Start clusters here and reuse each for the next run of its spec (else a run without the given
   *  cluster starts its own). */
  share?: boolean;
  /** How many clusters started here may run at once (default 1; at least 1): a lease that finds none
   *  idle of its spec starts one below this, else replaces an idle one of another spec, else waits
   *  for a release. */
  maxOwn?: number;
  progress?: (m: string) => void;
  /** The edges, replaced in unit tests. */
  start?: (spec: ClusterSpec) => Promise<Cluster>;
  whole?: (cluster: Cluster) => Promise<void>;
}

/** A cluster the pool knows: the given one, or one it started (or is starting). */
interface Held {
  spec: ClusterSpec;
  cluster: Promise<Cluster>;
  readonly own: boolean;
  busy: boolean;
}

export function sharedClusters(opts: SharedClusterOptions): SharedClusters {
  const start = opts.start ?? ((spec: ClusterSpec) => startCluster(spec, { progress: opts.progress }));
  const whole = opts.whole ?? waitUntilWhole;
  const maxOwn = Math.max(1, opts.maxOwn ?? 1);
  const held: Held[] = opts.given ? [{ spec: opts.given.spec, cluster: Promise.resolve(opts.given), own: false, busy: false }] : [];
  let waiting: (() => void)[] = [];
  const wakeAll = () => {
    const w = waiting;
    waiting = [];
    for (const f of w) f();
  };

  /** Takes the entry (synchronously marked busy), waits for it and for its replicas. */
  async function take(h: Held): Promise<ClusterLease> {
    let cluster: Cluster;
    try {
      cluster = await h.cluster;
    } catch (err) {
      // A cluster that failed to start is forgotten: the next lease starts another.
      held.splice(held.indexOf(h), 1);
      wakeAll();
      throw err;
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      h.busy = false;
      wakeAll();
    };
    try {
      await whole(cluster);
    } catch (err) {
      release(); // one that did not get whole stays for the next try
      throw err;
    }
    return { cluster, release };
  }

  return {
    async lease(spec) {
      // An attached cluster is not the harness's to start or share: each run attaches itself.
      if (clusterKind(spec) !== "docker") return { cluster: undefined, release: () => {} };
      if (opts.given && !isDeepStrictEqual(opts.given.spec, spec))
        opts.progress?.(`the given cluster ${opts.given.runId} is not the cluster this run asks for: it gets its own`);
      for (;;) {
        const idle = held.find((h) => !h.busy && isDeepStrictEqual(h.spec, spec));
        if (idle) {
          idle.busy = true;
          return take(idle);
        }
        if (!opts.share) return { cluster: undefined, release() {} };
        const own = held.filter((h) => h.own);
        if (own.length < maxOwn) {
          const h: Held = { spec, cluster: start(spec), own: true, busy: true };
          held.push(h);
          return take(h);
        }
        // All the clusters allowed are up: replace an idle one of another spec, in place, so no
        // other lease sees a free place meanwhile.
        const other = own.find((h) => !h.busy);
        if (other) {
          const previous = other.cluster;
          other.spec = spec;
          other.busy = true;
          other.cluster = previous.then(
            (c) => c.stop().then(() => start(spec)),
            () => start(spec),
          );
          return take(other);
        }
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
    },
    async stop() {
      const own = held.filter((h) => h.own);
      held.length = 0;
      const started = await Promise.allSettled(own.map((h) => h.cluster));
      await Promise.all(started.flatMap((r) => (r.status === "fulfilled" ? [r.value.stop()] : [])));
    },
  };
}

/** Every replica of the cluster's readiness topic in sync: the cluster is whole again. */
export async function waitUntilWhole(cluster: Cluster): Promise<void> {
  await waitTopicInSync(cluster.bootstrap(), READY_TOPIC, READY_BETWEEN_RUNS_MS);
}

/** Runs `work` on a leased cluster (undefined: it starts its own), released whatever happens. */
export async function onLeasedCluster<T>(
  clusters: SharedClusters,
  spec: ClusterSpec,
  work: (cluster: Cluster | undefined) => Promise<T>,
): Promise<T> {
  const lease = await clusters.lease(spec);
  try {
    return await work(lease.cluster);
  } finally {
    lease.release();
  }
}
