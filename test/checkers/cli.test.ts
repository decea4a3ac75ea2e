// The check command: output and exit codes (0 valid, 1 invalid, 2 unknown, 254 bad input).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { checkCommand, configFromFlags, registerCheckCommand } from "../../checkers/cli.ts";

const fixture = (name: string) => new URL(`../fixtures/histories/${name}`, import.meta.url).pathname;

async function run(file: string, flags: Parameters<typeof checkCommand>[1] = {}) {
  let stdout = "";
  let stderr = "";
  const code = await checkCommand(file, flags, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe("check command", () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it("exits 0 on a valid history and prints a summary", async () => {
    const r = await run(fixture("valid.jsonl"));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^VALID/);
  });

  it("exits 1 on a forbidden anomaly; --json prints one object", async () => {
    const r = await run(fixture("jepsen-small.edn"), { json: true });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.valid).toBe(false);
    expect(out.verdict).toBe("invalid");
    expect(out.anomalyTypes).toEqual(["lost-write", "unseen"]);
    expect(out.forbidden).toEqual(["lost-write", "unseen"]);
    expect(out.anomalies["lost-write"]).toMatchObject({ count: 1, forbidden: true });
    expect(out.stats.keys).toBe(2);
  });

  it("transactional EDN: --isolation read_committed finds G1a and a torn transaction (exit 1); read_uncommitted permits the aborted read (exit 0)", async () => {
    const rc = await run(fixture("txn-small.edn"), { isolation: "read_committed", txn: true });
    expect(rc.code).toBe(1);
    expect(rc.stdout).toContain("transactions: 2 committed (ok), 2 aborted (fail), 1 unknown (info); consumers read_committed");
    expect(rc.stdout).toMatch(/torn-txn: 1 \(FORBIDDEN/);
    expect(rc.stdout).toContain("transaction op 11 (unknown outcome, shown committed by a read) is partly visible");
    const ru = await run(fixture("txn-small.edn"), { isolation: "read_uncommitted", txn: true });
    expect(ru.code).toBe(0);
    expect(ru.stdout).toMatch(/G1a: 1 \(permitted: read_uncommitted/);
    expect(configFromFlags({ isolation: "snapshot" })).toMatch(/--isolation must be read_committed or read_uncommitted/);
    expect(configFromFlags({ txn: false })).toEqual({ transactional: false });
  });

  it("exits 0 when the configuration permits what was found", async () => {
    const r = await run(fixture("jepsen-small.edn"), { acks: "1" });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/lost-write: 1 \(permitted: acks=1/);
  });

  it("exits 2 when nothing was tested; --json says verdict unknown, valid as it was", async () => {
    const r = await run(fixture("faults-only.jsonl"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing was tested/);
    const j = await run(fixture("faults-only.jsonl"), { json: true });
    expect(JSON.parse(j.stdout)).toMatchObject({ verdict: "unknown", valid: "unknown" });
    expect(JSON.parse((await run(fixture("valid.jsonl"), { json: true })).stdout)).toMatchObject({ verdict: "valid", valid: true });
  });

  it("exits 254 on bad input, naming the file and line; --json prints the error as its one object", async () => {
    const r = await run(fixture("missing-process.jsonl"));
    expect(r.code).toBe(254);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/missing-process.jsonl:17: missing field "process"\n$/);
    const j = await run(fixture("missing-process.jsonl"), { json: true });
    expect(j.code).toBe(254);
    expect(JSON.parse(j.stdout)).toEqual({
      error: {
        message: expect.stringMatching(/missing-process.jsonl:17: missing field "process"$/),
        where: fixture("missing-process.jsonl"),
        kind: "bad-input",
      },
      exitCode: 254,
    });
    const missing = await run("/nonexistent/h.jsonl", { json: true });
    expect(missing.code).toBe(254);
    expect(missing.stderr).toMatch(/check: no such file: \/nonexistent\/h.jsonl\n$/);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { message: "no such file: /nonexistent/h.jsonl" }, exitCode: 254 });
  });

  it("checks every complete line of a history whose last line was cut off, and says so", async () => {
    const whole = readFileSync(fixture("valid.jsonl"), "utf8");
    const file = join(mkdtempSync(join(tmpdir(), "kh-cli-torn-")), "history.jsonl");
    writeFileSync(file, `${whole.endsWith("\n") ? whole : `${whole}\n`}{"index":99999,"time":1,"proc`);
    const r = await run(file);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^VALID/);
    expect(r.stderr).toMatch(/history\.jsonl:\d+: the last line was cut off while it was written .*skipped/);
  });

  it("exits 254 on bad flag values, with the nearest valid value", async () => {
    expect((await run(fixture("valid.jsonl"), { acks: "2" })).stderr).toMatch(/--acks must be 0, 1 or all \(got "2"\)/);
    expect((await run(fixture("valid.jsonl"), { minIsr: "x" })).code).toBe(254);
    const j = await run(fixture("valid.jsonl"), { workload: "tx", json: true });
    expect(j.code).toBe(254);
    expect(JSON.parse(j.stdout)).toEqual({
      error: {
        message: '--workload must be queue or txn or group or copy (got "tx"; did you mean "txn"?)',
        where: "command line",
        kind: "bad-input",
      },
      exitCode: 254,
    });
    expect(configFromFlags({ maxInFlight: "0" })).toMatch(/--max-in-flight must be an integer >= 1/);
    expect(
      configFromFlags({ acks: "all", minIsr: "2", unclean: false, idempotent: true, maxInFlight: "5", subscribe: true, wwDeps: true }),
    ).toEqual({
      acks: "all",
      minInsyncReplicas: 2,
      uncleanLeaderElection: false,
      idempotent: true,
      maxInFlight: 5,
      consumerMode: "subscribe",
      wwDeps: true,
    });
  });

  it("registers on a commander program and hands its exit code on", async () => {
    const program = new Command().exitOverride();
    let code: number | undefined;
    registerCheckCommand(program, (c) => void (code = c));
    const write = process.stdout.write;
    process.stdout.write = (() => true) as never;
    try {
      await program.parseAsync(["node", "kh", "check", fixture("jepsen-small.edn"), "--acks", "all", "--min-isr", "2", "--no-idempotent"]);
    } finally {
      process.stdout.write = write;
    }
    expect(code).toBe(1);
    expect(process.exitCode).toBeUndefined();
  });
});
