// A partition's end offsets at either isolation level, through ListOffsets (API key 2, v2: the first
// version with an isolation level; not flexible) sent to its leader. kafkajs's admin asks only at
// read_committed, which answers the last stable offset (LSO): the end of what a read_committed
// consumer may read, held back by the first open transaction. read_uncommitted answers the high
// watermark (HW): every record every in-sync replica has. The final reads need both.
import { ProtocolReader, protocolWriter, roundTrip, sizePrefixed } from "./framing.ts";
import type { ClientSecurity } from "./security.ts";

export type OffsetIsolation = "read_uncommitted" | "read_committed";

const API_KEY = 2;
const API_VERSION = 2;
/** ListOffsets' timestamp for "the end of the log" (at the request's isolation level). */
const LATEST = -1n;

/** The request frame (size prefix included): the latest offset of each partition of `topic`. Pure. */
export function encodeListOffsets(
  correlationId: number,
  isolation: OffsetIsolation,
  topic: string,
  partitions: readonly number[],
  clientId = "kafka-harness",
): Buffer {
  const w = protocolWriter();
  // header v1: api key, version, correlation id, client id
  w.i16(API_KEY);
  w.i16(API_VERSION);
  w.i32(correlationId);
  w.str(clientId);
  w.i32(-1); // replica id: a consumer
  w.i8(isolation === "read_committed" ? 1 : 0);
  w.i32(1);
  w.str(topic);
  w.i32(partitions.length);
  for (const p of partitions) {
    w.i32(p);
    w.i64(LATEST);
  }
  return sizePrefixed(w.bytes());
}

export interface PartitionOffset {
  topic: string;
  partition: number;
  errorCode: number;
  offset: number;
}

/** Parses a v2 response frame without its size prefix. Pure. */
export function decodeListOffsets(buf: Buffer): { correlationId: number; partitions: PartitionOffset[] } {
  const r = new ProtocolReader(buf, "ListOffsets");
  const correlationId = r.i32();
  r.i32(); // throttle time
  const partitions: PartitionOffset[] = [];
  r.array(() => {
    const topic = r.str() ?? "";
    r.array(() => {
      const partition = r.i32();
      const errorCode = r.i16();
      r.i64(); // timestamp
      partitions.push({ topic, partition, errorCode, offset: Number(r.i64()) });
    });
  });
  return { correlationId, partitions };
}

let nextCorrelation = 1;

/** The end offset of each of `partitions` (which `address` leads) at `isolation`; throws when the
 *  broker answers a partition with an error (e.g. it no longer leads it). */
export async function listEndOffsets(
  address: { host: string; port: number },
  isolation: OffsetIsolation,
  topic: string,
  partitions: readonly number[],
  timeoutMs = 5000,
  security?: ClientSecurity,
): Promise<Map<number, number>> {
  const correlationId = nextCorrelation++ & 0x7fffffff;
  const request = encodeListOffsets(correlationId, isolation, topic, partitions);
  const r = decodeListOffsets(await roundTrip(address.port, request, "ListOffsets", timeoutMs, address.host, security));
  if (r.correlationId !== correlationId) throw new Error(`ListOffsets: correlation id ${r.correlationId}, expected ${correlationId}`);
  const out = new Map<number, number>();
  for (const p of r.partitions) {
    if (p.topic !== topic) continue;
    if (p.errorCode !== 0)
      throw new Error(`ListOffsets: ${topic}-${p.partition} has error code ${p.errorCode} at ${address.host}:${address.port}`);
    out.set(p.partition, p.offset);
  }
  const missing = partitions.filter((p) => !out.has(p));
  if (missing.length) throw new Error(`ListOffsets: no answer for ${missing.map((p) => `${topic}-${p}`).join(", ")}`);
  return out;
}
