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
    const { code, out } = await terminated("wait");
    expect(code).toBe(143);
    expect(out).toContain("newest hook runs first: signal\nfirst-registered hook: SIGTERM");
  });

  it("runs winding down (first hooks) do so side by side, before the other hooks", async () => {
    const { code, out } = await terminated("runs");
    expect(code).toBe(143);
    const lines = out.trim().split("\n").slice(1);
    expect(lines.slice(0, 2).sort()).toEqual(["run A wound down beside run B", "run B wound down beside run A"]);
    expect(lines.slice(2)).toEqual(["newest hook runs first: signal", "first-registered hook: SIGTERM"]);
  });
});

/** Starts the child in this mode, waits until it is ready, sends SIGTERM: its exit code and output. */
async function terminated(how: string): Promise<{ code: number | null; out: string }> {
  const p = spawn(process.execPath, [...child, how], { cwd: root });
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
  return { code, out };
}
