// Moving replicas and leaders, as the kafka-reassign-partitions and kafka-leader-election tools do:
// AlterPartitionReassignments (API key 45, v0), ListPartitionReassignments (46, v0) and
// ElectLeaders (43, v2). All three are flexible versions (compact arrays, tagged fields), served by
// 3.9 and 4.x alike. kafkajs has no ElectLeaders and cannot cancel a reassignment (it refuses a
// null replica list), so the harness speaks them itself. In ZooKeeper mode they must reach the
// controller (NOT_CONTROLLER otherwise); a KRaft broker forwards them to the active controller.
// Also UnregisterBroker (64, v0; KRaft only), which a decommission sends once the broker is down so
// the controller forgets it (kafka-cluster.sh unregister).
import { flexibleRequest, ProtocolReader, type protocolWriter, roundTrip, sizePrefixed } from "./framing.ts";
import type { ClientSecurity } from "./security.ts";

export const API_ELECT_LEADERS = 43;
export const API_ALTER_REASSIGNMENTS = 45;
export const API_LIST_REASSIGNMENTS = 46;
export const API_UNREGISTER_BROKER = 64;
const CLIENT_ID = "kafka-harness-nemesis";

/** Kafka's error codes these answers carry that the nemesis tells apart. */
export const REPLICA_ERRORS = {
  NOT_CONTROLLER: 41,
  NO_REASSIGNMENT_IN_PROGRESS: 85,
  ELECTION_NOT_NEEDED: 84,
  PREFERRED_LEADER_NOT_AVAILABLE: 80,
  ELIGIBLE_LEADERS_NOT_AVAILABLE: 83,
  BROKER_ID_NOT_REGISTERED: 102,
} as const;

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** One partition's answer: 0 and null when it went through. */
export interface PartitionOutcome extends TopicPartition {
  errorCode: number;
  message: string | null;
}

/** A reassignment in progress: `replicas` is the union of the old and new sets while it moves. */
export interface OngoingReassignment extends TopicPartition {
  replicas: number[];
  adding: number[];
  removing: number[];
}

/** A top-level error (the whole request refused): its code, for NOT_CONTROLLER retries. */
export class ReplicaRequestError extends Error {
  constructor(
    readonly what: string,
    readonly errorCode: number,
    message: string | null,
  ) {
    super(`${what} failed with error code ${errorCode}${message ? `: ${message}` : ""}`);
  }
}

/** Topics in first-seen order, each with its items: the requests group partitions by topic. */
function byTopic<T extends TopicPartition>(items: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) m.set(it.topic, [...(m.get(it.topic) ?? []), it]);
  return m;
}

const header = (apiKey: number, version: number, correlationId: number) => flexibleRequest(apiKey, version, correlationId, CLIENT_ID);

/** null replicas cancel the partition's reassignment in progress. Pure. */
export function encodeAlterReassignments(
  correlationId: number,
  moves: readonly (TopicPartition & { replicas: readonly number[] | null })[],
  timeoutMs: number,
): Buffer {
  const w = header(API_ALTER_REASSIGNMENTS, 0, correlationId);
  w.i32(timeoutMs);
  const topics = byTopic(moves);
  w.uvarint(topics.size + 1);
  for (const [topic, ps] of topics) {
    w.compactStr(topic);
    w.uvarint(ps.length + 1);
    for (const p of ps) {
      w.i32(p.partition);
      if (p.replicas === null) w.uvarint(0);
      else {
        w.uvarint(p.replicas.length + 1);
        for (const r of p.replicas) w.i32(r);
      }
      w.uvarint(0);
    }
    w.uvarint(0);
  }
  w.uvarint(0);
  return sizePrefixed(w.bytes());
}

/** Topics and their partition numbers, as the three requests list them (compact arrays, tagged). */
function writeTopicPartitions(w: ReturnType<typeof protocolWriter>, partitions: readonly TopicPartition[]): void {
  const topics = byTopic(partitions);
  w.uvarint(topics.size + 1);
  for (const [topic, ps] of topics) {
    w.compactStr(topic);
    w.uvarint(ps.length + 1);
    for (const p of ps) w.i32(p.partition);
    w.uvarint(0);
  }
}

/** A response read past its head (correlation id, tags, throttle, top-level error and, where the
 *  version has one, its message); throws ReplicaRequestError on a top-level error. */
function responseBody(buf: Buffer, api: string, hasMessage: boolean): ProtocolReader {
  const r = new ProtocolReader(buf, api);
  r.i32(); // correlation id
  r.tags();
  r.i32(); // throttle
  const error = r.i16();
  const message = hasMessage ? r.compactNullableString() : null;
  if (error !== 0) throw new ReplicaRequestError(api, error, message);
  return r;
}

/** The per-partition outcomes both AlterPartitionReassignments and ElectLeaders answer with. */
function readOutcomes(r: ProtocolReader): PartitionOutcome[] {
  const out: PartitionOutcome[] = [];
  for (let t = r.compactLength(); t > 0; t--) {
    const topic = r.compactString();
    for (let p = r.compactLength(); p > 0; p--) {
      const partition = r.i32();
      const errorCode = r.i16();
      out.push({ topic, partition, errorCode, message: r.compactNullableString() });
      r.tags();
    }
    r.tags();
  }
  return out;
}

/** Per-partition outcomes; throws ReplicaRequestError on a top-level error. Pure. */
export function decodeAlterReassignments(buf: Buffer): PartitionOutcome[] {
  const r = responseBody(buf, "AlterPartitionReassignments", true);
  return readOutcomes(r);
}

/** partitions undefined: every reassignment in progress. Pure. */
export function encodeListReassignments(
  correlationId: number,
  partitions: readonly TopicPartition[] | undefined,
  timeoutMs: number,
): Buffer {
  const w = header(API_LIST_REASSIGNMENTS, 0, correlationId);
  w.i32(timeoutMs);
  if (partitions === undefined) w.uvarint(0);
  else writeTopicPartitions(w, partitions);
  w.uvarint(0);
  return sizePrefixed(w.bytes());
}

export function decodeListReassignments(buf: Buffer): OngoingReassignment[] {
  const r = responseBody(buf, "ListPartitionReassignments", true);
  const ints = () => Array.from({ length: r.compactLength() }, () => r.i32());
  const out: OngoingReassignment[] = [];
  for (let t = r.compactLength(); t > 0; t--) {
    const topic = r.compactString();
    for (let p = r.compactLength(); p > 0; p--) {
      const partition = r.i32();
      const replicas = ints();
      const adding = ints();
      const removing = ints();
      r.tags();
      out.push({ topic, partition, replicas, adding, removing });
    }
    r.tags();
  }
  return out;
}

/** ElectionType 0: the preferred replica (the first of the assignment), when it is in the ISR. Pure. */
export function encodeElectLeaders(correlationId: number, partitions: readonly TopicPartition[], timeoutMs: number): Buffer {
  const w = header(API_ELECT_LEADERS, 2, correlationId);
  w.i8(0);
  writeTopicPartitions(w, partitions);
  w.i32(timeoutMs);
  w.uvarint(0);
  return sizePrefixed(w.bytes());
}

export function decodeElectLeaders(buf: Buffer): PartitionOutcome[] {
  const r = responseBody(buf, "ElectLeaders", false);
  return readOutcomes(r);
}

/** UnregisterBroker v0: the broker id, no tags. Pure. */
export function encodeUnregisterBroker(correlationId: number, brokerId: number): Buffer {
  const w = header(API_UNREGISTER_BROKER, 0, correlationId);
  w.i32(brokerId);
  w.uvarint(0);
  return sizePrefixed(w.bytes());
}

/** Throws ReplicaRequestError when refused (BROKER_ID_NOT_REGISTERED: 102). Pure. */
export function decodeUnregisterBroker(buf: Buffer): void {
  responseBody(buf, "UnregisterBroker", true);
}

let nextCorrelation = 1;
const correlation = () => nextCorrelation++ & 0x7fffffff;

/** Where the requests go: a broker's client listener. */
export interface BrokerAddress {
  port: number;
  host?: string;
  security?: ClientSecurity;
}

export async function alterReassignments(
  to: BrokerAddress,
  moves: readonly (TopicPartition & { replicas: readonly number[] | null })[],
  timeoutMs = 10_000,
): Promise<PartitionOutcome[]> {
  const req = encodeAlterReassignments(correlation(), moves, timeoutMs);
  return decodeAlterReassignments(await roundTrip(to.port, req, "AlterPartitionReassignments", timeoutMs + 2000, to.host, to.security));
}

export async function listReassignments(
  to: BrokerAddress,
  partitions?: readonly TopicPartition[],
  timeoutMs = 5000,
): Promise<OngoingReassignment[]> {
  const req = encodeListReassignments(correlation(), partitions, timeoutMs);
  return decodeListReassignments(await roundTrip(to.port, req, "ListPartitionReassignments", timeoutMs + 2000, to.host, to.security));
}

export async function electPreferredLeaders(
  to: BrokerAddress,
  partitions: readonly TopicPartition[],
  timeoutMs = 10_000,
): Promise<PartitionOutcome[]> {
  const req = encodeElectLeaders(correlation(), partitions, timeoutMs);
  return decodeElectLeaders(await roundTrip(to.port, req, "ElectLeaders", timeoutMs + 2000, to.host, to.security));
}

export async function unregisterBroker(to: BrokerAddress, brokerId: number, timeoutMs = 10_000): Promise<void> {
  const req = encodeUnregisterBroker(correlation(), brokerId);
  decodeUnregisterBroker(await roundTrip(to.port, req, "UnregisterBroker", timeoutMs, to.host, to.security));
}
