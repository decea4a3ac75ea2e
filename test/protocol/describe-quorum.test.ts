import { describe, expect, it } from "vitest";
import { decodeDescribeQuorum, encodeDescribeQuorum } from "../../harness/protocol/describe-quorum.ts";

describe("DescribeQuorum wire format (v1)", () => {
  it("encodes the request for __cluster_metadata partition 0", () => {
    const b = encodeDescribeQuorum(7, "x");
    expect(b.readInt32BE(0)).toBe(b.length - 4);
    expect(b.readInt16BE(4)).toBe(55);
    expect(b.readInt16BE(6)).toBe(1);
    expect(b.readInt32BE(8)).toBe(7);
    expect(b.subarray(12).toString("latin1")).toContain("__cluster_metadata");
  });

  it("decodes a response (leader, voters, observers)", () => {
    const i16 = (n: number) => {
      const b = Buffer.alloc(2);
      b.writeInt16BE(n);
      return b;
    };
    const i32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeInt32BE(n);
      return b;
    };
    const i64 = (n: number) => {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(BigInt(n));
      return b;
    };
    const u = (n: number) => Buffer.from([n]);
    const replica = (id: number, leo: number) => Buffer.concat([i32(id), i64(leo), i64(5), i64(6), u(0)]);
    const topic = Buffer.from("__cluster_metadata");
    const res = Buffer.concat([
      i32(7),
      u(0),
      i16(0),
      u(2),
      u(topic.length + 1),
      topic,
      u(2),
      i32(0),
      i16(0),
      i32(102),
      i32(3),
      i64(103),
      u(3),
      replica(101, 103),
      replica(102, 103),
      u(2),
      replica(1, 100),
      u(0),
      u(0),
      u(0),
    ]);
    expect(decodeDescribeQuorum(res)).toEqual({
      leaderId: 102,
      leaderEpoch: 3,
      highWatermark: 103,
      voters: [
        { id: 101, logEndOffset: 103, lastCaughtUpTimestamp: 6 },
        { id: 102, logEndOffset: 103, lastCaughtUpTimestamp: 6 },
      ],
      observers: [{ id: 1, logEndOffset: 100, lastCaughtUpTimestamp: 6 }],
    });
  });

  it("a top-level error code is an error", () => {
    expect(() => decodeDescribeQuorum(Buffer.from([0, 0, 0, 7, 0, 0, 35]))).toThrow(/error code 35/);
  });
});
