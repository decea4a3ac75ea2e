// kafka-harness as a user's dependency (README "Use it in your project"): the package is packed,
// installed from its tarball into an empty project (dependencies from the local npm cache when it
// has them), and used there the three ways a user does: (a) imported from plain Node, (b) from a
// vitest file with the matchers, (c) the `kafka-harness check` command, plus (d) the user's
// TypeScript compiling against the shipped declarations. The project has no overrides, so it
// resolves dependencies as any user's project on this Node does.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KAFKA_FILES } from "../../harness/images/build-images.ts";

const root = resolve(import.meta.dirname, "../..");
const fixture = join(root, "test/fixtures/consumer");
const versionOf = (pkg: string) =>
  (JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; never throws on a non-zero exit (the tests assert on it). */
function sh(cmd: string, args: string[], cwd: string): Promise<Ran> {
  // Not this test's own vitest environment: the consumer's vitest must start as a user's would.
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST") && k !== "NODE_OPTIONS" && k !== "NODE_ENV")),
    NO_COLOR: "1",
  };
  return new Promise((done) => {
    execFile(cmd, args, { cwd, env, maxBuffer: 64 << 20, timeout: 480_000 }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

const explain = (r: Ran) => `exit ${r.code}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;

let work: string;
let project: string;
let packed: { filename: string; size: number; unpackedSize: number; files: Array<{ path: string }> };
let install: Ran;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "kafka-harness-consumer-"));
  // `npm pack` runs the `prepare` script (the build into dist/) first, as publishing does.
  const pack = await sh("npm", ["pack", "--json", "--pack-destination", work], root);
  if (pack.code !== 0) throw new Error(`npm pack failed: ${explain(pack)}`);
  packed = (JSON.parse(pack.stdout) as (typeof packed)[])[0]!;

  project = join(work, "project");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2));
  for (const f of ["history.mjs", "check-history.mjs", "regression.test.ts", "tsconfig.json"])
    copyFileSync(join(fixture, f), join(project, f));
  // The same two histories as files, one op per line, as a run stores them.
  const histories = join(fixture, "history.mjs");
  const { intact, lossy } = (await import(histories)) as Record<"intact" | "lossy", object[]>;
  for (const [name, ops] of Object.entries({ intact, lossy }))
    writeFileSync(join(project, `${name}.jsonl`), ops.map((op) => JSON.stringify(op)).join("\n") + "\n");
  const t = Date.now();
  install = await sh(
    "npm",
    [
      "install",
      join(work, packed.filename),
      `vitest@${versionOf("vitest")}`,
      `typescript@${versionOf("typescript")}`,
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
    ],
    project,
  );
  if (install.code !== 0) throw new Error(`npm install of the packed package failed: ${explain(install)}`);
  console.log(`consumer project installed in ${((Date.now() - t) / 1000).toFixed(0)} s`);
}, 600_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
}, 120_000);

describe("the packed package in a user's project", () => {
  it("ships compiled JavaScript with declarations and the files it needs at run time, not the sources", () => {
    const paths = packed.files.map((f) => f.path);
    const sources = paths.filter((p) => p.endsWith(".ts") && !p.endsWith(".d.ts"));
    expect(sources, "TypeScript sources in the tarball").toEqual([]);
    const needed = [
      "bin/kafka-harness.js",
      "dist/index.js",
      "dist/index.d.ts",
      "dist/harness/api/matchers.js",
      "dist/harness/api/matchers.d.ts",
      "dist/harness/cli.js",
      "dist/reports/client/report.js",
      "suites/known-answers.yaml",
      "scripts/ensure-docker",
      "scripts/ensure-image-tools",
      ...KAFKA_FILES.map((f) => `harness/images/kafka/${f}`),
    ];
    expect(
      needed.filter((p) => !paths.includes(p)),
      "missing from the tarball",
    ).toEqual([]);
    expect(
      paths.filter((p) => p.includes("/target/") || p.startsWith("test/") || p.startsWith("store/")),
      "build output or test files in the tarball",
    ).toEqual([]);
    console.log(
      `package: ${packed.files.length} files, ${(packed.size / 1024).toFixed(0)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked`,
    );
  });

  it(`installs on Node ${process.version} with no engine warning and no overrides`, () => {
    expect(`${install.stdout}\n${install.stderr}`).not.toMatch(/EBADENGINE/);
    expect(JSON.parse(readFileSync(join(project, "package.json"), "utf8"))).not.toHaveProperty("overrides");
  });

  it("(a) plain Node imports the API and checks a history", async () => {
    const r = await sh(process.execPath, ["check-history.mjs"], project);
    expect(r.code, explain(r)).toBe(0);
    const [ok, lost] = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { name: string; valid: unknown; anomalyTypes: string[]; forbidden: string[] });
    expect(ok).toMatchObject({ name: "intact", valid: true, anomalyTypes: [] });
    expect(lost).toMatchObject({ name: "lossy", valid: false });
    expect(lost!.forbidden).toContain("lost-write");
  });

  it("(b) a vitest file imports runTest, checkHistory and the matchers, and passes", async () => {
    const r = await sh(join(project, "node_modules/.bin/vitest"), ["run", "regression.test.ts"], project);
    expect(r.code, explain(r)).toBe(0);
    expect(r.stdout).toMatch(/Tests\s+3 passed/);
  });

  it("(c) `kafka-harness check` judges history files: 0 for intact, 1 for a lost write", async () => {
    const bin = join(project, "node_modules/.bin/kafka-harness");
    const good = await sh(bin, ["check", "intact.jsonl", "--acks", "all", "--min-isr", "2", "--no-unclean"], project);
    expect(good.code, explain(good)).toBe(0);
    const bad = await sh(bin, ["check", "lossy.jsonl", "--acks", "all", "--min-isr", "2", "--no-unclean"], project);
    expect(bad.code, explain(bad)).toBe(1);
    expect(bad.stdout).toMatch(/lost-write/);
    const help = await sh(bin, ["--help"], project);
    expect(help.code, explain(help)).toBe(0);
    expect(help.stdout).toMatch(/Usage: kafka-harness/);
  });

  it("(d) the user's TypeScript compiles against the shipped declarations", async () => {
    const r = await sh(join(project, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"], project);
    expect(r.code, explain(r)).toBe(0);
  });
});
