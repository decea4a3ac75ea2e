// Needs real clusters: the known-answer suite (suites/known-answers.yaml, the same file `npm start`
// runs). Each scenario must give its known verdict: what the configuration promises is never
// broken, and where loss is likely the harness finds it within a bounded number of seeds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../../harness/cluster/cluster.ts";
import { DEFAULT_SUITE } from "../../harness/cli.ts";
import { runSuite } from "../../harness/suite/run-suite.ts";
import { formatSuiteTable } from "../../harness/suite/table.ts";
import { readSuiteFile } from "../../harness/suite/suite-file.ts";

const suite = await readSuiteFile(DEFAULT_SUITE);

describe("known answers (a real cluster, faults at partition leaders)", () => {
  // One cluster for the whole suite (a fresh topic per run; the cluster is back in sync before
  // each run): the scenarios all use the default cluster spec.
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({}, { progress: (m) => console.error(m) });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  for (const scenario of suite.scenarios) {
    it(`${scenario.name}: ${scenario.description?.trim().split(/\.\s/)[0] ?? ""}`, async () => {
      const [outcome] = await runSuite(suite, { storeRoot: "test-output/store", only: [scenario.name], cluster, progress: (m) => console.error(m) });
      console.error(formatSuiteTable([outcome!]));
      expect(outcome!.runs.length).toBeGreaterThan(0);
      // The run really exercised the cluster: acknowledged sends and final reads happened.
      for (const r of outcome!.runs) expect(r.sendsOk).toBeGreaterThan(100);
      expect(outcome!.problems).toEqual([]);
      expect(outcome!.met).toBe(true);
    }, 900_000);
  }
});
