// One ZooKeeper-mode cluster of the default shape for the integration files that need no other
// (nemesis, transactions, replay, platformatic, attach, copy, groups, the known-answer suite): started
// by the first file of a worker that asks, back in sync before each file takes it, removed by the
// global teardown. A worker runs its files one after another without isolation (vitest.config.ts),
// so the cluster outlives a file; two workers start one each. Its id goes to the global setup's
// folder, so the teardown removes it whatever happens.
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";
import { type HarnessFixture, harnessFixture } from "../../harness/api/index.ts";
import { removeLeftovers } from "../../harness/cluster/cleanup.ts";
import { type Cluster, nodeExitedDuringStart, startCluster } from "../../harness/cluster/cluster.ts";
import { newRunId } from "../../harness/cluster/labels.ts";
import { waitUntilWhole } from "../../harness/run/shared-cluster.ts";

const KEY = Symbol.for("kafka-harness.integration.sharedCluster");
type Holder = { [KEY]?: Promise<Cluster> };

export async function sharedCluster(): Promise<Cluster> {
  const g = globalThis as Holder;
  // Its own run id (for the teardown) means startCluster does not start again by itself when a
  // node exits during the start (a broker's ZooKeeper session expiring while it registers, under
  // load): once more here, under a new id, so one such start does not fail every file.
  const start = () => {
    const runId = newRunId();
    writeFileSync(join(inject("sharedClusters"), runId), "");
    return startCluster({}, { runId, progress: (m) => console.error(m) });
  };
  g[KEY] ??= start().catch((err: unknown) => {
    if (!nodeExitedDuringStart(err)) throw err;
    console.error(`shared cluster: a node exited while starting (${(err as Error).message}); starting it once more`);
    return start();
  });
  const cluster = await g[KEY];
  await waitUntilWhole(cluster); // the previous file's faults healed; its replicas may lag
  return cluster;
}

/** Removes the shared clusters other workers started and left idle: for the files that run alone
 *  after every other integration file (alone.ts, vitest.config.ts), so that nothing runs beside
 *  them. */
export async function retireIdleSharedClusters(): Promise<void> {
  const g = globalThis as Holder;
  if (g[KEY]) return; // this worker's own: in use
  const ids = inject("sharedClusters");
  for (const runId of readdirSync(ids)) {
    await removeLeftovers(runId);
    rmSync(join(ids, runId), { force: true });
  }
}

/** harnessFixture on the shared cluster: its teardown leaves the cluster to the global one. */
export const sharedFixture = (opts: { storeRoot: string; progress: (m: string) => void }): HarnessFixture =>
  harnessFixture({ ...opts, existing: sharedCluster });
