// runSchedule on a recording fake nemesis, with schedules in milliseconds.
import { describe, expect, it } from "vitest";
import { runSchedule, timeline } from "../../harness/nemesis/run-schedule.ts";
import type { Schedule } from "../../harness/nemesis/schedule.ts";
import type { FaultResult, FaultSpec, Nemesis } from "../../harness/nemesis/types.ts";

function recording(o: { failOn?: string; throwOn?: string; slowMs?: number } = {}) {
  const calls: { at: number; what: string }[] = [];
  const t0 = performance.now();
  const nemesis: Nemesis = {
    async invoke(f: FaultSpec): Promise<FaultResult> {
      calls.push({ at: performance.now() - t0, what: f.fault });
      if (o.throwOn === f.fault) throw new Error("boom");
      if (o.slowMs) await new Promise((r) => setTimeout(r, o.slowMs));
      const type = o.failOn === f.fault ? "fail" : "ok";
      const undo: FaultSpec | undefined =
        f.fault === "kill"
          ? { fault: "start", targets: { kind: "nodes", names: ["kafka1"] } }
          : f.fault === "partition"
            ? { fault: "heal" }
            : undefined;
      return { type, f: f.fault, value: { targets: ["kafka1"], ...(type === "fail" ? { reason: "no" } : {}) }, undo };
    },
    async healAll() {
      calls.push({ at: performance.now() - t0, what: "heal-all" });
      return { type: "ok", f: "heal-all", value: { targets: [] } };
    },
    async close() {},
  };
  return { nemesis, calls };
}

const kill = (at: number, duration: number) => ({ fault: "kill" as const, targets: { kind: "random-broker" as const }, at, duration });
const isolate = (at: number, duration: number) => ({
  fault: "partition" as const,
  topology: "isolate" as const,
  targets: { kind: "controller" as const },
  at,
  duration,
});

describe("runSchedule", () => {
  it("timeline: undos before faults at the same time, bounce has no undo", () => {
    const s: Schedule = [kill(0, 10), isolate(10, 5), { fault: "bounce", at: 20, duration: 0 }];
    expect(timeline(s).map((e) => `${e.time}${e.undo ? " undo" : ""} ${e.i}`)).toEqual(["0 0", "10 undo 0", "10 1", "15 undo 1", "20 2"]);
  });

  it("applies each fault at its time and its undo after its duration, then heals all", async () => {
    const { nemesis, calls } = recording();
    const out = await runSchedule([kill(20, 40), isolate(100, 30)], nemesis);
    expect(calls.map((c) => c.what)).toEqual(["kill", "start", "partition", "heal", "heal-all"]);
    const at = calls.map((c) => c.at);
    expect(at[0]).toBeGreaterThanOrEqual(17);
    expect(at[1]).toBeGreaterThanOrEqual(57);
    expect(at[2]).toBeGreaterThanOrEqual(97);
    expect(at[3]).toBeGreaterThanOrEqual(127);
    expect(out.interrupted).toBe(false);
    expect(out.steps.map((s) => [s.fault?.f, s.undo?.f])).toEqual([
      ["kill", "start"],
      ["partition", "heal"],
    ]);
  });

  it("does not undo a fault that was refused", async () => {
    const { nemesis, calls } = recording({ failOn: "kill" });
    await runSchedule([kill(0, 10)], nemesis);
    expect(calls.map((c) => c.what)).toEqual(["kill", "heal-all"]);
  });

  it("an abort stops the schedule at once and heals all", async () => {
    const { nemesis, calls } = recording();
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    const t = performance.now();
    const out = await runSchedule([kill(0, 5000), isolate(6000, 1000)], nemesis, { signal: ctl.signal });
    expect(performance.now() - t).toBeLessThan(1000);
    expect(calls.map((c) => c.what)).toEqual(["kill", "heal-all"]);
    expect(out.interrupted).toBe(true);
    expect(out.steps[0]!.undo).toBeUndefined();
  });

  it("heals all when the nemesis throws, and rethrows", async () => {
    const { nemesis, calls } = recording({ throwOn: "partition" });
    await expect(runSchedule([isolate(0, 10)], nemesis)).rejects.toThrow("boom");
    expect(calls.map((c) => c.what)).toEqual(["partition", "heal-all"]);
  });

  it("a slow fault delays what follows; times count from the origin", async () => {
    const { nemesis, calls } = recording({ slowMs: 60 });
    const origin = performance.now() - 1000; // the workload started a second ago
    await runSchedule([kill(1000, 10), kill(1020, 10)], nemesis, { origin });
    expect(calls.map((c) => c.what)).toEqual(["kill", "start", "kill", "start", "heal-all"]);
    expect(calls[0]!.at).toBeLessThan(30);
    expect(calls[2]!.at).toBeGreaterThanOrEqual(115);
  });
});
