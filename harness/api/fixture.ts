// One cluster shared by the runs of a test file: `startSharedCluster` for any caller, and
// `harnessFixture` for vitest's beforeAll/afterAll. Each run gets a fresh topic on it.
import { type Cluster, startCluster } from "../cluster/cluster.ts";
import { waitUntilWhole } from "../run/shared-cluster.ts";
import type { ClusterSpecInput } from "../spec/cluster.ts";
import type { TestSpec, TestSpecInput } from "../spec/test-spec.ts";
import { isSpecLike, runTest, type TestRun } from "./run-test.ts";

/**
 * Starts a cluster to share between runs: pass it as `runTest(spec, { cluster })` and each run gets
 * a fresh topic on it (the spec's cluster shape is replaced by this one). Stop it with `stop()` or
 * `await using`. Accepts a cluster spec or a whole test spec (its `cluster` part is used).
 */
export async function startSharedCluster(
  spec: ClusterSpecInput | TestSpecInput = {},
  opts: { progress?: (m: string) => void } = {},
): Promise<Cluster> {
  const clusterSpec = isSpecLike(spec) ? ((spec as TestSpecInput).cluster ?? {}) : (spec as ClusterSpecInput);
  return startCluster(clusterSpec, { progress: opts.progress });
}

export interface HarnessFixture {
  /** Starts the shared cluster (call in beforeAll). */
  setup(): Promise<Cluster>;
  /** Stops it (call in afterAll); safe if setup never ran or failed. */
  teardown(): Promise<void>;
  /** A run on the shared cluster with the fixture's store and progress. */
  run(spec: TestSpecInput | TestSpec): Promise<TestRun>;
  readonly cluster: Cluster;
}

/**
 * One shared cluster for a test file: `const h = harnessFixture(); beforeAll(h.setup); afterAll(h.teardown);`
 * then `await h.run(spec)` in each test.
 */
export function harnessFixture(
  opts: {
    cluster?: ClusterSpecInput;
    /** A cluster its owner started and stops (one shared by several test files, say): setup
     *  takes it, waits until it is whole, and teardown leaves it running. */
    existing?: () => Promise<Cluster>;
    storeRoot?: string;
    progress?: (m: string) => void;
  } = {},
): HarnessFixture {
  let cluster: Cluster | undefined;
  return {
    async setup() {
      if (opts.existing) {
        cluster = await opts.existing();
        await waitUntilWhole(cluster); // another file's faults healed; its replicas may lag
      } else cluster ??= await startSharedCluster(opts.cluster ?? {}, { progress: opts.progress });
      return cluster;
    },
    async teardown() {
      const c = cluster;
      cluster = undefined;
      if (!opts.existing) await c?.stop();
    },
    async run(spec) {
      if (!cluster) throw new Error("harnessFixture: call setup() (beforeAll) before run()");
      await waitUntilWhole(cluster); // the previous run's faults healed; its replicas may lag
      return runTest(spec, { cluster, storeRoot: opts.storeRoot, progress: opts.progress });
    },
    get cluster() {
      if (!cluster) throw new Error("harnessFixture: the cluster is not started (call setup() in beforeAll)");
      return cluster;
    },
  };
}
