import { describe, expect, it } from "vitest";
import { assertIpv4, dropScript, flushScript } from "../../harness/nemesis/iptables.ts";

describe("iptables scripts", () => {
  it("drops packets from each address in our own chain, hooked into INPUT once", () => {
    const s = dropScript("iptables-nft", ["172.22.0.5", "172.22.0.6"]);
    expect(s).toContain("iptables-nft -w -N KH-NEMESIS");
    expect(s).toContain("-C INPUT -j KH-NEMESIS 2>/dev/null || iptables-nft -w -I INPUT 1 -j KH-NEMESIS");
    expect(s).toContain("-A KH-NEMESIS -s 172.22.0.5 -j DROP");
    expect(s).toContain("-A KH-NEMESIS -s 172.22.0.6 -j DROP");
    expect(s).not.toMatch(/-t nat|OUTPUT|-F\b/); // never touches Docker's DNS rules or anything else
  });

  it("heals by removing only our chain", () => {
    const s = flushScript("iptables-legacy");
    expect(s).toContain("iptables-legacy -w -D INPUT -j KH-NEMESIS");
    expect(s).toContain("iptables-legacy -w -X KH-NEMESIS");
    expect(s).not.toMatch(/-F\s*$|-t nat/m);
  });

  it("accepts only IPv4 addresses (they end up in a shell command)", () => {
    expect(assertIpv4("10.0.0.1")).toBe("10.0.0.1");
    for (const bad of ["", "10.0.0.256", "10.0.0.1; rm -rf /", "kafka1", "0.0.0.0/0"]) expect(() => assertIpv4(bad)).toThrow(/IPv4/);
  });
});
