// `npm run bench`: prints figures (startup, checkers, reports, cluster). Never asserted by tests.
// BENCH_ONLY=startup,checkers,reports,cluster picks some (cluster: the cluster's start times and
// the throughput bench for every client; cluster-start: only the start times).
// `npm run bench -- throughput [--clients a,b] [--seconds N]` runs the throughput bench alone
// (about 4 minutes of cluster time for the three clients).
// `npm run bench -- detection [--runs N] [--only a,b]` measures detection rates on real clusters instead
// (long: about a minute per run); `npm run bench -- checker-10m` checks a generated 10M-op history
// from its file (about 3 minutes).

import { configureTestcontainers } from "../harness/cluster/runtime-env.ts";
import { installKafkajsFixes } from "../harness/kafkajs/fixes.ts";
import { benchCheckerLarge, benchCheckers, benchGroupCheckers } from "./checkers.ts";
import { benchClusterStart } from "./cluster-start.ts";

import { benchDetection } from "./detection.ts";
import { benchReports } from "./reports.ts";
import { benchStartup } from "./startup.ts";
import { benchThroughput, parseThroughputArgs } from "./throughput.ts";

installKafkajsFixes();
configureTestcontainers();

const [command, ...args] = process.argv.slice(2);
if (command === "detection") {
  console.log("== detection ==");
  await benchDetection(args);
  process.exit(0);
}
if (command === "checker-10m") {
  console.log("== checker, 10M ops ==");
  await benchCheckerLarge();
  process.exit(0);
}
if (command === "throughput") {
  console.log("== throughput ==");
  await benchThroughput(parseThroughputArgs(args));
  process.exit(0);
}
if (command !== undefined) {
  console.error(
    `bench: unknown benchmark ${JSON.stringify(command)} (known: detection, checker-10m, throughput; or BENCH_ONLY=startup,checkers,reports,cluster)`,
  );
  process.exit(2);
}
const only = process.env.BENCH_ONLY?.split(",");
const want = (name: string) => !only || only.includes(name);

if (want("startup")) {
  console.log("== startup ==");
  await benchStartup();
}
if (want("checkers")) {
  console.log("\n== checkers ==");
  await benchCheckers();
  console.log("");
  await benchGroupCheckers();
}
if (want("reports")) {
  console.log("\n== reports ==");
  await benchReports();
}
if (want("cluster") || want("cluster-start")) {
  console.log("\n== cluster ==");
  await benchClusterStart();
  if (want("cluster")) {
    console.log("\n== throughput ==");
    await benchThroughput(parseThroughputArgs([]));
  }
}
