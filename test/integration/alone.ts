// Setup file of the projects that run after the other integration files, each on the machine alone
// (vitest.config.ts: the ssh kind's stand-in hosts, the known-answer suite's two lanes): the shared
// clusters the earlier workers left idle go first, so that nothing else runs beside them.
import { beforeAll } from "vitest";
import { retireIdleSharedClusters } from "./shared-cluster.ts";

beforeAll(retireIdleSharedClusters, 120_000);
