// Killed nodes come back one at a time in the order of their old addresses: Docker gives a started
// container the lowest free address, so started together two nodes can swap addresses, and a node
// that kept running goes on talking to the old one (faults/kill.ts).
import { describe, expect, it } from "vitest";
import { inAddressOrder, startNodes } from "../../harness/nemesis/faults/kill.ts";

const node = (name: string, address?: string) => ({
  name,
  role: "controller" as const,
  id: 1,
  lastAddress: () => address,
  kill: async () => {},
  start: async () => {},
});

describe("startNodes", () => {
  it("starts one node at a time, by old address numerically, unknown addresses last", async () => {
    const nodes = [node("c3", "192.168.240.10"), node("z", undefined), node("c1", "192.168.240.9"), node("c2", "192.168.239.200")];
    expect(inAddressOrder(nodes).map((n) => n.name)).toEqual(["c2", "c1", "c3", "z"]);
    const log: string[] = [];
    let running = 0;
    await startNodes(nodes, async (n) => {
      running++;
      log.push(`${n.name}:${running}`);
      await new Promise((r) => setTimeout(r, 5));
      running--;
    });
    expect(log).toEqual(["c2:1", "c1:1", "c3:1", "z:1"]);
  });
});
