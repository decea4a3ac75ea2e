// The KRaft cluster id every kind formats its nodes' storage with.
import { describe, expect, it } from "vitest";
import { newKraftClusterId } from "../../harness/cluster/node-config.ts";

describe("a KRaft cluster id", () => {
  it("is 16 bytes in base64url, and never starts with '-' (kafka-storage would read it as an option)", () => {
    // 0xF8 makes the first base64url character '-': that draw is thrown away.
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x01)];
    const id = newKraftClusterId(() => draws.shift()!);
    expect(id).toBe(Buffer.alloc(16, 0x01).toString("base64url"));
    expect(draws).toEqual([]);
    expect(Buffer.alloc(16, 0xf8).toString("base64url")[0]).toBe("-");
    for (let i = 0; i < 200; i++) expect(newKraftClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
