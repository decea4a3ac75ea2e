// harnessFixture on a cluster its owner started (one shared by several test files): setup takes it
// once it is whole, teardown leaves it running, and a fixture of its own still stops its cluster.
import { describe, expect, it, vi } from "vitest";
import { harnessFixture } from "../../harness/api/index.ts";
import type { Cluster } from "../../harness/cluster/cluster.ts";

const whole = vi.hoisted(() => [] as string[]);
vi.mock("../../harness/run/shared-cluster.ts", async (original) => ({
  ...(await original<typeof import("../../harness/run/shared-cluster.ts")>()),
  waitUntilWhole: async (c: Cluster) => void whole.push(c.runId),
}));

describe("harnessFixture({ existing })", () => {
  it("takes the owner's cluster once whole, and leaves it running at teardown", async () => {
    let stopped = false;
    const owners = { runId: "kh-owner", stop: async () => void (stopped = true) } as unknown as Cluster;
    const h = harnessFixture({ existing: async () => owners });
    expect(await h.setup()).toBe(owners);
    expect(whole).toEqual(["kh-owner"]);
    expect(h.cluster).toBe(owners);
    await h.teardown();
    expect(stopped).toBe(false);
    expect(() => h.cluster).toThrow(/not started/);
  });
});
