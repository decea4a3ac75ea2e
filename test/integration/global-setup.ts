// Integration tests need a Docker engine and the local image. Without an engine they FAIL with a
// clear message (never skip silently); KAFKA_HARNESS_SKIP_INTEGRATION=1 (see vitest.config.ts)
// leaves the whole project out instead.
// It also gives the files a folder where each shared cluster (shared-cluster.ts) leaves its id, and
// removes those clusters at the end.
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { removeLeftovers } from "../../harness/cluster/cleanup.ts";
import { ensureImages } from "../../harness/images/build-images.ts";
import { ensureEngine } from "../../harness/util/engine.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Where shared-cluster.ts notes the id of each cluster it started. */
    sharedClusters: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    const engine = await ensureEngine((m) => console.error(m));
    const img = await ensureImages((m) => console.error(m));
    console.error(`integration: Docker ${engine}, image ${img.tag} (${img.built ? `built in ${img.seconds} s` : "cached"})`);
  } catch (err) {
    throw new Error(
      `Integration tests need a Docker engine and the local Kafka image, and could not get them:\n${(err as Error).message}\n` +
        "Install Docker (Debian: apt-get install docker.io) or set KAFKA_HARNESS_SKIP_INTEGRATION=1 to opt out explicitly.",
    );
  }
  // One folder for every project of this vitest process (each runs this setup): the projects that
  // run alone after the other files (alone.ts) remove the shared clusters those left idle.
  const ids = join(tmpdir(), `kh-shared-clusters-${process.pid}`);
  mkdirSync(ids, { recursive: true });
  project.provide("sharedClusters", ids);
  return async () => {
    for (const runId of existsSync(ids) ? readdirSync(ids) : []) {
      await removeLeftovers(runId).catch((err: Error) => console.error(`shared cluster ${runId}: ${err.message}`));
    }
    rmSync(ids, { recursive: true, force: true });
  };
}
