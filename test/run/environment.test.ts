// A machine that cannot run a cluster is not a run outcome: with no engine to be had (here: a PATH
// with no docker, dockerd or apt-get), `suite` and `run` stop before the first run with exit 254 and
// one message saying what failed and what to do, and leave no run folder behind.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");

/** A bin folder with only what the CLI and scripts/ensure-docker need to start, and no engine. */
function pathWithoutEngine(): string {
  const bin = mkdtempSync(join(tmpdir(), "kh-noengine-"));
  for (const tool of ["bash", "id", "timeout", "env", "dirname"]) {
    const found = spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
    symlinkSync(found, join(bin, tool));
  }
  symlinkSync(process.execPath, join(bin, "node"));
  return bin;
}

describe("no engine to be had", () => {
  const PATH = pathWithoutEngine();
  for (const args of [["suite"], ["run", "--time-limit", "5"]]) {
    it(`${args[0]}: exit 254, one message with what to do, no run folder`, () => {
      const store = join(mkdtempSync(join(tmpdir(), "kh-envstore-")), "store");
      const r = spawnSync(process.execPath, [join(root, "bin/kafka-harness.js"), ...args, "--store", store], {
        encoding: "utf8",
        env: { ...process.env, PATH },
        timeout: 60_000,
      });
      expect(r.status, r.stderr).toBe(254);
      expect(r.stderr).toMatch(/this machine cannot run a cluster: no Docker engine/);
      expect(r.stderr).toMatch(/what to do: start a Docker engine/);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(store)).toBe(false);
    });
  }
});
