// The command line as a user meets it: the version, the help and its defaults, Jepsen's exit codes
// in every command, errors that name the flag typed (with the nearest valid value), conflicting
// flags, `--json` printing one object whatever happens, and `run --dry-run`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { previewRun } from "../harness/api/index.ts";
// One namespace: each test stands alone, whatever else the module has.
import * as cli from "../harness/cli.ts";
import type { RunOutcome } from "../harness/run/runner.ts";
import type { ScenarioOutcome } from "../harness/suite/judge.ts";
import { ClientLibraryError, EnvironmentError } from "../harness/util/environment.ts";

const root = resolve(import.meta.dirname, "..");
const spawnCli = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, [resolve(root, "bin/kafka-harness.js"), ...args], { encoding: "utf8", env, timeout: 60_000 });
const history = (name: string) => join(root, "test/fixtures/histories", name);
const tmp = () => mkdtempSync(join(tmpdir(), "kh-cli-"));

/** main() in this process, its stdout and stderr captured (console and direct writes alike); `run` always with --dry-run. */
async function kh(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = (s: unknown) => void (stdout += String(s).endsWith("\n") ? String(s) : `${s}\n`);
  const err = (s: unknown) => void (stderr += String(s).endsWith("\n") ? String(s) : `${s}\n`);
  const spies = [
    vi.spyOn(console, "log").mockImplementation(out),
    vi.spyOn(console, "error").mockImplementation(err),
    vi.spyOn(process.stdout, "write").mockImplementation((s) => (out(s), true)),
    vi.spyOn(process.stderr, "write").mockImplementation((s) => (err(s), true)),
  ];
  try {
    // No test here starts a cluster, even if a check regressed: a run is always a dry run.
    const dry = args[0] === "run" && !args.includes("--dry-run") ? ["--dry-run"] : [];
    const code = await cli.main(["node", "kafka-harness", ...args, ...dry]);
    return { code, stdout, stderr };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

/** The one JSON object --json printed, and nothing else on stdout. */
function onlyObject(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split("\n");
  expect(lines, stdout).toHaveLength(1);
  const o = JSON.parse(lines[0]!) as unknown;
  expect(typeof o === "object" && o !== null && !Array.isArray(o)).toBe(true);
  return o as Record<string, unknown>;
}

function badSuite(): string {
  const file = join(tmp(), "bad.yaml");
  writeFileSync(file, "name: bad\nscenarios:\n  - name: a\n    spec: { producer: { acks: 2 } }\n");
  return file;
}

function badSpec(): string {
  const file = join(tmp(), "spec.json");
  writeFileSync(file, JSON.stringify({ producer: { acks: 2 } }));
  return file;
}

afterEach(() => {
  process.exitCode = undefined;
});

describe("kafka-harness", () => {
  it("prints its version with --version and -V, exit 0", () => {
    const { version } = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) {
      const r = spawnCli([flag]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(version);
    }
  });

  it("every option of every command says its default in its help (or has one commander shows)", () => {
    const missing: string[] = [];
    const visit = (c: Command, path: string) => {
      for (const o of c.options) {
        const name = o.name();
        if (["json", "help", "version"].includes(name)) continue;
        // A --x / --no-x pair says it once, on the form that is the default.
        const pair = c.options.filter((p) => p.attributeName() === o.attributeName());
        if (!pair.some((p) => p.defaultValue !== undefined || /\(default/.test(p.description))) missing.push(`${path} --${name}`);
      }
      for (const a of c.registeredArguments) if (!a.required && !/default/.test(a.description)) missing.push(`${path} [${a.name()}]`);
      for (const sub of c.commands) visit(sub, `${path} ${sub.name()}`);
    };
    visit(
      cli.buildProgram(() => {}),
      "kafka-harness",
    );
    expect(missing).toEqual([]);
  });
});

describe("exit codes, as Jepsen's CLI has them", () => {
  it("0 valid, 1 invalid, 2 unknown", async () => {
    expect((await kh("check", history("valid.jsonl"))).code).toBe(0);
    expect((await kh("check", history("jepsen-small.edn"))).code).toBe(1);
    expect((await kh("check", history("faults-only.jsonl"))).code).toBe(2);
  });

  it.each([
    ["a bad flag value", ["run", "--acks", "two"]],
    ["an unknown option", ["run", "--ack", "1"]],
    ["an unknown command", ["frob"]],
    ["a bad spec file", ["run", "--spec", "SPEC", "--dry-run"]],
    ["a bad history", ["check", history("missing-process.jsonl")]],
    ["a missing history", ["check", "/nonexistent/history.jsonl"]],
    ["a bad suite file", ["suite", "SUITE"]],
    ["a missing run folder (report)", ["report", "/nonexistent/run"]],
    ["a missing run folder (replay)", ["replay", "/nonexistent/run"]],
    ["conflicting flags", ["run", "--unclean", "--no-unclean"]],
    ["a bad --kafka-version", ["images", "build", "--kafka-version", "4"]],
    ["a bad doctor flag", ["doctor", "--metadata", "kraf"]],
    ["a bad clean --cluster id", ["clean", "--cluster", "x y"]],
    ["an ssh inventory without consent", ["run", "--cluster", "ssh", "--metadata", "kraft", "--ssh-hosts", "a,b,c", "--dry-run"]],
    ["a client that cannot be installed", ["install-client", "rdkafka"]],
  ])("254 for %s, nothing started", async (_, args) => {
    const r = await kh(...args.map((a) => (a === "SPEC" ? badSpec() : a === "SUITE" ? badSuite() : a)));
    expect(r.code, r.stderr).toBe(254);
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, no stack trace
  });

  it("255 for an unexpected exception, with the stack to report; a machine or client library that cannot run: 254 with what to do", () => {
    const bug = cli.errorExit(new TypeError("x is undefined"));
    expect(bug.code).toBe(255);
    expect(bug.text).toMatch(/^kafka-harness: internal error: x is undefined\n.*TypeError/);
    expect(bug.report).toEqual({ message: "x is undefined", kind: "internal" });
    const machine = cli.errorExit(new EnvironmentError("no Docker engine", "start one"));
    expect(machine).toMatchObject({ code: 254, report: { kind: "environment", advice: "start one" } });
    expect(machine.text).toMatch(/this machine cannot run a cluster: no Docker engine\n {2}what to do: start one/);
    const client = cli.errorExit(new ClientLibraryError("confluent is not installed", "kafka-harness install-client confluent"));
    expect(client).toMatchObject({ code: 254, report: { kind: "client-library", advice: "kafka-harness install-client confluent" } });
  });

  it("--help exits 0", async () => {
    const r = await kh("run", "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--acks <0\|1\|all> +producer acks: 0, 1 or all \(default: all\)/);
    expect(r.stdout).toMatch(/--no-unclean +unclean leader election disabled \(default\)/);
  });
});

describe("errors name the flag typed", () => {
  it("run --acks two says what --acks takes, not what a number is nor the spec field", async () => {
    const r = await kh("run", "--acks", "two");
    expect(r.stderr).toContain('--acks must be 0, 1 or all (got "two")');
    expect(r.stderr).not.toMatch(/expected a number|producer\.acks/);
    const two = await kh("run", "--acks", "2");
    expect(two.stderr).toContain('--acks must be 0, 1 or all (got "2")');
    expect(two.stderr).not.toMatch(/producer\.acks/);
  });

  it("suggests the nearest valid value or name", async () => {
    expect((await kh("run", "--faults", "kill,kil")).stderr).toMatch(
      /--faults must be one of kill, .* \(got "kil"; did you mean "kill"\?\)/,
    );
    expect((await kh("run", "--targets", "leadr")).stderr).toMatch(/--targets must be one of .* \(got "leadr"; did you mean "leader"\?\)/);
    expect((await kh("run", "--metadata", "kraf")).stderr).toContain(
      '--metadata must be zookeeper or kraft (got "kraf"; did you mean "kraft"?)',
    );
    expect((await kh("check", history("valid.jsonl"), "--workload", "tx")).stderr).toContain('(got "tx"; did you mean "txn"?)');
    expect((await kh("shrink", "/x", "--anomalies", "lost-writes")).stderr).toContain(
      'unknown anomaly type lost-writes (did you mean "lost-write"?)',
    );
    expect((await kh("doctor", "--metadata", "kraf")).stderr).toContain(
      '--metadata must be zookeeper or kraft (got "kraf"; did you mean "kraft"?)',
    );
  });

  it("a spec file's problems name its fields, with the nearest field for a typo", async () => {
    const file = join(tmp(), "spec.json");
    writeFileSync(file, JSON.stringify({ producer: { acks: 2 }, worklod: {} }));
    const r = await kh("run", "--spec", file, "--dry-run");
    expect(r.stderr).toContain(`invalid spec ${file}:`);
    expect(r.stderr).toContain('producer.acks: must be 0, 1 or "all" (got 2)');
    expect(r.stderr).toContain('worklod: unknown field (did you mean "workload"?)');
  });

  it("a fault the cluster's metadata mode cannot have is refused before anything starts", async () => {
    const r = await kh("run", "--faults", "zk", "--metadata", "kraft", "--dry-run");
    expect(r.code).toBe(254);
    expect(r.stderr).toMatch(/--faults zk needs ZooKeeper, and this is a KRaft cluster/);
  });
});

describe("conflicting flags are errors naming both", () => {
  it.each([
    [["run", "--unclean", "--no-unclean"], "--unclean and --no-unclean conflict"],
    [["run", "--no-subscribe", "--subscribe"], "--subscribe and --no-subscribe conflict"],
    [["run", "--acks", "1", "--acks", "all"], '--acks given twice ("1", then "all")'],
    [["run", "--metadata", "kraft", "--zookeepers", "3"], "--zookeepers 3 and --metadata kraft conflict"],
    [["run", "--combined", "--metadata", "zookeeper"], "--combined and --metadata zookeeper conflict"],
    [["run", "--workload", "queue", "--abort-rate", "0.2"], "--abort-rate 0.2 and --workload queue conflict"],
    [["check", "h.jsonl", "--txn", "--workload", "queue"], "--txn and --workload queue conflict"],
    [["check", "h.jsonl", "--no-txn", "--workload", "txn"], "--no-txn and --workload txn conflict"],
    [["check", "h.jsonl", "--idempotent", "--no-idempotent"], "--idempotent and --no-idempotent conflict"],
  ])("%j", async (args, said) => {
    const r = await kh(...args);
    expect(r.code).toBe(254);
    expect(r.stderr).toContain(said);
  });
});

describe("--json prints exactly one JSON object, errors included", () => {
  it.each([
    [["run", "--acks", "two"], "command line", /--acks must be 0, 1 or all \(got "two"\)/],
    [["frob"], "command line", /unknown command 'frob'/],
    [["run", "--unclean", "--no-unclean"], "command line", /--unclean and --no-unclean conflict/],
    [["check", history("missing-process.jsonl")], history("missing-process.jsonl"), /missing field "process"/],
    [["check", "h.jsonl", "--txn", "--workload", "queue"], "command line", /--txn and --workload queue conflict/],
    [["suite", "SUITE"], "suite SUITE", /scenarios\.0 \(a\)\.spec\.producer\.acks: must be 0, 1 or "all" \(got 2\)/],
    [["replay", "/nonexistent/run"], "run /nonexistent/run", /no spec\.json here/],
  ])("%j", async (args, where, message) => {
    const suite = badSuite();
    const r = await kh(...args.map((a) => (a === "SUITE" ? suite : a)), "--json");
    expect(r.code).toBe(254);
    const o = onlyObject(r.stdout);
    expect(o).toEqual({
      error: { message: expect.stringMatching(message), where: where.replace("SUITE", suite), kind: "bad-input" },
      exitCode: 254,
    });
  });

  it("its verdict is one of three words; valid stays as it was", async () => {
    for (const [file, verdict, valid] of [
      ["valid.jsonl", "valid", true],
      ["jepsen-small.edn", "invalid", false],
      ["faults-only.jsonl", "unknown", "unknown"],
    ] as const) {
      const o = onlyObject((await kh("check", history(file), "--json")).stdout);
      expect([o.verdict, o.valid]).toEqual([verdict, valid]);
    }
    const outcome = (valid: boolean | "unknown") =>
      ({
        results: { valid, anomalyTypes: [], forbidden: [], stats: {} },
        exitCode: 0,
        dir: "d",
        reportPath: "r",
        spec: { seed: 1, client: "kafkajs" },
      }) as unknown as RunOutcome;
    expect([true, false, "unknown" as const].map((v) => cli.runJson(outcome(v)).verdict)).toEqual(["valid", "invalid", "unknown"]);
    expect(cli.runJson(outcome("unknown")).valid).toBe("unknown");
    const scenario = (met: boolean, valid: boolean | "unknown") =>
      ({ name: "s", met, runs: [{ seed: 1, valid }] }) as unknown as ScenarioOutcome;
    expect(cli.suiteJson("x", [scenario(true, "unknown")])).toMatchObject({
      verdict: "valid",
      met: true,
      scenarios: [{ runs: [{ verdict: "unknown", valid: "unknown" }] }],
    });
    expect(cli.suiteJson("x", [scenario(true, true), scenario(false, false)]).verdict).toBe("invalid");
  });
});

describe("run --dry-run", () => {
  it("prints the plan and the fault schedule the seed gives, the same every time, with no engine and no run folder", () => {
    // A PATH with node and nothing else: no docker, no dockerd.
    const bin = tmp();
    symlinkSync(process.execPath, join(bin, "node"));
    const store = join(tmp(), "store");
    const args = ["run", "--dry-run", "--seed", "7", "--faults", "kill,partition", "--time-limit", "30", "--store", store];
    const a = spawnCli(args, { ...process.env, PATH: bin });
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/^dry run: nothing was started\n/);
    expect(a.stdout).toMatch(/^seed +7$/m);
    expect(a.stdout).toMatch(/^ {2}producer 0: (t-\d×\d ){8}… \(\d+ planned/m);
    const { faults } = previewRun({ seed: 7, faults: { kinds: ["kill", "partition"] }, workload: { timeLimitSeconds: 30 } });
    expect(faults.length).toBeGreaterThan(0);
    expect(a.stdout).toContain(`faults    ${faults.length} (drawn from seed 7; times from the workload start):`);
    expect(a.stdout.match(/^ {2}at +\d+\.\d s {2}(kill|partition) /gm)).toHaveLength(faults.length);
    expect(spawnCli(args, { ...process.env, PATH: bin }).stdout).toBe(a.stdout);
    expect(existsSync(store)).toBe(false);
  });

  it("--json gives them as one object: the validated spec, the whole plan and schedule", async () => {
    const r = await kh("run", "--dry-run", "--json", "--seed", "11", "--faults", "pause", "--acks", "1", "--workload", "queue");
    expect(r.code).toBe(0);
    const o = onlyObject(r.stdout);
    const p = previewRun({ seed: 11, faults: { kinds: ["pause"] }, producer: { acks: 1 } });
    expect(o).toEqual(JSON.parse(JSON.stringify({ dryRun: true, seed: 11, spec: p.spec, plan: p.plan, faults: p.faults })));
  });

  it("shows a txn run's transactions and an explicit schedule", async () => {
    const file = join(tmp(), "spec.json");
    writeFileSync(
      file,
      JSON.stringify({
        workload: { kind: "txn", timeLimitSeconds: 20 },
        faults: { schedule: [{ at: 1000, duration: 5000, fault: "kill", targets: { kind: "controller" } }] },
      }),
    );
    const r = await kh("run", "--spec", file, "--dry-run", "--seed", "3");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}slot 0: \[(send t-\d|poll)/m);
    expect(r.stdout).toContain("faults    1 (the spec's explicit schedule; times from the workload start):");
    expect(r.stdout).toMatch(/^ {2}at +1\.0 s {2}kill controller for 5000 ms$/m);
  });
});
