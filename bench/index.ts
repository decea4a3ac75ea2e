// `npm run bench`: prints figures (checkers, reports, cluster). Never asserted by tests.
// BENCH_ONLY=checkers,reports,cluster picks some.
import { benchCheckers } from "./checkers.ts";
import { benchCluster } from "./cluster.ts";
import { benchReports } from "./reports.ts";

const only = process.env.BENCH_ONLY?.split(",");
const want = (name: string) => !only || only.includes(name);

if (want("checkers")) {
  console.log("== checkers ==");
  await benchCheckers();
}
if (want("reports")) {
  console.log("\n== reports ==");
  await benchReports();
}
if (want("cluster")) {
  console.log("\n== cluster ==");
  await benchCluster();
}
