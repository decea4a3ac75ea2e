import { describe, expect, it } from "vitest";
import { protocolWriter, sizePrefixed } from "../../harness/protocol/framing.ts";
import { decodeListOffsets, encodeListOffsets } from "../../harness/protocol/list-offsets.ts";

describe("ListOffsets wire format (v2)", () => {
  it("encodes the latest offset of each partition at the isolation level asked", () => {
    for (const [isolation, level] of [
      ["read_uncommitted", 0],
      ["read_committed", 1],
    ] as const) {
      const b = encodeListOffsets(7, isolation, "t", [0, 2], "x");
      expect(b.readInt32BE(0)).toBe(b.length - 4);
      expect(b.readInt16BE(4)).toBe(2); // api key
      expect(b.readInt16BE(6)).toBe(2); // version
      expect(b.readInt32BE(8)).toBe(7);
      // after the client id "x" (2 + 1 bytes): replica id -1, isolation level
      expect(b.readInt32BE(15)).toBe(-1);
      expect(b.readInt8(19)).toBe(level);
      // topics: 1, "t", partitions: 2 x (index, timestamp -1)
      expect(b.readInt32BE(20)).toBe(1);
      expect(b.readInt32BE(27)).toBe(2);
      expect([b.readInt32BE(31), b.readBigInt64BE(35), b.readInt32BE(43), b.readBigInt64BE(47)]).toEqual([0, -1n, 2, -1n]);
      expect(b.length).toBe(55);
    }
  });

  it("decodes a response: each partition's error code and offset", () => {
    const w = protocolWriter();
    w.i32(7); // correlation id
    w.i32(0); // throttle
    w.i32(1);
    w.str("t");
    w.i32(2);
    for (const [p, err, off] of [
      [0, 0, 42n],
      [2, 6, -1n],
    ] as const) {
      w.i32(p);
      w.i16(err);
      w.i64(-1n);
      w.i64(off);
    }
    const body = sizePrefixed(w.bytes()).subarray(4);
    expect(decodeListOffsets(body)).toEqual({
      correlationId: 7,
      partitions: [
        { topic: "t", partition: 0, errorCode: 0, offset: 42 },
        { topic: "t", partition: 2, errorCode: 6, offset: -1 },
      ],
    });
  });
});
