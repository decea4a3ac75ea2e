// What a stand-in broker in these tests reads first of each request: its header (v1: api key,
// version, correlation id, client id), leaving the reader at the body, and a writer for the
// answer that starts with the request's correlation id, as Kafka's responses do.
import { ProtocolReader, protocolWriter } from "../../harness/protocol/framing.ts";

export function readRequest(frame: Buffer) {
  const r = new ProtocolReader(frame);
  const apiKey = r.i16();
  r.i16(); // version
  const correlationId = r.i32();
  r.str(); // client id
  const w = protocolWriter();
  w.i32(correlationId);
  return { apiKey, r, w };
}
