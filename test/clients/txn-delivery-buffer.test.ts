import { describe, expect, it } from "vitest";
import { DeliveryBuffer } from "../../harness/clients/txn-delivery-buffer.ts";

describe("txn delivery buffer (what a poll micro-op returns from a push consumer)", () => {
  it("a poll drains every parked batch, per key in offset order, and positions advance", async () => {
    const b = new DeliveryBuffer();
    await b.put(
      "t-0",
      [
        [0, 10],
        [1, 11],
      ],
      b.epochOf("t-0"),
    );
    await b.put("t-1", [[5, 3]], b.epochOf("t-1"));
    await b.put("t-0", [[2, 12]], b.epochOf("t-0"));
    expect(b.drain()).toEqual({
      "t-0": [
        [0, 10],
        [1, 11],
        [2, 12],
      ],
      "t-1": [[5, 3]],
    });
    expect([...b.positions]).toEqual([
      ["t-0", 3],
      ["t-1", 6],
    ]);
    expect(b.drain()).toEqual({});
  });

  it("drops records below the position (carried over from a predecessor)", async () => {
    const b = new DeliveryBuffer(new Map([["t-0", 2]]));
    await b.put(
      "t-0",
      [
        [1, 11],
        [2, 12],
        [3, 13],
      ],
      0,
    );
    expect(b.drain()).toEqual({
      "t-0": [
        [2, 12],
        [3, 13],
      ],
    });
  });

  it("a seek discards what was fetched before it, parked or still on its way", async () => {
    const b = new DeliveryBuffer();
    await b.put(
      "t-0",
      [
        [0, 10],
        [1, 11],
      ],
      0,
    );
    expect(b.drain()).toEqual({
      "t-0": [
        [0, 10],
        [1, 11],
      ],
    });
    await b.put("t-0", [[2, 12]], 0);
    const staleEpoch = b.epochOf("t-0"); // a fetch that started before the seek
    b.seek("t-0", 1);
    await b.put("t-0", [[3, 13]], staleEpoch);
    expect(b.drain()).toEqual({});
    await b.put(
      "t-0",
      [
        [1, 11],
        [2, 12],
      ],
      b.epochOf("t-0"),
    );
    expect(b.drain()).toEqual({
      "t-0": [
        [1, 11],
        [2, 12],
      ],
    });
  });

  it("a key with maxParked records parked holds its fetcher until a poll takes them", async () => {
    const b = new DeliveryBuffer(undefined, 2);
    let held = true;
    await b.put(
      "t-0",
      [
        [0, 1],
        [1, 2],
      ],
      0,
    );
    const p = b.put("t-0", [[2, 3]], 0).then(() => (held = false));
    await new Promise((r) => setTimeout(r, 20));
    expect(held).toBe(true);
    expect(b.drain()["t-0"]).toHaveLength(3);
    await p;
    expect(held).toBe(false);
  });

  it("waitForData returns when something is parked, or after the bound", async () => {
    const b = new DeliveryBuffer();
    await b.waitForData(30);
    expect(b.hasData).toBe(false);
    const waiting = b.waitForData(60_000);
    void b.put("t-0", [[0, 1]], 0);
    await waiting;
    expect(b.hasData).toBe(true);
    b.close();
    expect(b.hasData).toBe(false);
  });
});

describe("a copier's delivery buffer (holdUntilSettled)", () => {
  it("holds the batches a poll took until settle(): kafkajs's handler returns only after the copy ended", async () => {
    const b = new DeliveryBuffer(undefined, 500, true);
    let released = false;
    void b.put("t-0", [[0, 1]], b.epochOf("t-0")).then(() => (released = true));
    expect(b.drain()).toEqual({ "t-0": [[0, 1]] });
    await new Promise((r) => setTimeout(r, 5));
    expect(released).toBe(false);
    b.settle();
    await new Promise((r) => setTimeout(r, 0));
    expect(released).toBe(true);
  });

  it("forgetAll: after a rejoin a key is handed out from wherever the group resumes it, and what was parked goes", async () => {
    const b = new DeliveryBuffer(new Map([["t-0", 10]]), 500, true);
    void b.put("t-0", [[10, 1]], b.epochOf("t-0"));
    b.forgetAll();
    expect(b.drain()).toEqual({});
    void b.put("t-0", [[4, 7]], b.epochOf("t-0"));
    expect(b.drain()).toEqual({ "t-0": [[4, 7]] });
    expect(b.positions.get("t-0")).toBe(5);
  });
});
