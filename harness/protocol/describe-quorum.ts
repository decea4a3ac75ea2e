// The KRaft quorum as the controllers see it (leader, epoch, each voter's and observer's log end),
// through the DescribeQuorum request (API key 55) that the kafka-metadata-quorum tool sends. kafkajs
// has no such request, and starting that tool's JVM inside a container costs seconds on a small
// machine, so the request is built and parsed here (v1: flexible, compact arrays and tagged fields,
// served by 3.9 and 4.x alike). A broker forwards it to the active controller, so the address is a
// broker's client listener (127.0.0.1:<port>).
import { connect } from "node:net";

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
  const client = Buffer.from(clientId, "utf8");
  const topic = Buffer.from(METADATA_TOPIC, "utf8");
  const body = Buffer.concat([
    // header v2: api key, version, correlation id, client id (int16-length string), no tags
    int16(API_KEY), int16(API_VERSION), int32(correlationId), int16(client.length), client, uvarint(0),
    // topics: [ { name, partitions: [ { index 0 } ] } ]
    uvarint(2), uvarint(topic.length + 1), topic, uvarint(2), int32(0), uvarint(0), uvarint(0), uvarint(0),
  ]);
  return Buffer.concat([int32(body.length), body]);
}

/** Parses a response frame without its size prefix. Pure; throws on a Kafka error code. */
export function decodeDescribeQuorum(buf: Buffer): QuorumState {
  const r = new Reader(buf);
  r.int32(); // correlation id
  r.tags();
  const error = r.int16();
  if (error !== 0) throw new Error(`DescribeQuorum failed with error code ${error}`);
  let state: QuorumState | undefined;
  for (let t = r.compactLength(); t > 0; t--) {
    r.compactString();
    for (let p = r.compactLength(); p > 0; p--) {
      const index = r.int32();
      const perr = r.int16();
      const leaderId = r.int32();
      const leaderEpoch = r.int32();
      const highWatermark = Number(r.int64());
      const voters = r.replicas();
      const observers = r.replicas();
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
export function describeQuorum(port: number, timeoutMs = 3000, host = "127.0.0.1"): Promise<QuorumState> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    let got = 0;
    const done = (err: Error | undefined, value?: QuorumState) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    const timer = setTimeout(() => done(new Error(`DescribeQuorum to ${host}:${port}: no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on("connect", () => socket.write(encodeDescribeQuorum(1)));
    socket.on("data", (d) => {
      chunks.push(d);
      got += d.length;
      const all = Buffer.concat(chunks);
      if (got >= 4 && got >= 4 + all.readInt32BE(0)) {
        try {
          done(undefined, decodeDescribeQuorum(all.subarray(4, 4 + all.readInt32BE(0))));
        } catch (err) {
          done(err as Error);
        }
      }
    });
    socket.on("error", (err) => done(new Error(`DescribeQuorum to ${host}:${port}: ${err.message}`)));
    socket.on("close", () => done(new Error(`DescribeQuorum to ${host}:${port}: connection closed before an answer`)));
  });
}

const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
function uvarint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  int16() {
    const v = this.buf.readInt16BE(this.at);
    this.at += 2;
    return v;
  }
  int32() {
    const v = this.buf.readInt32BE(this.at);
    this.at += 4;
    return v;
  }
  int64() {
    const v = this.buf.readBigInt64BE(this.at);
    this.at += 8;
    return v;
  }
  uvarint() {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.at++];
      if (b === undefined) throw new Error("DescribeQuorum: response ends inside a varint");
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
      shift += 7;
    }
  }
  /** A compact array's element count (its length is stored plus one; 0 means null). */
  compactLength() {
    return Math.max(0, this.uvarint() - 1);
  }
  compactString() {
    const n = this.compactLength();
    const s = this.buf.toString("utf8", this.at, this.at + n);
    this.at += n;
    return s;
  }
  tags() {
    for (let n = this.uvarint(); n > 0; n--) {
      this.uvarint(); // tag
      this.at += this.uvarint(); // size, then skip the data
    }
  }
  replicas(): QuorumReplica[] {
    const out: QuorumReplica[] = [];
    for (let n = this.compactLength(); n > 0; n--) {
      const id = this.int32();
      const logEndOffset = Number(this.int64());
      this.int64(); // last fetch timestamp (v1)
      const lastCaughtUpTimestamp = Number(this.int64());
      this.tags();
      out.push({ id, logEndOffset, lastCaughtUpTimestamp });
    }
    return out;
  }
}
