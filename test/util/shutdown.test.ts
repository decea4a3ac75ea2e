// However the process ends, the cleanup hooks run (newest first, awaited): on SIGINT / SIGTERM,
// and on an uncaught exception or unhandled rejection, which would otherwise leave a cluster
// running (Ryuk is off). A crash exits 255 (an internal error) after its cleanup; a signal exits 130 / 143.
import { spawn, spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const child = ["bin/run-ts.js", "test/util/crash-child.ts"];

describe("shutdown hooks", () => {
  it.each([
    ["throw", "boom (uncaught)"],
    ["reject", "boom (unhandled)"],
  ])("%s: every hook runs with the error, newest first, then exit 255", (how, message) => {
    const r = spawnSync(process.execPath, [...child, how], { cwd: root, encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(255);
    expect(r.stdout.trim().split("\n")).toEqual(["newest hook runs first: error", `first-registered hook: error ${message}`]);
    expect(r.stderr).toMatch(
      new RegExp(`kafka-harness: (uncaught exception|unhandled rejection): Error: ${message.replace(/[()]/g, "\\$&")}`),
    );
  });

  it("SIGTERM: every hook runs with the signal, then exit 143", async () => {
    const p = spawn(process.execPath, [...child, "wait"], { cwd: root });
    let out = "";
    await new Promise<void>((ready, fail) => {
      p.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("ready")) ready();
      });
      p.on("exit", (code) => fail(new Error(`exited early (${code})`)));
    });
    const code = await new Promise<number | null>((done) => {
      p.removeAllListeners("exit");
      p.on("exit", (c) => done(c));
      p.kill("SIGTERM");
    });
    expect(code).toBe(143);
    expect(out).toContain("newest hook runs first: signal\nfirst-registered hook: SIGTERM");
  });
});
