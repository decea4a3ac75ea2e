// The file edge and the `report` command: a run directory re-rendered from its history (results
// recomputed and saved when missing), the store's index, and clear errors with exit code 2.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { reportCommand, scanStore, writeIndex, writeReport } from "../../reports/index.ts";
import { timestampOfName } from "../../reports/store.ts";
import { FIXTURES, writeFixtureRun } from "../fixtures/reports/fixtures.ts";

let store: string;
beforeEach(async () => {
  store = await mkdtemp(join(tmpdir(), "kh-store-"));
});
afterEach(async () => {
  await rm(store, { recursive: true, force: true });
});

const io = () => {
  const out = { stdout: "", stderr: "" };
  return { out, io: { stdout: (t: string) => (out.stdout += t), stderr: (t: string) => (out.stderr += t) } };
};
const fixture = (name: string) => FIXTURES.find((f) => f.name === name)!;

describe("writeReport", () => {
  it("renders report.html from spec and history, recomputing and saving results.json", async () => {
    const dir = await writeFixtureRun(store, fixture("g1a"));
    const path = await writeReport(dir);
    expect(path).toBe(join(dir, "report.html"));
    const html = await readFile(path, "utf8");
    expect(html).toContain('data-verdict="invalid"');
    expect(html).toContain('id="anomaly-G1a"');
    expect(html).toContain('href="logs/kafka1.log"');
    expect(html).toContain('href="history.jsonl"');
    const results = JSON.parse(await readFile(join(dir, "results.json"), "utf8"));
    expect(results.anomalyTypes).toEqual(["G1a", "precommitted-read"]);
  });

  it("uses stored results as they are (a runner may have set unknown)", async () => {
    const dir = await writeFixtureRun(store, fixture("clean-faults"));
    await writeReport(dir);
    const r = JSON.parse(await readFile(join(dir, "results.json"), "utf8"));
    await writeFile(join(dir, "results.json"), JSON.stringify({ ...r, valid: "unknown", unknownReason: "final reads <timed out>" }));
    const html = await readFile(await writeReport(dir), "utf8");
    expect(html).toContain('data-verdict="unknown"');
    expect(html).toContain("final reads &lt;timed out&gt;");
  });

  it("works without spec.json or logs", async () => {
    const dir = await writeFixtureRun(store, fixture("cycles"));
    await rm(join(dir, "spec.json"));
    await rm(join(dir, "logs"), { recursive: true });
    const html = await readFile(await writeReport(dir), "utf8");
    expect(html).toContain('id="anomaly-G1c"');
  });
});

describe("report command", () => {
  it("bad input: exit code 2 and a message naming what is wrong", async () => {
    const a = io();
    expect(await reportCommand(join(store, "nope"), {}, a.io)).toBe(254);
    expect(a.out.stderr).toMatch(/no such run directory/);
    const b = io();
    expect(await reportCommand(undefined, {}, b.io)).toBe(254);
    expect(b.out.stderr).toMatch(/give a run directory/);
    const empty = join(store, "t", "20250101T000000000");
    await mkdir(empty, { recursive: true });
    const c = io();
    expect(await reportCommand(empty, {}, c.io)).toBe(254);
    expect(c.out.stderr).toMatch(/no history/);
    await writeFile(join(empty, "history.jsonl"), '{"index":0,"time":0,"process":0,"type":"ok","f":"send"\n');
    const d = io();
    expect(await reportCommand(empty, {}, d.io)).toBe(254);
    expect(d.out.stderr).toMatch(/history\.jsonl:1: invalid JSON/);
    await writeFile(join(empty, "history.jsonl"), "");
    await writeFile(join(empty, "spec.json"), "{not json");
    const e = io();
    expect(await reportCommand(empty, {}, e.io)).toBe(254);
    expect(e.out.stderr).toMatch(/spec\.json: not valid JSON/);
  });

  it("renders a run and, with --index, the index of its store", async () => {
    const dir = await writeFixtureRun(store, fixture("duplicates"));
    const a = io();
    expect(await reportCommand(dir, { index: true }, a.io)).toBe(0);
    expect(a.out.stdout.trim().split("\n")).toEqual([join(dir, "report.html"), join(store, "index.html")]);
  });
});

describe("index", () => {
  it("lists runs newest first, skips the latest symlink, reads verdicts", async () => {
    const a = await writeFixtureRun(store, fixture("loss"), "20251125T100000000");
    const b = await writeFixtureRun(store, fixture("clean-faults"), "20251126T100000000");
    await writeReport(a);
    await symlink(join("clean-faults", "20251126T100000000"), join(store, "latest"));
    const runs = await scanStore(store);
    expect(runs.map((r) => r.path).sort()).toEqual(["clean-faults/20251126T100000000", "loss/20251125T100000000"]);
    const html = await readFile(await writeIndex(store), "utf8");
    expect(html.indexOf("clean-faults/20251126T100000000/")).toBeLessThan(html.indexOf("loss/20251125T100000000/report.html"));
    expect(html).toContain("NOT CHECKED");
    expect(html).toContain('class="chip forbidden"');
    expect(existsSync(join(b, "report.html"))).toBe(false);
  });

  it("an empty store gives an index that says so", async () => {
    expect(await readFile(await writeIndex(store), "utf8")).toContain("No runs in the store yet");
  });

  it("reads the store's directory names as UTC times", () => {
    expect(timestampOfName("20251125T131900123")).toBe(Date.UTC(2025, 10, 25, 13, 19, 0, 123));
    expect(timestampOfName("latest")).toBeUndefined();
  });
});

describe("run details", () => {
  it("show the runner's notes (workload, final reads) from meta, escaped", async () => {
    const { renderReport } = await import("../../reports/index.ts");
    const { check } = await import("../../checkers/index.ts");
    const { generateHistory } = await import("../fixtures/reports/generate.ts");
    const history = generateHistory({ seconds: 3 });
    const html = renderReport({
      spec: { name: "t", seed: 5, meta: { startedAt: "2025-01-01T00:00:00Z", replay: "kafka-harness run --seed 5" } },
      history,
      results: check(history),
      meta: { finalReads: { complete: false, reached: { "t-0": 3 } }, workload: "<sends>", versions: { kafka: "3.9.1" } },
    });
    expect(html).toContain("finalReads");
    expect(html).toContain("&quot;complete&quot;:false");
    expect(html).toContain("&lt;sends&gt;");
    expect(html).toContain("kafka <code>3.9.1</code>");
    expect(html).toContain('<code class="cmd" id="replay">kafka-harness run --seed 5</code>');
    expect(html).toContain("2025-01-01T00:00:00Z");
  });
});

describe("registerReportCommand", () => {
  it("wires `report <run-dir> [--index] [--store dir]` into a commander program and sets the exit code", async () => {
    const { Command } = await import("commander");
    const { registerReportCommand } = await import("../../reports/index.ts");
    const dir = await writeFixtureRun(store, fixture("cycles"));
    const program = new Command("kafka-harness").exitOverride();
    let code: number | undefined;
    registerReportCommand(program, (c) => void (code = c));
    const write = process.stdout.write;
    const werr = process.stderr.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      await program.parseAsync(["node", "kafka-harness", "report", dir, "--index", "--store", store]);
      expect(code).toBe(0);
      expect(existsSync(join(dir, "report.html"))).toBe(true);
      expect(existsSync(join(store, "index.html"))).toBe(true);
      await program.parseAsync(["node", "kafka-harness", "report", "--index", "--store", join(store, "missing")]);
      expect(code).toBe(254);
      expect(process.exitCode).toBeUndefined();
    } finally {
      process.stdout.write = write;
      process.stderr.write = werr;
    }
  });
});
