// Callers that need the engine at the same moment (a suite's parallel lanes, each run's prepare)
// share one check: the engine is provisioned once, not started twice.
import { describe, expect, it, vi } from "vitest";

const calls = vi.hoisted(() => ({ n: 0 }));
vi.mock("../../harness/util/provision.ts", () => ({
  provisionScript: async (_step: string, _script: string, _progress: unknown, state: () => Promise<string>) => {
    calls.n++;
    await new Promise((r) => setTimeout(r, 20));
    await state();
  },
}));
vi.mock("../../harness/util/exec.ts", () => ({ run: async () => "20.10.24\n" }));

describe("ensureEngine", () => {
  it("callers at the same moment share one check; a later caller checks again", async () => {
    const { ensureEngine } = await import("../../harness/util/engine.ts");
    expect(await Promise.all([ensureEngine(), ensureEngine(), ensureEngine()])).toEqual(["20.10.24", "20.10.24", "20.10.24"]);
    expect(calls.n).toBe(1);
    await ensureEngine();
    expect(calls.n).toBe(2);
  });
});
