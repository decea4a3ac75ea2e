// Each partition's ISR and eligible leader replicas (ELR, KRaft 3.8+ with
// eligible.leader.replicas.version=1, on by default on 4.x) through DescribeTopicPartitions (API key
// 75, v0: flexible), which Metadata does not carry. The ELR are the replicas that left the ISR while
// it was below min.insync.replicas: each holds every write acknowledged until then, and the
// controller may elect one once the ISR is empty, unless it comes back from an unclean shutdown.
import { flexibleRequest, ProtocolReader, roundTrip, sizePrefixed } from "./framing.ts";
import type { ClientSecurity } from "./security.ts";

const API_KEY = 75;
const API_VERSION = 0;
/** The partitions one response may hold; the harness's topics have far fewer. */
const PARTITION_LIMIT = 2000;

export interface PartitionLeaders {
  topic: string;
  partition: number;
  leader: number;
  isr: number[];
  /** Empty when the cluster keeps none (ZooKeeper mode, or the feature off). */
  elr: number[];
  lastKnownElr: number[];
}

/** The request frame (size prefix included). Pure. */
export function encodeDescribeTopicPartitions(correlationId: number, topics: readonly string[], clientId = "kafka-harness"): Buffer {
  const w = flexibleRequest(API_KEY, API_VERSION, correlationId, clientId);
  w.uvarint(topics.length + 1);
  for (const t of topics) {
    w.compactStr(t);
    w.uvarint(0);
  }
  w.i32(PARTITION_LIMIT);
  w.i8(-1); // no cursor
  w.uvarint(0);
  return sizePrefixed(w.bytes());
}

/** Parses a response frame without its size prefix. Pure; throws on a topic's or partition's error code. */
export function decodeDescribeTopicPartitions(buf: Buffer): PartitionLeaders[] {
  const r = new ProtocolReader(buf, "DescribeTopicPartitions");
  r.i32(); // correlation id
  r.tags();
  r.i32(); // throttle time
  const out: PartitionLeaders[] = [];
  const ids = () => Array.from({ length: r.compactLength() }, () => r.i32());
  for (let t = r.compactLength(); t > 0; t--) {
    const error = r.i16();
    const topic = r.compactNullableString() ?? "";
    r.i64(); // topic id (a UUID: two longs)
    r.i64();
    r.i8(); // is internal
    if (error !== 0) throw new Error(`DescribeTopicPartitions: topic ${topic} has error code ${error}`);
    for (let p = r.compactLength(); p > 0; p--) {
      const perr = r.i16();
      const partition = r.i32();
      const leader = r.i32();
      r.i32(); // leader epoch
      ids(); // replicas
      const isr = ids();
      const elr = ids();
      const lastKnownElr = ids();
      ids(); // offline replicas
      r.tags();
      if (perr !== 0) throw new Error(`DescribeTopicPartitions: ${topic}-${partition} has error code ${perr}`);
      out.push({ topic, partition, leader, isr, elr, lastKnownElr });
    }
    r.i32(); // authorized operations
    r.tags();
  }
  return out;
}

/** Asks the broker at host:port for the partitions of `topics`. */
export async function describeTopicPartitions(
  port: number,
  topics: readonly string[],
  timeoutMs = 3000,
  host = "127.0.0.1",
  security?: ClientSecurity,
): Promise<PartitionLeaders[]> {
  const frame = encodeDescribeTopicPartitions(1, topics);
  return decodeDescribeTopicPartitions(await roundTrip(port, frame, "DescribeTopicPartitions", timeoutMs, host, security));
}
