// A node's pause never freezes an exec that is starting (Docker deadlocks), and no exec starts
// while a pause is under way.
import { describe, expect, it } from "vitest";
import { ExecGate } from "../../harness/cluster/exec-gate.ts";

const later = () => {
  let resolve!: () => void;
  const p = new Promise<void>((r) => (resolve = r));
  return { p, resolve };
};

describe("ExecGate", () => {
  it("pauses only after the execs in flight have returned", async () => {
    const gate = new ExecGate();
    const events: string[] = [];
    const exec = later();
    const running = gate.exec(async () => {
      events.push("exec start");
      await exec.p;
      events.push("exec end");
    });
    const pausing = gate.pause(async () => void events.push("pause"));
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(["exec start"]);
    exec.resolve();
    await Promise.all([running, pausing]);
    expect(events).toEqual(["exec start", "exec end", "pause"]);
  });

  it("holds an exec asked for during a pause until the pause is done", async () => {
    const gate = new ExecGate();
    const events: string[] = [];
    const pause = later();
    const pausing = gate.pause(async () => {
      events.push("pause start");
      await pause.p;
      events.push("pause end");
    });
    await new Promise((r) => setTimeout(r, 5));
    const exec = gate.exec(async () => void events.push("exec"));
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(["pause start"]);
    pause.resolve();
    await Promise.all([pausing, exec]);
    expect(events).toEqual(["pause start", "pause end", "exec"]);
  });

  it("pauses anyway when an exec hangs past the wait", async () => {
    const gate = new ExecGate();
    void gate.exec(() => new Promise<void>(() => {}));
    let paused = false;
    await gate.pause(async () => void (paused = true), 30);
    expect(paused).toBe(true);
  });
});
