// The replica-moving requests' wire format, read back field by field as a broker would read them,
// and their responses written as a broker writes them.
import { describe, expect, it } from "vitest";
import { ProtocolReader, protocolWriter } from "../../harness/protocol/framing.ts";
import {
  decodeAlterReassignments,
  decodeElectLeaders,
  decodeListReassignments,
  decodeUnregisterBroker,
  encodeAlterReassignments,
  encodeElectLeaders,
  encodeListReassignments,
  encodeUnregisterBroker,
  ReplicaRequestError,
} from "../../harness/protocol/replicas.ts";

/** Reads a request frame's size and header v2; returns the reader at the body. */
function header(frame: Buffer) {
  expect(frame.readInt32BE(0)).toBe(frame.length - 4);
  const r = new ProtocolReader(frame.subarray(4));
  const h = { apiKey: r.i16(), version: r.i16(), correlationId: r.i32(), clientId: r.str() };
  r.tags();
  return { r, h };
}
const ints = (r: ProtocolReader) => Array.from({ length: r.compactLength() }, () => r.i32());

describe("ElectLeaders (API key 43, v2)", () => {
  it("encodes a preferred election for partitions grouped by topic", () => {
    const { r, h } = header(
      encodeElectLeaders(
        5,
        [
          { topic: "t", partition: 0 },
          { topic: "u", partition: 2 },
          { topic: "t", partition: 1 },
        ],
        9000,
      ),
    );
    expect(h).toEqual({ apiKey: 43, version: 2, correlationId: 5, clientId: "kafka-harness-nemesis" });
    expect(r.i8()).toBe(0); // ElectionType: preferred
    const topics: Array<[string, number[]]> = [];
    for (let n = r.compactLength(); n > 0; n--) {
      topics.push([r.compactString(), ints(r)]);
      r.tags();
    }
    expect(topics).toEqual([
      ["t", [0, 1]],
      ["u", [2]],
    ]);
    expect(r.i32()).toBe(9000);
    r.tags();
  });

  it("decodes per-partition results, and throws on a top-level error", () => {
    const w = protocolWriter();
    w.i32(5); // correlation id
    w.uvarint(0); // header tags
    w.i32(0); // throttle
    w.i16(0);
    w.uvarint(2); // one topic
    w.uvarint(2);
    w.raw(Buffer.from("t"));
    w.uvarint(3); // two partitions
    w.i32(0);
    w.i16(0);
    w.uvarint(0); // null message
    w.uvarint(0);
    w.i32(1);
    w.i16(84);
    w.uvarint(4);
    w.raw(Buffer.from("not"));
    w.uvarint(0);
    w.uvarint(0);
    w.uvarint(0);
    expect(decodeElectLeaders(w.bytes())).toEqual([
      { topic: "t", partition: 0, errorCode: 0, message: null },
      { topic: "t", partition: 1, errorCode: 84, message: "not" },
    ]);
    const e = protocolWriter();
    e.i32(5);
    e.uvarint(0);
    e.i32(0);
    e.i16(41);
    e.uvarint(1);
    e.uvarint(0);
    expect(() => decodeElectLeaders(e.bytes())).toThrow(ReplicaRequestError);
  });
});

describe("AlterPartitionReassignments (45, v0) and ListPartitionReassignments (46, v0)", () => {
  it("encodes new replica lists in order, and null to cancel", () => {
    const { r, h } = header(
      encodeAlterReassignments(
        3,
        [
          { topic: "t", partition: 0, replicas: [3, 1, 4] },
          { topic: "t", partition: 1, replicas: null },
        ],
        7000,
      ),
    );
    expect(h).toMatchObject({ apiKey: 45, version: 0, correlationId: 3 });
    expect(r.i32()).toBe(7000);
    expect(r.compactLength()).toBe(1);
    expect(r.compactString()).toBe("t");
    expect(r.compactLength()).toBe(2);
    expect(r.i32()).toBe(0);
    expect(ints(r)).toEqual([3, 1, 4]);
    r.tags();
    expect(r.i32()).toBe(1);
    expect(r.uvarint()).toBe(0); // null: cancel
    r.tags();
    r.tags();
    r.tags();
  });

  it("decodes the per-partition outcomes", () => {
    const w = protocolWriter();
    w.i32(3);
    w.uvarint(0);
    w.i32(0);
    w.i16(0);
    w.uvarint(0); // null top-level message
    w.uvarint(2);
    w.uvarint(2);
    w.raw(Buffer.from("t"));
    w.uvarint(2);
    w.i32(1);
    w.i16(85);
    w.uvarint(0);
    w.uvarint(0);
    w.uvarint(0);
    w.uvarint(0);
    expect(decodeAlterReassignments(w.bytes())).toEqual([{ topic: "t", partition: 1, errorCode: 85, message: null }]);
  });

  it("lists all reassignments with a null topic array, and decodes the adding and removing replicas", () => {
    const { r, h } = header(encodeListReassignments(4, undefined, 5000));
    expect(h).toMatchObject({ apiKey: 46, version: 0 });
    expect(r.i32()).toBe(5000);
    expect(r.uvarint()).toBe(0);
    const w = protocolWriter();
    w.i32(4);
    w.uvarint(0);
    w.i32(0);
    w.i16(0);
    w.uvarint(0);
    w.uvarint(2);
    w.uvarint(2);
    w.raw(Buffer.from("t"));
    w.uvarint(2);
    w.i32(0);
    for (const xs of [[1, 2, 3, 4], [4], [1]]) {
      w.uvarint(xs.length + 1);
      for (const x of xs) w.i32(x);
    }
    w.uvarint(0);
    w.uvarint(0);
    w.uvarint(0);
    expect(decodeListReassignments(w.bytes())).toEqual([{ topic: "t", partition: 0, replicas: [1, 2, 3, 4], adding: [4], removing: [1] }]);
  });
});

describe("UnregisterBroker (API key 64, v0)", () => {
  it("encodes the broker id, and reads the answer: nothing when it went through, the error when refused", () => {
    const frame = encodeUnregisterBroker(9, 4);
    const { r, h } = header(frame);
    expect(h).toEqual({ apiKey: 64, version: 0, correlationId: 9, clientId: "kafka-harness-nemesis" });
    expect(r.i32()).toBe(4);
    r.tags();
    expect(frame.length).toBe(4 + 2 + 2 + 4 + 2 + "kafka-harness-nemesis".length + 1 + 4 + 1);

    const answer = (code: number, message?: string) => {
      const w = protocolWriter();
      w.i32(9); // correlation id
      w.uvarint(0); // header tags
      w.i32(0); // throttle
      w.i16(code);
      if (message === undefined) w.uvarint(0);
      else {
        w.uvarint(Buffer.byteLength(message) + 1);
        w.raw(Buffer.from(message));
      }
      w.uvarint(0);
      return w.bytes();
    };
    expect(() => decodeUnregisterBroker(answer(0))).not.toThrow();
    expect(() => decodeUnregisterBroker(answer(102, "Broker ID not registered"))).toThrow(
      new ReplicaRequestError("UnregisterBroker", 102, "Broker ID not registered"),
    );
  });
});
