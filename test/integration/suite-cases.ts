// One test per scenario of a suite, on one cluster for the whole suite (a fresh topic per run;
// the cluster is back in sync before each run): each scenario must meet its expectation, and every
// run must have exercised the cluster (acknowledged sends and final reads). Used by the known-answer
// suite (known-answers.test.ts) and the librdkafka client's runs (test/confluent/runs.spec.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../../harness/cluster/cluster.ts";
import { runSuite } from "../../harness/suite/run-suite.ts";
import type { Suite } from "../../harness/suite/suite-file.ts";
import { formatSuiteTable } from "../../harness/suite/table.ts";

export function suiteCases(title: string, suite: Suite): void {
  describe(title, () => {
    let cluster: Cluster;
    beforeAll(async () => {
      cluster = await startCluster({}, { progress: (m) => console.error(m) });
    });
    afterAll(async () => {
      await cluster?.stop();
    });

    for (const scenario of suite.scenarios) {
      it(`${scenario.name}: ${scenario.description?.trim().split(/\.\s/)[0] ?? ""}`, async () => {
        const [outcome] = await runSuite(suite, {
          storeRoot: "test-output/store",
          only: [scenario.name],
          cluster,
          progress: (m) => console.error(m),
        });
        console.error(formatSuiteTable([outcome!]));
        expect(outcome!.runs.length).toBeGreaterThan(0);
        // The run really exercised the cluster: acknowledged sends and final reads happened.
        for (const r of outcome!.runs) expect(r.sendsOk).toBeGreaterThan(100);
        expect(outcome!.problems).toEqual([]);
        expect(outcome!.met).toBe(true);
      }, 900_000);
    }
  });
}
