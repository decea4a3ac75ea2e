import { describe, expect, it } from "vitest";
import { cidrRange, freeSubnet, nodeAddress } from "../../harness/cluster/subnet.ts";

describe("freeSubnet", () => {
  it("takes the pool's first /24 on an engine with only the default networks", () => {
    expect(freeSubnet(["172.17.0.0/16"])).toBe("10.213.0.0/24");
    expect(freeSubnet([])).toBe("10.213.0.0/24");
  });

  it("skips every /24 another network (another cluster's) uses, so two clusters can run at once", () => {
    expect(freeSubnet(["172.17.0.0/16", "10.213.0.0/24"])).toBe("10.213.1.0/24");
    expect(freeSubnet(["10.213.1.0/24", "10.213.0.0/24", "10.213.3.0/24"])).toBe("10.213.2.0/24");
  });

  it("skips /24s inside a larger network and ones overlapping a smaller one", () => {
    expect(freeSubnet(["10.213.0.0/23"])).toBe("10.213.2.0/24");
    expect(freeSubnet(["10.213.0.128/25", "10.213.1.7/32"])).toBe("10.213.2.0/24");
    // A network spanning the whole pool (10.0.0.0/8) leaves nothing.
    expect(freeSubnet(["10.0.0.0/8"])).toBeUndefined();
  });

  it("skips the subnets the engine refused (taken by a cluster starting at the same moment)", () => {
    expect(freeSubnet(["10.213.0.0/24"], ["10.213.1.0/24"])).toBe("10.213.2.0/24");
  });

  it("ignores IPv6 subnets and strings that are no IPv4 CIDR", () => {
    expect(freeSubnet(["fd00:213::/64", "", "10.213.0.0", "300.1.1.1/24"])).toBe("10.213.0.0/24");
  });

  it("returns undefined when every /24 of the pool is used", () => {
    const all = Array.from({ length: 256 }, (_, i) => `10.213.${i}.0/24`);
    expect(freeSubnet(all)).toBeUndefined();
    expect(freeSubnet(all.slice(0, 255))).toBe("10.213.255.0/24");
  });
});

describe("cidrRange", () => {
  it("normalises the network address and gives the last one", () => {
    const r = cidrRange("10.213.5.77/24")!;
    expect(r.last - r.first).toBe(255);
    expect(r.first % 256).toBe(0);
  });
});

describe("nodeAddress", () => {
  it("gives each node a fixed address by role and index, none of .0-.9 (gateway, Docker's first picks)", () => {
    expect(nodeAddress("10.213.4.0/24", "zookeeper", 1)).toBe("10.213.4.11");
    expect(nodeAddress("10.213.4.0/24", "controller", 3)).toBe("10.213.4.23");
    expect(nodeAddress("10.213.4.0/24", "broker", 5)).toBe("10.213.4.35");
  });

  it("gives distinct addresses to every node of the largest cluster", () => {
    const roles = ["zookeeper", "controller", "broker"] as const;
    const all = roles.flatMap((r) => [1, 2, 3, 4, 5].map((i) => nodeAddress("10.213.0.0/24", r, i)));
    expect(new Set(all).size).toBe(15);
  });

  it("refuses a subnet that is not a /24 and an index out of range", () => {
    expect(() => nodeAddress("10.213.0.0/16", "broker", 1)).toThrow(/24/);
    expect(() => nodeAddress("10.213.0.0/24", "broker", 0)).toThrow(/index/);
    expect(() => nodeAddress("10.213.0.0/24", "broker", 10)).toThrow(/index/);
  });
});
