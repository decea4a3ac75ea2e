// The package entry exports the public API, and the CLI registers the new commands.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../harness/cli.ts";
import * as api from "../../index.ts";

const root = resolve(import.meta.dirname, "../..");

describe("public API", () => {
  it("exports the functions the README documents", () => {
    for (const name of [
      "runTest",
      "checkHistory",
      "startSharedCluster",
      "harnessFixture",
      "runSuite",
      "readSuiteFile",
      "parseSuite",
      "formatSuiteTable",
      "replayRun",
      "shrinkRun",
      "shrinkCandidates",
      "previewRun",
      "suiteToJUnit",
      "writeJUnit",
      "check",
      "explainFinding",
    ]) {
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
    const p = buildProgram(() => {});
    const names = p.commands.map((c) => c.name());
    expect(names).toEqual(expect.arrayContaining(["replay", "shrink", "suite"]));
    expect(p.commands.find((c) => c.name() === "suite")!.options.map((o) => o.long)).toContain("--junit");
  });
});

describe("package exports", () => {
  // The packed package itself is installed and used in test/package/consumer.test.ts; this holds the
  // map: every entry points into dist/ at the compiled form of a source file that exists.
  it("main, types and exports point at the compiled form of existing sources", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      main: string;
      types: string;
      exports: Record<string, string | Record<string, string>>;
    };
    const targets = [
      pkg.main,
      pkg.types,
      ...Object.entries(pkg.exports)
        .filter(([k]) => k !== "./package.json")
        .flatMap(([, v]) => (typeof v === "string" ? [v] : Object.values(v))),
    ];
    expect(targets.filter((t) => !t.startsWith("./dist/"))).toEqual([]);
    const sourceOf = (t: string) => t.replace(/^\.\/dist\//, "").replace(/\.d\.ts$|\.js$/, ".ts");
    expect(targets.map(sourceOf).filter((s) => !existsSync(join(root, s)))).toEqual([]);
    expect(Object.keys(pkg.exports).sort()).toEqual([".", "./matchers", "./package.json"]);
  });
});

describe("replay and shrink on bad input", () => {
  it("exit 254 with a message naming the problem, before any cluster starts", async () => {
    const { main } = await import("../../harness/cli.ts");
    const errors: string[] = [];
    const orig = console.error;
    console.error = (m: string) => void errors.push(String(m));
    try {
      expect(await main(["node", "kafka-harness", "replay", "/nonexistent-run-dir"])).toBe(254);
      expect(await main(["node", "kafka-harness", "replay", "/x", "--times", "0"])).toBe(254);
      expect(await main(["node", "kafka-harness", "shrink", "/x", "--anomalies", "lost-writes"])).toBe(254);
    } finally {
      console.error = orig;
    }
    expect(errors.join("\n")).toMatch(
      /no spec.json here[\s\S]*--times[\s\S]*at least 1[\s\S]*unknown anomaly type lost-writes \(did you mean "lost-write"\?\)/,
    );
  });
});
