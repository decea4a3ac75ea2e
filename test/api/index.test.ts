// The package entry exports the public API, and the CLI registers the new commands.
import { describe, expect, it } from "vitest";
import * as api from "../../index.ts";
import { buildProgram } from "../../harness/cli.ts";

describe("public API", () => {
  it("exports the functions the README documents", () => {
    for (const name of ["runTest", "checkHistory", "startSharedCluster", "harnessFixture", "runSuite", "readSuiteFile", "parseSuite", "formatSuiteTable", "replayRun", "shrinkRun", "shrinkCandidates", "previewRun", "suiteToJUnit", "writeJUnit", "check", "explainFinding"]) {
      expect(typeof (api as Record<string, unknown>)[name], name).toBe("function");
    }
  });

  it("harnessFixture refuses to run before setup", async () => {
    const h = api.harnessFixture();
    await expect(h.run({})).rejects.toThrow(/call setup\(\)/);
    await h.teardown(); // safe without setup
  });

  it("the example suite reads and validates", async () => {
    const s = await api.readSuiteFile("suites/regression-example.yaml");
    expect(s.scenarios.map((x) => x.name)).toEqual(["acks-all-minisr2-leader-killed", "acks1-leader-isolated"]);
  });

  it("the CLI has replay, shrink and suite --junit", () => {
    const p = buildProgram();
    const names = p.commands.map((c) => c.name());
    expect(names).toEqual(expect.arrayContaining(["replay", "shrink", "suite"]));
    expect(p.commands.find((c) => c.name() === "suite")!.options.map((o) => o.long)).toContain("--junit");
  });
});

describe("package exports", () => {
  it("'kafka-harness' and 'kafka-harness/matchers' resolve (package.json exports, self-reference)", async () => {
    const byName = await import("kafka-harness");
    expect(byName.runTest).toBe(api.runTest);
    const m = await import("kafka-harness/matchers");
    expect(Object.keys(m.harnessMatchers)).toEqual(["toKeepAcknowledgedWrites", "toPreservePartitionOrder", "toHaveNoDuplicates", "toHaveNoAnomalies", "toBeValid"]);
  });
});

describe("replay and shrink on bad input", () => {
  it("exit 2 with a message naming the problem, before any cluster starts", async () => {
    const { main } = await import("../../harness/cli.ts");
    const errors: string[] = [];
    const orig = console.error;
    console.error = (m: string) => void errors.push(String(m));
    try {
      expect(await main(["node", "kafka-harness", "replay", "/nonexistent-run-dir"])).toBe(2);
      expect(await main(["node", "kafka-harness", "replay", "/x", "--times", "0"])).toBe(2);
      expect(await main(["node", "kafka-harness", "shrink", "/x", "--anomalies", "lost-writes"])).toBe(2);
    } finally {
      console.error = orig;
    }
    expect(errors.join("\n")).toMatch(/no spec.json here[\s\S]*--times[\s\S]*at least 1[\s\S]*unknown anomaly type\(s\) lost-writes/);
  });
});
