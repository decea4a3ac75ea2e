// The command line as a user meets it: the version, the help.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const cli = (...args: string[]) => spawnSync(process.execPath, [resolve(root, "bin/kafka-harness.js"), ...args], { encoding: "utf8" });

describe("kafka-harness", () => {
  it("prints its version with --version and -V, exit 0", () => {
    const { version } = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) {
      const r = cli(flag);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(version);
    }
  });
});
