// `check` of a stored run judges it as the run did: its spec.json's settings, the flags over them,
// its facts (interrupted, undecidable); `latest` is the store's newest run.
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CheckFlags, checkCommand } from "../../checkers/cli.ts";
import { resolveCheckTarget } from "../../reports/check-target.ts";

const fixture = (name: string) => new URL(`../fixtures/histories/${name}`, import.meta.url).pathname;

/** A store with one run of jepsen-small (a lost write: permitted under acks=1, forbidden under acks=all). */
function storeWithRun(meta: Record<string, unknown> = {}, spec: Record<string, unknown> = { producer: { acks: 1 } }) {
  const root = mkdtempSync(join(tmpdir(), "kh-check-target-"));
  const dir = join(root, "t", "20261207T010000000");
  mkdirSync(dir, { recursive: true });
  copyFileSync(fixture("jepsen-small.jsonl"), join(dir, "history.jsonl"));
  writeFileSync(join(dir, "spec.json"), JSON.stringify({ ...spec, topic: { minInsyncReplicas: 1 }, meta }));
  symlinkSync(join("t", "20261207T010000000"), join(root, "latest"));
  return { root, dir };
}

async function check(arg: string, flags: CheckFlags = {}) {
  let stdout = "";
  let stderr = "";
  const code = await checkCommand(arg, flags, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, resolveCheckTarget);
  return { code, stdout, stderr };
}

describe("check <run>", () => {
  it("judges a run folder, its history and latest under the run's spec", async () => {
    const { root, dir } = storeWithRun();
    for (const arg of [dir, join(dir, "history.jsonl")]) {
      const r = await check(arg);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^VALID/);
      expect(r.stderr).toMatch(/judged under .*spec\.json: acks=1/);
    }
    const latest = await check("latest", { store: root, json: true });
    expect(latest.code).toBe(0);
    expect(JSON.parse(latest.stdout)).toMatchObject({ valid: true, settingsFrom: "spec", config: { acks: 1 } });
  });

  it("lets flags override the spec, and says so", async () => {
    const { dir } = storeWithRun();
    const r = await check(dir, { acks: "all", json: true });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: false, settingsFrom: "spec+flags", config: { acks: "all", minInsyncReplicas: 1 } });
  });

  it("says it assumes the strongest settings when there is no spec and no flag", async () => {
    const r = await check(fixture("jepsen-small.jsonl"), { json: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no spec\.json beside .* assuming the strongest settings/);
    expect(JSON.parse(r.stdout).settingsFrom).toBe("assumed-strongest");
  });

  it("merges what the run knew besides its history, as the run did", async () => {
    const undecided = storeWithRun({ interrupted: false, undecidedBecause: "the final reads timed out on t-0" });
    const u = await check(undecided.dir, { json: true });
    expect(u.code).toBe(2);
    expect(JSON.parse(u.stdout)).toMatchObject({ valid: "unknown", unknownReason: "the final reads timed out on t-0" });
    // An interrupted run that is not invalid did not finish: exit 2, as the run's own exit code.
    const interrupted = storeWithRun({ interrupted: true, undecidedBecause: null });
    expect((await check(interrupted.dir)).code).toBe(2);
  });

  it("names what is wrong with the target (exit 254)", async () => {
    const empty = mkdtempSync(join(tmpdir(), "kh-check-empty-"));
    expect((await check(empty)).stderr).toMatch(/is a folder without a history \(history\.jsonl, history\.json, history\.edn\)/);
    expect((await check("latest", { store: empty })).stderr).toMatch(/no runs in .* pass --store <dir> or a run folder/);
    expect((await check(join(empty, "nope.jsonl"))).code).toBe(254);
    expect((await check(empty)).code).toBe(254);
  });
});
