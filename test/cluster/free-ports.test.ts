// Clusters started side by side pick their brokers' ports before either publishes them: a port the
// kernel offers again must not go to a second cluster of the same process.
import { describe, expect, it, vi } from "vitest";

const offered = vi.hoisted(() => [40001, 40001, 40002, 40001, 40003, 40004]);
vi.mock("node:net", () => ({
  createServer: () => {
    const port = offered.shift();
    const srv = {
      once: () => srv,
      listen: (_p: number, _h: string, ready: () => void) => ready(),
      address: () => ({ port }),
      close: (done: () => void) => done(),
    };
    return srv;
  },
}));

describe("freePorts", () => {
  it("never hands a port twice in one process, even when the kernel offers it again", async () => {
    const { freePorts } = await import("../../harness/cluster/free-ports.ts");
    const first = await freePorts(1);
    const second = await freePorts(2);
    expect(first).toEqual([40001]);
    expect(second).toEqual([40002, 40003]);
  });
});
