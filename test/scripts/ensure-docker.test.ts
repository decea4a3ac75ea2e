// scripts/ensure-docker, run twice at once on a machine whose engine is down (a suite's two lanes,
// or two commands): the second waits for the first and finds the engine up, so dockerd is started
// once. docker, dockerd, pgrep and id are stand-ins on PATH; nothing real is started.
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const script = resolve(import.meta.dirname, "../../scripts/ensure-docker");

function standIns(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), "kh-ensure-docker-"));
  const bin = join(dir, "bin");
  const tool = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  mkdirSync(bin);
  // The engine answers once the stand-in dockerd has been up for a moment.
  tool("docker", `[ -f "${dir}/up" ] || exit 1; echo 20.10.24`);
  tool("dockerd", `echo started >> "${dir}/starts"; touch "${dir}/running"; sleep 1; touch "${dir}/up"`);
  // Slow to answer, so two unlocked callers would both ask before either starts dockerd.
  tool("pgrep", `sleep 0.5; [ -f "${dir}/running" ]`);
  tool("id", `echo 0`);
  return {
    dir,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, TMPDIR: dir, KAFKA_HARNESS_DOCKERD_LOG: join(dir, "dockerd.log") },
  };
}

const run = (env: NodeJS.ProcessEnv) =>
  new Promise<{ code: number | null; stderr: string }>((done) => {
    const p = spawn("bash", [script], { env });
    let stderr = "";
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.on("exit", (code) => done({ code, stderr }));
  });

describe("scripts/ensure-docker", () => {
  it("two callers at once on a stopped engine start dockerd once, and both end with it up", async () => {
    const { dir, env } = standIns();
    const [a, b] = await Promise.all([run(env), run(env)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(readFileSync(join(dir, "starts"), "utf8").trim().split("\n")).toEqual(["started"]);
  }, 60_000);
});
