// Whether a suite's runs share clusters: the suite file's `shareCluster`, which the command line's
// --share-cluster / --no-share-cluster override, and the order runs take when they share (one
// cluster at a time, so each cluster shape runs together and starts once). No cluster starts here:
// runSuite is replaced by a stand-in that records what the command line asked of it.
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EXIT } from "../../checkers/exit-codes.ts";
import * as cli from "../../harness/cli.ts";
import { byClusterShape, suiteLanes } from "../../harness/suite/run-suite.ts";
import { parallelOf, parseSuite, readSuiteFile, shareClusterOf } from "../../harness/suite/suite-file.ts";

const asked = vi.hoisted(() => [] as { shareCluster?: boolean; parallel?: number }[]);
vi.mock("../../harness/suite/run-suite.ts", async (original) => ({
  ...(await original<typeof import("../../harness/suite/run-suite.ts")>()),
  runSuite: async (_suite: unknown, opts: { shareCluster?: boolean; parallel?: number }) => {
    asked.push(opts);
    return [];
  },
}));

const root = resolve(import.meta.dirname, "../..");
const knownAnswers = join(root, "suites/known-answers.yaml");

async function suiteCommand(...args: string[]): Promise<number> {
  const quiet = [vi.spyOn(console, "log").mockImplementation(() => {}), vi.spyOn(console, "error").mockImplementation(() => {})];
  try {
    return await cli.main(["node", "kafka-harness", "suite", knownAnswers, "--store", join(root, "store-test-unused"), ...args]);
  } finally {
    for (const s of quiet) s.mockRestore();
  }
}

afterEach(() => {
  asked.length = 0;
  process.exitCode = undefined;
});

describe("shareCluster in a suite file", () => {
  it("is a boolean, absent by default", () => {
    expect(parseSuite({ name: "s", shareCluster: true, scenarios: [{ name: "a" }] }, "x").shareCluster).toBe(true);
    expect(parseSuite({ name: "s", scenarios: [{ name: "a" }] }, "x").shareCluster).toBeUndefined();
    expect(() => parseSuite({ name: "s", shareCluster: "yes", scenarios: [{ name: "a" }] }, "x.yaml")).toThrow(/shareCluster/);
  });

  it("the flag wins either way; without it the file's; without both, off", () => {
    for (const file of [true, false, undefined]) {
      expect(shareClusterOf({ shareCluster: file }, true)).toBe(true);
      expect(shareClusterOf({ shareCluster: file }, false)).toBe(false);
      expect(shareClusterOf({ shareCluster: file }, undefined)).toBe(file ?? false);
    }
  });

  it("the known-answer suite shares", async () => {
    expect((await readSuiteFile(knownAnswers)).shareCluster).toBe(true);
  });
});

describe("suite --share-cluster / --no-share-cluster", () => {
  it("no flag leaves it to the file; --no-share-cluster forces it off, --share-cluster on", async () => {
    const suite = await readSuiteFile(knownAnswers);
    for (const [flags, share] of [
      [[], true],
      [["--no-share-cluster"], false],
      [["--share-cluster"], true],
    ] as const) {
      asked.length = 0;
      expect(await suiteCommand(...flags)).toBe(0);
      expect(asked).toHaveLength(1);
      expect(shareClusterOf(suite, asked[0]!.shareCluster), flags.join(" ")).toBe(share);
    }
  });

  it("both flags conflict", async () => {
    expect(await suiteCommand("--share-cluster", "--no-share-cluster")).toBe(EXIT.badInput);
    expect(asked).toHaveLength(0);
  });
});

describe("parallel: scenarios side by side", () => {
  it("a whole number of at least 1 in the file, absent by default", () => {
    expect(parseSuite({ name: "s", parallel: 2, scenarios: [{ name: "a" }] }, "x").parallel).toBe(2);
    expect(parseSuite({ name: "s", scenarios: [{ name: "a" }] }, "x").parallel).toBeUndefined();
    for (const bad of [0, 1.5, "2"])
      expect(() => parseSuite({ name: "s", parallel: bad, scenarios: [{ name: "a" }] }, "x.yaml")).toThrow(/parallel/);
  });

  it("the flag wins, else the file's, else one at a time; the known-answer suite runs two", async () => {
    expect(parallelOf({ parallel: 2 }, 3)).toBe(3);
    expect(parallelOf({ parallel: 2 }, undefined)).toBe(2);
    expect(parallelOf({}, undefined)).toBe(1);
    expect((await readSuiteFile(knownAnswers)).parallel).toBe(2);
  });

  it("suite --parallel N reaches the suite; a bad N is bad input", async () => {
    expect(await suiteCommand("--parallel", "3")).toBe(0);
    expect(asked.at(-1)?.parallel).toBe(3);
    expect(await suiteCommand()).toBe(0);
    expect(asked.at(-1)?.parallel).toBeUndefined();
    for (const bad of ["0", "two"]) expect(await suiteCommand("--parallel", bad)).toBe(EXIT.badInput);
  });
});

describe("runs on shared clusters", () => {
  it("group by cluster shape, each group where its first scenario is, file order within", () => {
    const suite = parseSuite(
      {
        name: "s",
        scenarios: [
          { name: "a" },
          { name: "b", spec: { cluster: { brokerConfig: { "replica.fetch.wait.max.ms": 2500 } } } },
          { name: "c" },
          { name: "d", spec: { cluster: { brokerConfig: { "replica.fetch.wait.max.ms": 2500 } } } },
          { name: "e", spec: { producer: { acks: 1 } } },
        ],
      },
      "x",
    );
    expect(byClusterShape(suite, [0, 1, 2, 3, 4]).map((i) => suite.scenarios[i]!.name)).toEqual(["a", "c", "e", "b", "d"]);
    expect(byClusterShape(suite, [1, 2]).map((i) => suite.scenarios[i]!.name)).toEqual(["b", "c"]);
    // side by side, the smaller group first (ties in file order)
    expect(byClusterShape(suite, [0, 1, 2, 3, 4], true).map((i) => suite.scenarios[i]!.name)).toEqual(["b", "d", "a", "c", "e"]);
    expect(byClusterShape(suite, [1, 2], true).map((i) => suite.scenarios[i]!.name)).toEqual(["b", "c"]);
  });
});

describe("scenarios side by side", () => {
  it("as many lanes as asked, at most one per scenario; one when a scenario's nodes are not the harness's own", () => {
    const suite = (cluster?: object) =>
      parseSuite({ name: "s", parallel: 2, scenarios: [{ name: "a", ...(cluster ? { spec: { cluster } } : {}) }, { name: "b" }] }, "x");
    expect(suiteLanes(suite(), [0, 1], undefined)).toEqual({ lanes: 2 });
    expect(suiteLanes(suite(), [0], undefined)).toEqual({ lanes: 1 });
    expect(suiteLanes(suite(), [0, 1], 3)).toEqual({ lanes: 2 });
    const attach = suiteLanes(suite({ kind: "attach", bootstrap: ["127.0.0.1:9092"] }), [0, 1], undefined);
    expect(attach.lanes).toBe(1);
    expect(attach.note).toMatch(/one at a time/);
    const ssh = suite({
      kind: "ssh",
      inventory: {
        destructive: true,
        nodes: [{ host: "z", role: "zookeeper" }, ...["b1", "b2", "b3"].map((host) => ({ host, role: "broker" }))],
      },
    });
    expect(suiteLanes(ssh, [0, 1], 2).lanes).toBe(1);
    expect(suiteLanes(ssh, [1], 2).lanes).toBe(1); // only the docker scenario chosen: one scenario, one lane
  });
});
