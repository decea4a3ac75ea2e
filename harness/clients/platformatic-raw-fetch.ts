// A read_committed Fetch through @platformatic/kafka's protocol layer, without its Consumer.fetch()
// post-processing. Consumer.fetch() runs the library's own aborted-record filter on every
// read_committed answer (consumer.js #filterUncommittedMessages), and that filter is wrong both ways
// (platformatic-fetch.ts, docs/transactions.md): it hands out records of aborted transactions and it
// drops committed ones (seed 540873703: two committed records of one producer never read by anyone,
// the final reads included). So the harness's consumers send the Fetch themselves (the library's
// ConnectionPool and its Fetch v17 API, what Consumer.fetch() sends to a Kafka 3.9 or 4.x broker)
// and filter the answer by Kafka's rule (recordsOfPartition).
import { ConnectionPool, fetchV17 } from "@platformatic/kafka";

export type FetchResponse = Awaited<ReturnType<typeof fetchV17.api.async>>;

export interface FetchPartition {
  partition: number;
  fetchOffset: bigint;
}

export class RawFetcher {
  private readonly pool: ConnectionPool;

  constructor(clientId: string, opts: { connectTimeout: number; requestTimeout: number }) {
    this.pool = new ConnectionPool(clientId, opts);
  }

  /** One Fetch request to a broker; a partition-level error throws a ResponseError whose `response`
   *  still holds every partition (as Consumer.fetch()). No leader-epoch checks (epochs -1). */
  async fetch(broker: { host: string; port: number }, opts: { maxWaitMs: number; readCommitted: boolean; topicId: string; partitions: FetchPartition[] }): Promise<FetchResponse> {
    const connection = await this.pool.get(broker);
    const topics = [
      {
        topicId: opts.topicId,
        partitions: opts.partitions.map((p) => ({ partition: p.partition, fetchOffset: p.fetchOffset, currentLeaderEpoch: -1, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 })),
      },
    ];
    return fetchV17.api.async(connection, opts.maxWaitMs, 1, 10 << 20, opts.readCommitted ? 1 : 0, 0, 0, topics, [], "");
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
