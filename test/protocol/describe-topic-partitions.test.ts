import { describe, expect, it } from "vitest";
import { decodeDescribeTopicPartitions, encodeDescribeTopicPartitions } from "../../harness/protocol/describe-topic-partitions.ts";
import { protocolWriter } from "../../harness/protocol/framing.ts";

/** A v0 response body (no size prefix) as a broker writes it. `elr` null: a null compact array. */
function response(
  topic: string,
  parts: { index: number; leader: number; isr: number[]; elr: number[] | null; lastKnown: number[] | null; error?: number }[],
  topicError = 0,
): Buffer {
  const w = protocolWriter();
  const ids = (xs: number[] | null) => {
    w.uvarint(xs === null ? 0 : xs.length + 1);
    for (const x of xs ?? []) w.i32(x);
  };
  w.i32(9); // correlation id
  w.uvarint(0); // header tags
  w.i32(0); // throttle
  w.uvarint(2); // one topic
  w.i16(topicError);
  const name = Buffer.from(topic);
  w.uvarint(name.length + 1);
  w.raw(name);
  w.i64(1n);
  w.i64(2n); // topic id
  w.i8(0);
  w.uvarint(parts.length + 1);
  for (const p of parts) {
    w.i16(p.error ?? 0);
    w.i32(p.index);
    w.i32(p.leader);
    w.i32(4); // leader epoch
    ids([1, 2, 3]);
    ids(p.isr);
    ids(p.elr);
    ids(p.lastKnown);
    ids([]);
    w.uvarint(0);
  }
  w.i32(-2147483648); // authorized operations
  w.uvarint(0);
  w.i8(-1); // no next cursor
  w.uvarint(0);
  return w.bytes();
}

describe("DescribeTopicPartitions wire format (v0)", () => {
  it("encodes the request: api key 75, v0, the topics, no cursor", () => {
    const b = encodeDescribeTopicPartitions(7, ["t", "u"]);
    expect(b.readInt32BE(0)).toBe(b.length - 4);
    expect(b.readInt16BE(4)).toBe(75);
    expect(b.readInt16BE(6)).toBe(0);
    expect(b.readInt32BE(8)).toBe(7);
    // client id, header tags, 2 topics (compact: 3), "t" (compact length 2), its tags, "u", its tags, limit, cursor -1, tags
    const body = b.subarray(12 + 2 + "kafka-harness".length + 1);
    expect([...body]).toEqual([3, 2, 0x74, 0, 2, 0x75, 0, 0, 0, 0x07, 0xd0, 0xff, 0]);
  });

  it("decodes ISR, eligible leader replicas and the last known ELR per partition; null arrays read as empty", () => {
    const got = decodeDescribeTopicPartitions(
      response("t", [
        { index: 0, leader: -1, isr: [], elr: [2], lastKnown: [1] },
        { index: 1, leader: 3, isr: [3, 1], elr: null, lastKnown: null },
      ]),
    );
    expect(got).toEqual([
      { topic: "t", partition: 0, leader: -1, isr: [], elr: [2], lastKnownElr: [1] },
      { topic: "t", partition: 1, leader: 3, isr: [3, 1], elr: [], lastKnownElr: [] },
    ]);
  });

  it("a topic's or a partition's error code is an error naming it", () => {
    expect(() => decodeDescribeTopicPartitions(response("t", [], 3))).toThrow(/topic t has error code 3/);
    expect(() =>
      decodeDescribeTopicPartitions(response("t", [{ index: 2, leader: 1, isr: [1], elr: null, lastKnown: null, error: 9 }])),
    ).toThrow(/t-2 has error code 9/);
  });
});
