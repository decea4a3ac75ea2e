// Asks ONE broker for its metadata (Kafka Metadata API v1 over a raw socket to 127.0.0.1:port).
// kafkajs cannot do this: its admin sends each metadata request to a random broker of its pool, so
// during a partition it may ask the isolated broker, which still believes it leads. Failover times
// and target resolution need the view of a chosen, healthy broker.
import { Socket } from "node:net";

export interface PartitionMetadata {
  topic: string;
  partition: number;
  /** -1 when the partition has no leader. */
  leader: number;
  replicas: number[];
  isr: number[];
  errorCode: number;
}

export interface BrokerMetadata {
  brokers: number[];
  /** -1 when the broker knows no controller. */
  controller: number;
  partitions: PartitionMetadata[];
}

const API_METADATA = 3;
const VERSION = 1;
const CLIENT_ID = "kafka-harness-nemesis";

/** Writes Kafka's big-endian primitives (the request here; tests write responses with it). */
export function protocolWriter() {
  const parts: Buffer[] = [];
  const int = (bytes: 1 | 2 | 4) => (n: number) => {
    const b = Buffer.alloc(bytes);
    if (bytes === 1) b.writeInt8(n);
    else if (bytes === 2) b.writeInt16BE(n);
    else b.writeInt32BE(n);
    parts.push(b);
  };
  const i16 = int(2);
  /** A nullable string: int16 length (-1 for null), then UTF-8 bytes. */
  const str = (s: string | null) => {
    if (s === null) return i16(-1);
    const b = Buffer.from(s, "utf8");
    i16(b.length);
    parts.push(b);
  };
  return { i8: int(1), i16, i32: int(4), str, bytes: () => Buffer.concat(parts) };
}

/** The request frame: size, header v1 (api key, version, correlation id, client id), topics (null = all). */
export function encodeMetadataRequest(correlationId: number, topics?: readonly string[]): Buffer {
  const { i16, i32, str, bytes } = protocolWriter();
  i16(API_METADATA);
  i16(VERSION);
  i32(correlationId);
  str(CLIENT_ID);
  if (topics === undefined) i32(-1);
  else {
    i32(topics.length);
    topics.forEach(str);
  }
  const body = bytes();
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/** Decodes a v1 response body (after the size prefix). */
export function decodeMetadataResponse(buf: Buffer): { correlationId: number; metadata: BrokerMetadata } {
  let o = 0;
  const i8 = () => buf.readInt8((o += 1) - 1);
  const i16 = () => buf.readInt16BE((o += 2) - 2);
  const i32 = () => buf.readInt32BE((o += 4) - 4);
  const str = () => {
    const n = i16();
    if (n < 0) return null;
    const s = buf.toString("utf8", o, o + n);
    o += n;
    return s;
  };
  const array = <T>(item: () => T): T[] => {
    const n = i32();
    return n < 0 ? [] : Array.from({ length: n }, item);
  };
  const correlationId = i32();
  const brokers = array(() => {
    const id = i32();
    str(); // host
    i32(); // port
    str(); // rack
    return id;
  });
  const controller = i32();
  const partitions: PartitionMetadata[] = [];
  array(() => {
    i16(); // topic error code
    const topic = str() ?? "";
    i8(); // is_internal
    array(() => {
      const errorCode = i16();
      const partition = i32();
      const leader = i32();
      const replicas = array(i32).sort((a, b) => a - b);
      const isr = array(i32).sort((a, b) => a - b);
      partitions.push({ topic, partition, leader, replicas, isr, errorCode });
    });
  });
  partitions.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  return { correlationId, metadata: { brokers: brokers.sort((a, b) => a - b), controller, partitions } };
}

let nextCorrelation = 1;

/** One Metadata request to 127.0.0.1:port; rejects on error or after timeoutMs (a paused broker never answers). */
export function fetchBrokerMetadata(port: number, topics?: readonly string[], timeoutMs = 2000): Promise<BrokerMetadata> {
  const correlationId = nextCorrelation++ & 0x7fffffff;
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let got = Buffer.alloc(0);
    const done = (err: Error | undefined, md?: BrokerMetadata) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(md!);
    };
    const timer = setTimeout(() => done(new Error(`broker at 127.0.0.1:${port} did not answer metadata within ${timeoutMs} ms`)), timeoutMs);
    socket.on("error", (err) => done(new Error(`metadata from 127.0.0.1:${port}: ${err.message}`)));
    socket.on("data", (chunk) => {
      got = Buffer.concat([got, chunk]);
      if (got.length < 4) return;
      const size = got.readInt32BE(0);
      if (got.length < 4 + size) return;
      try {
        const r = decodeMetadataResponse(got.subarray(4, 4 + size));
        if (r.correlationId !== correlationId) throw new Error(`correlation id ${r.correlationId}, expected ${correlationId}`);
        done(undefined, r.metadata);
      } catch (err) {
        done(err as Error);
      }
    });
    socket.connect(port, "127.0.0.1", () => socket.write(encodeMetadataRequest(correlationId, topics)));
  });
}

/** "t-0" → {topic: "t", partition: 0}; the topic may itself contain dashes. */
export function parseKey(key: string): { topic: string; partition: number } {
  const m = /^(.+)-(\d+)$/.exec(key);
  if (!m) throw new Error(`not a topic-partition key: ${JSON.stringify(key)} (expected like "t-0")`);
  return { topic: m[1]!, partition: Number(m[2]) };
}

export const keyOfPartition = (p: { topic: string; partition: number }) => `${p.topic}-${p.partition}`;
