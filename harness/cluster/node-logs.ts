// Every node's log saved as <dir>/<name>.log: a run keeps them with its history, and a test that
// failed on a cluster keeps them for whoever reads the failure (the cluster is removed after).
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Cluster } from "./cluster.ts";

export async function saveNodeLogs(cluster: Pick<Cluster, "zookeepers" | "controllers" | "brokers">, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  // KRaft controllers too (the same handles as brokers when combined): a quorum's story is in their logs.
  for (const node of new Set([...cluster.zookeepers, ...cluster.controllers, ...cluster.brokers])) {
    await node
      .logs()
      .then((text) => writeFile(join(dir, `${node.name}.log`), text))
      .catch(() => undefined);
  }
}
