// `suite --shard i/n` and `merge` on the command line. No cluster starts here: runSuite is replaced
// by a stand-in that makes a fixed outcome for each scenario it is asked to run, so the merged
// shards can be compared with the unsharded suite's text, JSON and JUnit file byte for byte.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EXIT } from "../../checkers/exit-codes.ts";
import * as cli from "../../harness/cli.ts";
import type { ScenarioOutcome } from "../../harness/suite/judge.ts";
import type { Suite } from "../../harness/suite/suite-file.ts";

/** Names each runSuite call was asked to run. */
const asked = vi.hoisted(() => [] as string[][]);
vi.mock("../../harness/suite/run-suite.ts", async (original) => ({
  ...(await original<typeof import("../../harness/suite/run-suite.ts")>()),
  runSuite: async (suite: Suite, opts: { only?: string[]; storeRoot?: string }): Promise<ScenarioOutcome[]> => {
    const chosen = suite.scenarios.filter((s) => !opts.only?.length || opts.only.includes(s.name) || opts.only.includes(s.base));
    asked.push(chosen.map((s) => s.name));
    return chosen.map((s) => {
      const found = s.expect.finds.length ? 1 : 0;
      // One scenario not met: the exit code must say so after a merge too.
      const met = s.name !== "acks0-leader-isolated";
      return {
        name: s.name,
        config: `${s.client ?? "kafkajs"} settings`,
        faults: "kill @ leader",
        runs: [
          {
            seed: 1000 + s.name.length,
            dir: join(opts.storeRoot ?? "store", s.name, "20261207T080000"),
            valid: met,
            ops: 100 + s.name.length,
            sendsOk: 50,
            exercised: { acknowledged: 50, acknowledgedAfterFault: 20, read: 60 },
            anomalies: found ? { [s.expect.finds[0]!]: 3 } : {},
            forbidden: [],
            faultsPlanned: 3,
            faults: { applied: 3, effective: 2, refused: 0, uncertain: 0, byKind: {} },
          },
        ],
        found,
        met,
        problems: met ? [] : ["seed 1: expected <this> & that"],
        seconds: 12.5 + s.name.length,
      };
    });
  },
}));

const root = resolve(import.meta.dirname, "../..");
const knownAnswers = join(root, "suites/known-answers.yaml");
const tmp = () => mkdtempSync(join(tmpdir(), "kh-shard-"));

async function kh(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const spies = [
    vi.spyOn(console, "log").mockImplementation((s: unknown) => void (stdout += `${s}\n`)),
    vi.spyOn(console, "error").mockImplementation((s: unknown) => void (stderr += `${s}\n`)),
  ];
  try {
    return { code: await cli.main(["node", "kafka-harness", ...args]), stdout, stderr };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

afterEach(() => {
  asked.length = 0;
  process.exitCode = undefined;
});

describe("suite --shard i/n", () => {
  it("a bad value is bad input naming the flag, and nothing runs", async () => {
    for (const bad of ["0/4", "5/4", "2", "x/4"]) {
      const r = await kh("suite", knownAnswers, "--store", tmp(), "--shard", bad);
      expect(r.code, bad).toBe(EXIT.badInput);
      expect(r.stderr, bad).toMatch(/--shard must be i\/n/);
    }
    expect(asked).toHaveLength(0);
  });

  it("four shards run every scenario once, and each stores its result for merge", async () => {
    const store = tmp();
    for (let i = 1; i <= 4; i++) await kh("suite", knownAnswers, "--store", store, "--shard", `${i}/4`);
    const ran = asked.flat();
    expect(ran.length).toBe(new Set(ran).size);
    expect(ran.sort()).toEqual(
      [
        "acks1-leader-isolated.kafkajs",
        "acks1-leader-isolated.platformatic",
        "acks1-leader-killed",
        "acks-all-minisr2.kafkajs",
        "acks-all-minisr2.platformatic",
        "acks-all-idempotent",
        "acks0-leader-isolated",
        "retries-inflight5-no-idempotence",
        "acks-all-minisr1-unclean-2013",
        "acks-all-minisr1-clean",
      ].sort(),
    );
    expect(readdirSync(join(store, "suite-results")).sort()).toEqual([1, 2, 3, 4].map((i) => `known-answers.${i}of4.json`));
  });

  it("merged, the shards print the unsharded suite's table, detection rates, JSON and JUnit file, and exit as it does", async () => {
    // Every shard in one store and the unsharded suite in it too: the same run folders.
    const store = tmp();
    const out = tmp();
    for (let i = 1; i <= 4; i++)
      expect((await kh("suite", knownAnswers, "--store", store, "--shard", `${i}/4`)).code).toBeLessThanOrEqual(1);
    const whole = await kh("suite", knownAnswers, "--store", store, "--junit", join(out, "whole.xml"));
    const wholeJson = await kh("suite", knownAnswers, "--store", store, "--json");
    const merged = await kh("merge", store, "--junit", join(out, "merged.xml"));
    const mergedJson = await kh("merge", store, "--json");
    expect(whole.code).toBe(EXIT.invalid);
    expect(merged.code).toBe(EXIT.invalid);
    expect(mergedJson.stdout).toBe(wholeJson.stdout);
    expect(readFileSync(join(out, "merged.xml"), "utf8")).toBe(readFileSync(join(out, "whole.xml"), "utf8"));
    // The text up to the last paragraph (where the runs are, or which shards were merged).
    const body = (s: string) => s.slice(0, s.lastIndexOf("\n\n"));
    expect(body(merged.stdout)).toBe(body(whole.stdout));
    expect(merged.stdout).toMatch(/\ndetection rates\nscenario +kind +looks for/);
    expect(merged.stdout).toMatch(/merged 4 shard\(s\)/);
  });

  it("each shard in a store of its own (a CI job each), merged from the downloaded stores", async () => {
    const stores = [tmp(), tmp()];
    for (const [k, store] of stores.entries()) await kh("suite", knownAnswers, "--store", store, "--shard", `${k + 1}/2`);
    const merged = await kh("merge", ...stores, "--json");
    const suite = JSON.parse(merged.stdout) as { scenarios: { name: string; runs: { dir: string }[] }[] };
    expect(suite.scenarios).toHaveLength(10);
    // Each run folder under the store it was read from.
    for (const s of suite.scenarios) expect(stores.some((st) => s.runs[0]!.dir.startsWith(`${st}/`))).toBe(true);
  });
});

describe("merge refuses", () => {
  it("a missing shard, naming it (exit 254)", async () => {
    const store = tmp();
    for (const i of [1, 2, 4]) await kh("suite", knownAnswers, "--store", store, "--shard", `${i}/4`);
    const r = await kh("merge", store);
    expect(r.code).toBe(EXIT.badInput);
    expect(r.stderr).toMatch(/shard 3\/4 missing/);
    const j = await kh("merge", store, "--json");
    expect(JSON.parse(j.stdout)).toMatchObject({ exitCode: EXIT.badInput, error: { kind: "bad-input", where: "merge" } });
  });

  it("shards of different suite-file contents, and a folder with no shard results", async () => {
    const dir = tmp();
    const edited = join(dir, "known-answers.yaml");
    copyFileSync(knownAnswers, edited);
    writeFileSync(edited, `${readFileSync(edited, "utf8")}\n# edited\n`);
    const [a, b] = [tmp(), tmp()];
    await kh("suite", knownAnswers, "--store", a, "--shard", "1/2");
    await kh("suite", edited, "--store", b, "--shard", "2/2");
    const r = await kh("merge", a, b);
    expect(r.code).toBe(EXIT.badInput);
    expect(r.stderr).toMatch(/different suite-file contents/);
    const empty = await kh("merge", tmp());
    expect(empty.code).toBe(EXIT.badInput);
    expect(empty.stderr).toMatch(/no shard results in/);
  });
});
