// The KRaft quorum as the controllers see it (leader, epoch, each voter's and observer's log end),
// through the DescribeQuorum request (API key 55) that the kafka-metadata-quorum tool sends. kafkajs
// has no such request, and starting that tool's JVM inside a container costs seconds on a small
// machine, so the request is built and parsed here (v1: flexible, compact arrays and tagged fields,
// served by 3.9 and 4.x alike). A broker forwards it to the active controller, so the address is a
// broker's client listener (127.0.0.1:<port>).
import { flexibleRequest, ProtocolReader, roundTrip, sizePrefixed } from "./framing.ts";
import type { ClientSecurity } from "./security.ts";

export interface QuorumReplica {
  id: number;
  /** -1 when the replica has not fetched from the leader yet. */
  logEndOffset: number;
  /** ms since the epoch; -1 when unknown. */
  lastCaughtUpTimestamp: number;
}

export interface QuorumState {
  /** -1 when there is no leader (an election is on). */
  leaderId: number;
  leaderEpoch: number;
  highWatermark: number;
  voters: QuorumReplica[];
  /** Brokers (and any non-voting node) fetching the metadata log. */
  observers: QuorumReplica[];
}

const API_KEY = 55;
const API_VERSION = 1;
const METADATA_TOPIC = "__cluster_metadata";

/** The request frame (size prefix included). Pure. */
export function encodeDescribeQuorum(correlationId: number, clientId = "kafka-harness"): Buffer {
  const w = flexibleRequest(API_KEY, API_VERSION, correlationId, clientId);
  // topics: [ { name, partitions: [ { index 0 } ] } ]
  w.uvarint(2);
  w.compactStr(METADATA_TOPIC);
  w.uvarint(2);
  w.i32(0);
  w.uvarint(0);
  w.uvarint(0);
  w.uvarint(0);
  return sizePrefixed(w.bytes());
}

/** Parses a response frame without its size prefix. Pure; throws on a Kafka error code. */
export function decodeDescribeQuorum(buf: Buffer): QuorumState {
  const r = new ProtocolReader(buf, "DescribeQuorum");
  r.i32(); // correlation id
  r.tags();
  const error = r.i16();
  if (error !== 0) throw new Error(`DescribeQuorum failed with error code ${error}`);
  let state: QuorumState | undefined;
  for (let t = r.compactLength(); t > 0; t--) {
    r.compactString();
    for (let p = r.compactLength(); p > 0; p--) {
      const index = r.i32();
      const perr = r.i16();
      const leaderId = r.i32();
      const leaderEpoch = r.i32();
      const highWatermark = Number(r.i64());
      const voters = replicas(r);
      const observers = replicas(r);
      r.tags();
      if (perr !== 0) throw new Error(`DescribeQuorum: partition ${index} of ${METADATA_TOPIC} has error code ${perr}`);
      state ??= { leaderId, leaderEpoch, highWatermark, voters, observers };
    }
    r.tags();
  }
  if (!state) throw new Error(`DescribeQuorum: no ${METADATA_TOPIC} partition in the response`);
  return state;
}

/** Asks the broker at 127.0.0.1:port for the quorum's state. */
export async function describeQuorum(port: number, timeoutMs = 3000, host = "127.0.0.1", security?: ClientSecurity): Promise<QuorumState> {
  return decodeDescribeQuorum(await roundTrip(port, encodeDescribeQuorum(1), "DescribeQuorum", timeoutMs, host, security));
}

function replicas(r: ProtocolReader): QuorumReplica[] {
  const out: QuorumReplica[] = [];
  for (let n = r.compactLength(); n > 0; n--) {
    const id = r.i32();
    const logEndOffset = Number(r.i64());
    r.i64(); // last fetch timestamp (v1)
    const lastCaughtUpTimestamp = Number(r.i64());
    r.tags();
    out.push({ id, logEndOffset, lastCaughtUpTimestamp });
  }
  return out;
}
