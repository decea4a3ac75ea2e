// The run's phase loop without a cluster: each phase's marker ops around it, a cancelled run
// skipping every phase but those marked `always`, and a failing phase ending the loop with its
// completion marker recorded.
import { describe, expect, it } from "vitest";
import { createRecorder } from "../../harness/history/recorder.ts";
import { type RunContext, type RunPhase, runPhases } from "../../harness/run/phases.ts";
import { runLifetime } from "../../harness/run/scope.ts";

function context() {
  const recorder = createRecorder();
  const lines: string[] = [];
  const life = runLifetime(() => {});
  const ctx = { recorder, life, progress: (m: string) => lines.push(m) } as unknown as RunContext;
  return { ctx, recorder, lines, life };
}

const marked = (ran: string[], name: string, fail = false): RunPhase => ({
  describe: () => name,
  marker: { f: "workload", start: () => ({ name }), end: (_, e) => ({ type: "error" in e ? "info" : "ok", value: { name } }) },
  run: async () => {
    ran.push(name);
    if (fail) throw new Error(`${name} failed`);
  },
});

describe("runPhases", () => {
  it("records each phase's markers and says which phase of how many runs", async () => {
    const { ctx, recorder, lines } = context();
    const ran: string[] = [];
    await runPhases([marked(ran, "a"), marked(ran, "b")], ctx);
    expect(ran).toEqual(["a", "b"]);
    expect(lines).toEqual(["phase 1/2: a", "phase 2/2: b"]);
    expect(recorder.ops.map((o) => `${o.process} ${o.type} ${o.f}`)).toEqual([
      "harness invoke workload",
      "harness ok workload",
      "harness invoke workload",
      "harness ok workload",
    ]);
  });

  it("a cancelled run runs only the phases marked always", async () => {
    const { ctx, life } = context();
    const ran: string[] = [];
    life.cancel("stop");
    await runPhases([marked(ran, "a"), { ...marked(ran, "heal"), always: true }, marked(ran, "c")], ctx);
    expect(ran).toEqual(["heal"]);
    expect(life.unknownReason).toBe("stop");
  });

  it("a failing phase records its completion and ends the loop", async () => {
    const { ctx, recorder } = context();
    const ran: string[] = [];
    await expect(runPhases([marked(ran, "a", true), marked(ran, "b")], ctx)).rejects.toThrow("a failed");
    expect(ran).toEqual(["a"]);
    expect(recorder.ops.map((o) => o.type)).toEqual(["invoke", "info"]);
  });
});
