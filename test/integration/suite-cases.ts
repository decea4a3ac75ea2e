// One test per scenario of a suite, on one cluster for the whole suite (a fresh topic per run;
// the cluster is back in sync before each run): each scenario must meet its expectation, and every
// run must have exercised the cluster (acknowledged sends and final reads). Used by the known-answer
// suite (known-answers.test.ts) and the librdkafka client's runs (test/confluent/runs.spec.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCommand } from "../../checkers/cli.ts";
import { type Cluster, startCluster } from "../../harness/cluster/cluster.ts";
import { runSuite } from "../../harness/suite/run-suite.ts";
import type { Suite } from "../../harness/suite/suite-file.ts";
import { formatSuiteTable } from "../../harness/suite/table.ts";
import { resolveCheckTarget } from "../../reports/check-target.ts";
import { readStoredExpectation } from "../../reports/run-folder.ts";

/** `check <run-dir> --json`'s verdict: the stored run checked again, as a user would. */
async function recheck(dir: string): Promise<unknown> {
  let out = "";
  await checkCommand(dir, { json: true }, { stdout: (t) => (out += t), stderr: () => {} }, resolveCheckTarget);
  return (JSON.parse(out) as { valid: unknown }).valid;
}

/** `shared`: a cluster someone else started and removes (the integration files' shared one);
 *  without it, a cluster of the suite's own, stopped after its cases. */
export function suiteCases(title: string, suite: Suite, shared?: () => Promise<Cluster>): void {
  describe(title, () => {
    let cluster: Cluster;
    beforeAll(async () => {
      cluster = shared ? await shared() : await startCluster({}, { progress: (m) => console.error(m) });
    });
    afterAll(async () => {
      if (!shared) await cluster?.stop();
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
        // `check <run-dir>` gives each stored run the verdict the run got.
        for (const r of outcome!.runs) expect(await recheck(r.dir), `check ${r.dir}`).toBe(r.valid);
        expect(outcome!.problems).toEqual([]);
        expect(outcome!.met).toBe(true);
        // The suite stored its judgement beside each run, for the store's index.
        for (const r of outcome!.runs)
          expect(await readStoredExpectation(r.dir)).toMatchObject({ suite: suite.name, scenario: scenario.name, met: true });
      }, 900_000);
    }
  });
}
