// A read_committed Fetch through @platformatic/kafka's protocol layer, without its Consumer.fetch()
// post-processing. Consumer.fetch() runs the library's own aborted-record filter on every
// read_committed answer (consumer.js #filterUncommittedMessages), and that filter is wrong both ways
// (fetch.ts, docs/transactions.md): it hands out records of aborted transactions and it
// drops committed ones (seed 540873703: two committed records of one producer never read by anyone,
// the final reads included). So the harness's consumers send the Fetch themselves (the library's
// ConnectionPool and its Fetch v17 API, what Consumer.fetch() sends to a Kafka 3.9 or 4.x broker)
// and filter the answer by Kafka's rule (recordsOfPartition).
import { ConnectionPool, Consumer, fetchV17 } from "@platformatic/kafka";
import type { ClientSecurity } from "../../protocol/security.ts";
import { parseKey } from "../context.ts";
import { platformaticSecurity } from "./security.ts";

/** How long a Fetch waits at the broker for records. */
export const FETCH_WAIT_MS = 500;
let consumerSeq = 0;

/** The library's Consumer the harness's fetchers use for metadata only: its constructor needs a
 *  groupId, never joined (fetch() needs no group). */
export function assignOnlyConsumer(clientId: string, bootstrap: string[], groupPrefix: string, security?: ClientSecurity): Consumer {
  return new Consumer({
    ...platformaticSecurity(security),
    clientId,
    bootstrapBrokers: bootstrap,
    groupId: `${groupPrefix}-${process.pid}-${Date.now()}-${consumerSeq++}`,
    connectTimeout: 3000,
    requestTimeout: 10_000,
    retries: 1,
    retryDelay: 200,
    maxWaitTime: FETCH_WAIT_MS,
  });
}

export type FetchResponse = Awaited<ReturnType<typeof fetchV17.api.async>>;

export interface FetchPartition {
  partition: number;
  fetchOffset: bigint;
}

export class RawFetcher {
  private readonly pool: ConnectionPool;

  constructor(clientId: string, opts: { connectTimeout: number; requestTimeout: number }, security?: ClientSecurity) {
    this.pool = new ConnectionPool(clientId, { ...opts, ...platformaticSecurity(security) });
  }

  /** One Fetch request to a broker; a partition-level error throws a ResponseError whose `response`
   *  still holds every partition (as Consumer.fetch()). No leader-epoch checks (epochs -1). */
  async fetch(
    broker: { host: string; port: number },
    opts: { maxWaitMs: number; readCommitted: boolean; topicId: string; partitions: FetchPartition[] },
  ): Promise<FetchResponse> {
    const connection = await this.pool.get(broker);
    const topics = [
      {
        topicId: opts.topicId,
        partitions: opts.partitions.map((p) => ({
          partition: p.partition,
          fetchOffset: p.fetchOffset,
          currentLeaderEpoch: -1,
          lastFetchedEpoch: -1,
          partitionMaxBytes: 1 << 20,
        })),
      },
    ];
    return fetchV17.api.async(connection, opts.maxWaitMs, 1, 10 << 20, opts.readCommitted ? 1 : 0, 0, 0, topics, [], "");
  }

  /** fetch() as an assign consumer's round needs it: a partition-level error (NOT_LEADER_OR_FOLLOWER,
   *  OFFSET_OUT_OF_RANGE) still carries the whole response, the other partitions' records in it;
   *  any error makes `onError` run (the leader may have moved: clear the metadata). undefined, after
   *  a short pause, when there is no response at all. */
  async fetchOrPartial(
    broker: { host: string; port: number },
    opts: Parameters<RawFetcher["fetch"]>[1],
    onError: () => void,
  ): Promise<FetchResponse | undefined> {
    try {
      return await this.fetch(broker, opts);
    } catch (err) {
      const response = (err as { response?: FetchResponse }).response;
      onError();
      if (response?.responses) return response;
      await new Promise((r) => setTimeout(r, 200));
      return undefined;
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** One fetch round of an assign consumer: each key's partition leader from the client's metadata,
 *  every leader asked in parallel through `fetchFrom`; throws when no leader is known. */
export async function fetchFromLeaders(
  consumer: Consumer,
  topic: string,
  keys: readonly string[],
  fetchFrom: (broker: { host: string; port: number }, topicId: string, partitions: number[]) => Promise<void>,
): Promise<void> {
  const metadata = await consumer.metadata({ topics: [topic] });
  const t = metadata.topics.get(topic);
  if (!t) throw new Error(`no metadata for topic ${topic}`);
  const byLeader = new Map<number, number[]>();
  for (const key of keys) {
    const { partition } = parseKey(key);
    const leader = t.partitions[partition]?.leader;
    if (leader === undefined || leader < 0) continue;
    byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
  }
  if (byLeader.size === 0) throw new Error(`no leader known for ${keys.join(", ")}`);
  await Promise.all(
    [...byLeader].map(([node, partitions]) => {
      const broker = metadata.brokers.get(node);
      if (!broker) throw new Error(`no address known for broker ${node}`);
      return fetchFrom(broker, t.id, partitions);
    }),
  );
}
