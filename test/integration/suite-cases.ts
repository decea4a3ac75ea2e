// One test per scenario of a suite, the suite run once on the given cluster (a fresh topic per run,
// the cluster back in sync before each; a second lane gets a cluster of its own): each scenario
// must meet its expectation, and every run must have exercised the cluster (acknowledged sends and
// final reads). Used by the known-answer
// suite (known-answers.test.ts) and the librdkafka client's runs (test/confluent/runs.spec.ts).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCommand } from "../../checkers/cli.ts";
import { type Cluster, startCluster } from "../../harness/cluster/cluster.ts";
import type { ScenarioOutcome } from "../../harness/suite/judge.ts";
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

/** The faults each run's nemesis refused, with the reason it gave: what a floor that was not met
 *  needs to be told apart (a target between leaders, a conflict, a probe that did not answer). */
async function refusals(dirs: readonly string[]): Promise<string> {
  const lines: string[] = [];
  for (const dir of dirs) {
    const text = await readFile(join(dir, "history.jsonl"), "utf8").catch(() => "");
    for (const line of text.split("\n")) {
      if (!line.includes('"nemesis"') || !line.includes('"fail"')) continue;
      const op = JSON.parse(line) as { process: string; type: string; f: string; value?: { reason?: string } };
      if (op.process === "nemesis" && op.type === "fail") lines.push(`${dir}: ${op.f} refused: ${op.value?.reason ?? "(no reason)"}`);
    }
  }
  return lines.length ? `refused faults:\n${lines.join("\n")}` : "no fault was refused";
}

/** `shared`: a cluster someone else started and removes (the integration files' shared one);
 *  without it, a cluster of the suite's own, stopped after its cases. The suite runs once, as
 *  `npm start` runs it (its scenarios side by side when the file says `parallel`), and each
 *  scenario's case then judges its outcome. */
export function suiteCases(title: string, suite: Suite, shared?: () => Promise<Cluster>): void {
  describe(title, () => {
    let cluster: Cluster | undefined;
    let outcomes: Map<string, ScenarioOutcome> | undefined;
    let failure: unknown;
    beforeAll(async () => {
      cluster = shared ? await shared() : await startCluster({}, { progress: (m) => console.error(m) });
      try {
        const all = await runSuite(suite, { storeRoot: "test-output/store", cluster, progress: (m) => console.error(m) });
        outcomes = new Map(all.map((o) => [o.name, o]));
      } catch (err) {
        failure = err; // each case says so, rather than one hook failing them all without a word
      }
    }, 1_800_000);
    afterAll(async () => {
      if (!shared) await cluster?.stop();
    });

    for (const scenario of suite.scenarios) {
      it(`${scenario.name}: ${scenario.description?.trim().split(/\.\s/)[0] ?? ""}`, async () => {
        if (failure) throw failure;
        const outcome = outcomes?.get(scenario.name);
        expect(outcome, `the suite gave no outcome for ${scenario.name}`).toBeDefined();
        console.error(formatSuiteTable([outcome!]));
        expect(outcome!.runs.length).toBeGreaterThan(0);
        // The run really exercised the cluster: acknowledged sends and final reads happened.
        for (const r of outcome!.runs) expect(r.sendsOk).toBeGreaterThan(100);
        // `check <run-dir>` gives each stored run the verdict the run got.
        for (const r of outcome!.runs) expect(await recheck(r.dir), `check ${r.dir}`).toBe(r.valid);
        expect(outcome!.problems, await refusals(outcome!.runs.map((r) => r.dir))).toEqual([]);
        expect(outcome!.met).toBe(true);
        // The suite stored its judgement beside each run, for the store's index.
        for (const r of outcome!.runs)
          expect(await readStoredExpectation(r.dir)).toMatchObject({ suite: suite.name, scenario: scenario.name, met: true });
      }, 120_000);
    }
  });
}
