// Asks ONE broker for its metadata (Kafka Metadata API v1 over a raw socket to 127.0.0.1:port).
// kafkajs cannot do this: its admin sends each metadata request to a random broker of its pool, so
// during a partition it may ask the isolated broker, which still believes it leads. Failover times
// and target resolution need the view of a chosen, healthy broker.
import { ProtocolReader, protocolWriter, roundTrip, sizePrefixed } from "./framing.ts";
import type { ClientSecurity } from "./security.ts";

export interface PartitionMetadata {
  topic: string;
  partition: number;
  /** -1 when the partition has no leader. */
  leader: number;
  /** Sorted. */
  replicas: number[];
  /** The replicas in assignment order, the preferred leader first (absent where unknown: fakes). */
  assigned?: number[];
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
  return sizePrefixed(bytes());
}

/** Decodes a v1 response body (after the size prefix). */
export function decodeMetadataResponse(buf: Buffer): { correlationId: number; metadata: BrokerMetadata } {
  const r = new ProtocolReader(buf, "Metadata");
  const correlationId = r.i32();
  const brokers = r.array(() => {
    const id = r.i32();
    r.str(); // host
    r.i32(); // port
    r.str(); // rack
    return id;
  });
  const controller = r.i32();
  const partitions: PartitionMetadata[] = [];
  r.array(() => {
    r.i16(); // topic error code
    const topic = r.str() ?? "";
    r.i8(); // is_internal
    r.array(() => {
      const errorCode = r.i16();
      const partition = r.i32();
      const leader = r.i32();
      const assigned = r.array(() => r.i32());
      const replicas = [...assigned].sort((a, b) => a - b);
      const isr = r.array(() => r.i32()).sort((a, b) => a - b);
      partitions.push({ topic, partition, leader, replicas, assigned, isr, errorCode });
    });
  });
  partitions.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  return { correlationId, metadata: { brokers: brokers.sort((a, b) => a - b), controller, partitions } };
}

let nextCorrelation = 1;

/** One Metadata request to host:port (127.0.0.1 by default); rejects on error or after timeoutMs (a paused broker never answers). */
export async function fetchBrokerMetadata(
  port: number,
  topics?: readonly string[],
  timeoutMs = 2000,
  host = "127.0.0.1",
  security?: ClientSecurity,
): Promise<BrokerMetadata> {
  const correlationId = nextCorrelation++ & 0x7fffffff;
  const r = decodeMetadataResponse(
    await roundTrip(port, encodeMetadataRequest(correlationId, topics), "metadata", timeoutMs, host, security),
  );
  if (r.correlationId !== correlationId) throw new Error(`correlation id ${r.correlationId}, expected ${correlationId}`);
  return r.metadata;
}
