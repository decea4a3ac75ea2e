// Needs a real engine. Crash safety: a real `run` killed with SIGKILL in the middle of its workload
// (no cleanup hook can run) leaves its cluster behind; `kafka-harness clean` removes every container
// and network of the project, and the history the run wrote line by line is checkable: every
// complete line reads, and since the history records no completed final reads, the verdict on loss
// is unknown, never "valid".
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NO_FINAL_READS } from "../../checkers/phases.ts";
import { findLeftovers, removeLeftovers } from "../../harness/cluster/cleanup.ts";

const CLI = "bin/kafka-harness.js";
const START_WAIT_MS = 240_000;

async function until(what: string, cond: () => boolean, timeoutMs: number, died: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    const d = died();
    if (d) throw new Error(`${what}: ${d}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("crash safety (real engine)", () => {
  let runId: string | undefined;
  afterAll(async () => {
    if (runId) await removeLeftovers(runId); // a failing test leaves nothing either
  });

  it("SIGKILL mid-workload: clean removes the run's cluster; the partial history checks as unknown", async () => {
    const store = join(mkdtempSync(join(tmpdir(), "kh-crash-")), "store");
    const child = spawn(
      process.execPath,
      [CLI, "run", "--name", "crash", "--store", store, "--time-limit", "90", "--faults", "kill", "--targets", "leader"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    let exit: string | undefined;
    child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()));
    child.stdout.resume();
    const exited = new Promise<void>((resolve) =>
      child.on("exit", (code, signal) => ((exit = `the run exited (code ${code}, signal ${signal})\n${stderr.slice(-2000)}`), resolve())),
    );
    try {
      const historyPath = () => {
        const dir = join(store, "crash");
        const runs = existsSync(dir) ? readdirSync(dir) : [];
        return runs.length ? join(dir, runs[0]!, "history.jsonl") : undefined;
      };
      const lines = () => {
        const p = historyPath();
        return p && existsSync(p) ? readFileSync(p, "utf8").split("\n").length - 1 : 0;
      };
      // Mid-workload: phase 1 under way, with a few hundred ops on disk.
      await until(
        "the workload to be under way",
        () => stderr.includes("phase 1/4") && lines() >= 300,
        START_WAIT_MS,
        () => exit,
      );
      runId = /cluster (kh-[\w-]+): ready/.exec(stderr)?.[1];
      expect(runId, "the run printed its cluster id").toBeDefined();
      expect((await findLeftovers(runId)).containers.length, "the cluster is running").toBe(6);

      child.kill("SIGKILL");
      await exited;
      expect((await findLeftovers(runId)).containers.length, "SIGKILL: no hook ran, the cluster is still there").toBe(6);

      // Only this run's cluster: a bare `clean` would also remove other clusters running on the
      // machine (another test process's, a user's).
      const clean = spawnSync(process.execPath, [CLI, "clean", "--cluster", runId!], { encoding: "utf8", timeout: 120_000 });
      expect(clean.status, clean.stderr).toBe(0);
      expect(clean.stdout).toMatch(/removed 6 container\(s\) and 1 network\(s\)/);
      expect(await findLeftovers(runId)).toEqual({ containers: [], networks: [] });

      // Judged under the run's own settings, from the spec.json the run wrote when it opened (the
      // default producer is not idempotent: at the strongest settings a retried batch's permitted
      // duplicate would read INVALID).
      const checked = spawnSync(process.execPath, [CLI, "check", historyPath()!, "--json"], { encoding: "utf8", timeout: 120_000 });
      expect(checked.stderr).not.toMatch(/invalid JSON|missing field/);
      expect(checked.status, checked.stderr).toBe(2);
      const r = JSON.parse(checked.stdout) as {
        valid: unknown;
        unknownReason: string;
        settingsFrom: string;
        config: { idempotent?: boolean };
        stats: { ops: number; sends: { ok: number } };
      };
      expect(r.settingsFrom).toBe("spec");
      expect(r.config.idempotent).toBe(false);
      expect(r.valid).toBe("unknown");
      expect(r.unknownReason).toBe(NO_FINAL_READS);
      expect(r.stats.ops).toBeGreaterThanOrEqual(lines() - 1); // every complete line was read
      expect(r.stats.sends.ok).toBeGreaterThan(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });
});
