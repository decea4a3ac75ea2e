// The cluster's own answers to "who leads t-0?", "who is the controller?", "is broker 2 still
// registered?", "what is t-0's ISR?": metadata from one chosen healthy broker, ephemerals and
// partition states from ZooKeeper. Faults resolve their targets and the failover watch measures
// recovery through this, never through guesses.
//
// Partition states (ZooKeeper mode): the controller writes each partition's leader and ISR to
// /brokers/topics/<topic>/partitions/<p>/state, e.g. {"controller_epoch":1,"leader":2,"version":1,
// "leader_epoch":3,"isr":[2,3]}; that node is the truth, which brokers' metadata caches only follow
// when the controller reaches them (during a network cut, they may not). No JVM is started to read
// it: a ZooKeeper container's bash opens a session to its own server (127.0.0.1:2181) and sends the
// requests in ZooKeeper's wire format (jute), built and parsed here: connect, one getData per path,
// closeSession (the server then closes the connection). The replies come back base64-encoded.

import { controllerOf, readEphemerals, registeredBrokers, zkMode } from "../cluster/zookeeper-words.ts";
import { describeTopicPartitions, type PartitionLeaders } from "../protocol/describe-topic-partitions.ts";
import { type BrokerMetadata, fetchBrokerMetadata, keyOfPartition } from "./broker-metadata.ts";
import type { FaultableNode, NemesisCluster } from "./capabilities.ts";

export interface SourcedMetadata extends BrokerMetadata {
  /** The broker that answered. */
  from: string;
}

export interface ClusterProbe {
  /** Metadata from the first broker (in id order) that is not avoided and answers. */
  metadata(opts?: { avoid?: ReadonlySet<string>; topics?: readonly string[] }): Promise<SourcedMetadata>;
  /** Metadata from every broker not avoided that answers (in parallel); empty if none does. */
  metadataAll(opts?: { avoid?: ReadonlySet<string>; topics?: readonly string[] }): Promise<SourcedMetadata[]>;
  /** The controller's broker id, from ZooKeeper (/controller's session); from metadata if ZooKeeper cannot say. */
  controller(avoid?: ReadonlySet<string>): Promise<number>;
  /** Broker id → ZooKeeper session, for every broker registered under /brokers/ids (KRaft: id → "unfenced", from metadata). */
  registered(avoid?: ReadonlySet<string>): Promise<Map<number, string>>;
  /** The ZooKeeper node in Mode: leader. */
  zkLeader(avoid?: ReadonlySet<string>): Promise<string>;
  /**
   * Leader and ISR of these partitions as ZooKeeper holds them (key "t-0" → state; null when the
   * partition has no state node), from the first ZooKeeper node not avoided that answers. Rejects
   * when none does. Absent without ZooKeeper nodes (KRaft) and in test fakes: callers use metadata.
   */
  partitionStates?(
    partitions: readonly { topic: string; partition: number }[],
    avoid?: ReadonlySet<string>,
  ): Promise<Map<string, PartitionState | null>>;
  /**
   * ISR and eligible leader replicas of these topics' partitions (key "t-0"), through
   * DescribeTopicPartitions from the first broker not avoided that answers. KRaft only (ZooKeeper
   * mode has no ELR); rejects when no broker answers.
   */
  eligibleLeaders?(topics: readonly string[], avoid?: ReadonlySet<string>): Promise<Map<string, PartitionLeaders>>;
}

/** A partition's state node in ZooKeeper. */
export interface PartitionState {
  /** -1 when no leader. */
  leader: number;
  /** Sorted. */
  isr: number[];
  leaderEpoch: number;
  controllerEpoch: number;
}

const none: ReadonlySet<string> = new Set();

export function clusterProbe(cluster: NemesisCluster, opts: { timeoutMs?: number } = {}): ClusterProbe {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const zks = (avoid: ReadonlySet<string>) => cluster.zookeepers.filter((z) => !avoid.has(z.name));
  let lastZk: string | undefined;

  async function metadata(o: { avoid?: ReadonlySet<string>; topics?: readonly string[] } = {}): Promise<SourcedMetadata> {
    const avoid = o.avoid ?? none;
    const problems: string[] = [];
    for (const b of cluster.brokers.filter((x) => !avoid.has(x.name))) {
      try {
        return { ...(await fetchBrokerMetadata(portOf(b), o.topics, timeoutMs, b.externalHost, cluster.security)), from: b.name };
      } catch (err) {
        problems.push(`${b.name}: ${(err as Error).message}`);
      }
    }
    throw new Error(`no broker answered metadata (${problems.join("; ") || "all avoided"})`);
  }

  const probe: ClusterProbe = {
    metadata,
    async metadataAll(o = {}) {
      const avoid = o.avoid ?? none;
      const answers = await Promise.all(
        cluster.brokers
          .filter((x) => !avoid.has(x.name))
          .map((b) =>
            fetchBrokerMetadata(portOf(b), o.topics, timeoutMs, b.externalHost, cluster.security).then(
              (md) => ({ ...md, from: b.name }),
              () => undefined,
            ),
          ),
      );
      return answers.filter((a): a is SourcedMetadata => a !== undefined);
    },
    async controller(avoid = none) {
      let why: string;
      try {
        const id = controllerOf(await readEphemerals(zks(avoid)));
        if (id !== undefined) return id;
        why = "no /controller in ZooKeeper";
      } catch (err) {
        why = (err as Error).message;
      }
      const md = await metadata({ avoid, topics: [] });
      if (md.controller < 0) throw new Error(`no controller: ${why}; ${md.from} knows none either`);
      return md.controller;
    },
    async registered(avoid = none) {
      // KRaft has no /brokers/ids: a broker's metadata lists the registered, unfenced brokers.
      if (cluster.zookeepers.length === 0) {
        const md = await metadata({ avoid, topics: [] });
        return new Map(md.brokers.map((id) => [id, "unfenced"]));
      }
      return registeredBrokers(await readEphemerals(zks(avoid)));
    },
    async zkLeader(avoid = none) {
      for (const z of zks(avoid)) if ((await zkMode(z).catch(() => undefined)) === "leader") return z.name;
      throw new Error("no ZooKeeper node is leader");
    },
  };

  async function partitionStates(partitions: readonly { topic: string; partition: number }[], avoid: ReadonlySet<string> = none) {
    const paths = partitions.map((p) => partitionStatePath(p.topic, p.partition));
    const nodes = zks(avoid);
    // The node that answered last goes first: a cut-off or paused one costs a failed exec per poll.
    nodes.sort((a, b) => Number(b.name === lastZk) - Number(a.name === lastZk));
    const problems: string[] = [];
    for (const z of nodes) {
      try {
        const data = await zkGetData(z, paths);
        lastZk = z.name;
        return new Map<string, PartitionState | null>(
          partitions.map((p, i) => [keyOfPartition(p), data[i] === null ? null : parsePartitionState(data[i]!)]),
        );
      } catch (err) {
        problems.push(`${z.name}: ${(err as Error).message}`);
      }
    }
    throw new Error(`no ZooKeeper node gave partition states (${problems.join("; ") || "all avoided"})`);
  }

  async function eligibleLeaders(topics: readonly string[], avoid: ReadonlySet<string> = none) {
    const problems: string[] = [];
    for (const b of cluster.brokers.filter((x) => !avoid.has(x.name))) {
      try {
        const ps = await describeTopicPartitions(portOf(b), topics, timeoutMs, b.externalHost, cluster.security);
        return new Map(ps.map((p) => [keyOfPartition(p), p]));
      } catch (err) {
        problems.push(`${b.name}: ${(err as Error).message}`);
      }
    }
    throw new Error(`no broker described the partitions (${problems.join("; ") || "all avoided"})`);
  }

  return cluster.zookeepers.length ? { ...probe, partitionStates } : { ...probe, eligibleLeaders };
}

export const partitionStatePath = (topic: string, partition: number) => `/brokers/topics/${topic}/partitions/${partition}/state`;

/** The JSON of a state node, e.g. {"controller_epoch":1,"leader":2,"version":1,"leader_epoch":3,"isr":[2,3]}. */
export function parsePartitionState(json: string): PartitionState {
  const o = JSON.parse(json) as { leader?: unknown; isr?: unknown; leader_epoch?: unknown; controller_epoch?: unknown };
  if (typeof o.leader !== "number" || !Array.isArray(o.isr) || !o.isr.every((x) => typeof x === "number")) {
    throw new Error(`not a partition state: ${json.slice(0, 200)}`);
  }
  return {
    leader: o.leader,
    isr: [...(o.isr as number[])].sort((a, b) => a - b),
    leaderEpoch: typeof o.leader_epoch === "number" ? o.leader_epoch : -1,
    controllerEpoch: typeof o.controller_epoch === "number" ? o.controller_epoch : -1,
  };
}

const ZK_GET_DATA = 4;
const ZK_CLOSE_SESSION = -11;
const ZK_NO_NODE = -101;

/**
 * What the client sends, in one go: a ConnectRequest (protocol 0, no zxid seen, session timeout,
 * no session, empty password, not read-only), then getData(path, no watch) with xid 1..n, then
 * closeSession with xid n+1. Each frame is prefixed by its int32 length. The server holds the
 * requests until the session exists, and answers them in order.
 */
export function encodeZkGetData(paths: readonly string[], sessionTimeoutMs = 6000): Buffer {
  const frame = (body: Buffer) => {
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length);
    return Buffer.concat([size, body]);
  };
  const i32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  const zero64 = Buffer.alloc(8);
  const connect = frame(Buffer.concat([i32(0), zero64, i32(sessionTimeoutMs), zero64, i32(16), Buffer.alloc(16), Buffer.from([0])]));
  const gets = paths.map((path, i) => {
    const p = Buffer.from(path, "utf8");
    return frame(Buffer.concat([i32(i + 1), i32(ZK_GET_DATA), i32(p.length), p, Buffer.from([0])]));
  });
  const close = frame(Buffer.concat([i32(paths.length + 1), i32(ZK_CLOSE_SESSION)]));
  return Buffer.concat([connect, ...gets, close]);
}

/**
 * Parses what the server sent back for encodeZkGetData(paths): the ConnectResponse, then one reply
 * per path (ReplyHeader xid, zxid, err; on success the data as an int32-length buffer, then a Stat).
 * Returns each path's data as text (null for a missing node). Throws when the session was refused
 * (a server without quorum closes the connection at once) or a reply is missing or failed.
 */
export function decodeZkGetData(buf: Buffer, paths: readonly string[]): (string | null)[] {
  const frames: Buffer[] = [];
  for (let o = 0; o + 4 <= buf.length; ) {
    const n = buf.readInt32BE(o);
    if (n < 0 || o + 4 + n > buf.length) break;
    frames.push(buf.subarray(o + 4, o + 4 + n));
    o += 4 + n;
  }
  if (frames.length === 0) throw new Error("no session (the server closed the connection: not serving?)");
  const [connect, ...replies] = frames;
  if (connect!.length < 16 || connect!.readInt32BE(4) <= 0) throw new Error("session refused");
  const out: (string | null)[] = paths.map(() => null);
  const seen = new Set<number>();
  for (const r of replies) {
    if (r.length < 16) continue;
    const xid = r.readInt32BE(0);
    const err = r.readInt32BE(12);
    if (xid < 1 || xid > paths.length) continue; // closeSession's reply, or a notification
    seen.add(xid);
    if (err === ZK_NO_NODE) continue;
    if (err !== 0) throw new Error(`getData ${paths[xid - 1]}: ZooKeeper error ${err}`);
    const n = r.readInt32BE(16);
    out[xid - 1] = n < 0 ? null : r.toString("utf8", 20, 20 + n);
  }
  const missing = paths.filter((_, i) => !seen.has(i + 1));
  if (missing.length) throw new Error(`no reply for ${missing.join(", ")}`);
  return out;
}

/** The bash one-liner run inside a ZooKeeper container: send the request bytes, print the replies in base64 between markers. */
export function zkGetDataCommand(request: Buffer, timeoutSeconds = 5): string[] {
  return [
    "timeout",
    String(timeoutSeconds),
    "bash",
    "-c",
    `exec 3<>/dev/tcp/127.0.0.1/2181 || exit 1; echo ${request.toString("base64")} | base64 -d >&3; printf 'ZK<'; base64 -w0 <&3; printf '>ZK'`,
  ];
}

/** The data of each path, read through a session opened inside this ZooKeeper node's container. */
async function zkGetData(node: Pick<FaultableNode, "exec">, paths: readonly string[]): Promise<(string | null)[]> {
  const r = await node.exec(zkGetDataCommand(encodeZkGetData(paths)));
  const m = /ZK<([A-Za-z0-9+/=]*)>ZK/.exec(r.output);
  if (!m) throw new Error(`no reply (exit ${r.exitCode}: ${r.output.trim().slice(0, 200)})`);
  return decodeZkGetData(Buffer.from(m[1]!, "base64"), paths);
}

function portOf(b: FaultableNode): number {
  if (!b.externalPort) throw new Error(`${b.name} has no external port`);
  return b.externalPort;
}
