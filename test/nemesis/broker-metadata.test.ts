import { describe, expect, it } from "vitest";
import {
  decodeMetadataResponse,
  encodeMetadataRequest,
  keyOfPartition,
  parseKey,
  protocolWriter,
} from "../../harness/nemesis/broker-metadata.ts";

/** Writes a Metadata v1 response body the way a broker does. */
function responseV1(o: {
  correlationId: number;
  brokers: number[];
  controller: number;
  topics: { name: string; partitions: [number, number, number[], number[]][] }[];
}): Buffer {
  const { i8, i16, i32, str, bytes } = protocolWriter();
  const ints = (xs: number[]) => {
    i32(xs.length);
    xs.forEach(i32);
  };
  i32(o.correlationId);
  i32(o.brokers.length);
  for (const b of o.brokers) {
    i32(b);
    str("127.0.0.1");
    i32(30000 + b);
    str(null);
  }
  i32(o.controller);
  i32(o.topics.length);
  for (const t of o.topics) {
    i16(0);
    str(t.name);
    i8(0);
    i32(t.partitions.length);
    for (const [p, leader, replicas, isr] of t.partitions) {
      i16(leader < 0 ? 5 : 0);
      i32(p);
      i32(leader);
      ints(replicas);
      ints(isr);
    }
  }
  return bytes();
}

describe("Kafka Metadata v1 on the wire", () => {
  it("encodes a request: size, api key 3, version 1, correlation id, client id, topics", () => {
    const b = encodeMetadataRequest(7, ["t"]);
    expect(b.readInt32BE(0)).toBe(b.length - 4);
    expect(b.readInt16BE(4)).toBe(3);
    expect(b.readInt16BE(6)).toBe(1);
    expect(b.readInt32BE(8)).toBe(7);
    const idLen = b.readInt16BE(12);
    expect(b.toString("utf8", 14, 14 + idLen)).toBe("kafka-harness-nemesis");
    expect(b.readInt32BE(14 + idLen)).toBe(1);
    expect(b.readInt16BE(18 + idLen)).toBe(1);
    expect(b.toString("utf8", 20 + idLen)).toBe("t");
  });

  it("asks for every topic with a null array", () => {
    const b = encodeMetadataRequest(1);
    expect(b.readInt32BE(b.length - 4)).toBe(-1);
  });

  it("decodes brokers, controller and partitions (sorted; replicas also in assignment order), leaderless ones included", () => {
    const r = decodeMetadataResponse(
      responseV1({
        correlationId: 9,
        brokers: [3, 1, 2],
        controller: 2,
        topics: [
          {
            name: "t",
            partitions: [
              [1, -1, [3, 1, 2], [1]],
              [0, 2, [2, 3, 1], [2, 3, 1]],
            ],
          },
          { name: "__consumer_offsets", partitions: [[0, 1, [1], [1]]] },
        ],
      }),
    );
    expect(r.correlationId).toBe(9);
    expect(r.metadata.brokers).toEqual([1, 2, 3]);
    expect(r.metadata.controller).toBe(2);
    expect(r.metadata.partitions).toEqual([
      { topic: "__consumer_offsets", partition: 0, leader: 1, replicas: [1], assigned: [1], isr: [1], errorCode: 0 },
      { topic: "t", partition: 0, leader: 2, replicas: [1, 2, 3], assigned: [2, 3, 1], isr: [1, 2, 3], errorCode: 0 },
      { topic: "t", partition: 1, leader: -1, replicas: [1, 2, 3], assigned: [3, 1, 2], isr: [1], errorCode: 5 },
    ]);
  });

  it("parses keys whose topic has dashes", () => {
    expect(parseKey("t-0")).toEqual({ topic: "t", partition: 0 });
    expect(parseKey("my-topic-12")).toEqual({ topic: "my-topic", partition: 12 });
    expect(keyOfPartition({ topic: "my-topic", partition: 12 })).toBe("my-topic-12");
    expect(() => parseKey("t")).toThrow(/topic-partition/);
  });
});
