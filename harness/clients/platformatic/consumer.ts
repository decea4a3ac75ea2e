// The @platformatic/kafka consumer behind the client interface, with real manual assignment: no
// consumer group at all. Its consume() always joins a group, but its fetch() sends one Fetch request
// for given partitions from given offsets to a given broker, which is what a Java consumer with
// assign() + seek() does underneath. This consumer sends that same Fetch (v17, through the library's
// connection pool and protocol API, raw-fetch.ts: Consumer.fetch()'s own read_committed
// filter drops committed records), owns its positions (seek sets one), finds each
// partition's leader in the client's metadata, fetches from every leader in parallel, and records
// each partition's records of a response as one delivery (one poll op, poll-recorder.ts).
//
// As the kafkajs consumer: read_committed (both libraries' default; control batches skipped and
// aborted records dropped by Kafka's rule, fetch.ts: the txn workload's final reads go
// through here), no leader-epoch checks
// (currentLeaderEpoch -1: what a truncated leader serves is what the checkers should see), and a
// position past the log end after a truncation (OFFSET_OUT_OF_RANGE) is kept, not reset: records
// below the position are never delivered twice. Any fetch error clears the metadata (the leader may
// have moved) and the next round asks again; the consumer never gives up by itself.
import { Consumer } from "@platformatic/kafka";
import { AssignConsumer, sleep } from "../assign-consumer.ts";
import type { ConsumerOptions } from "../client.ts";
import { type ClientContext, keyOf } from "../context.ts";
import { recordsOfPartition } from "./fetch.ts";
import { assignOnlyConsumer, FETCH_WAIT_MS, fetchFromLeaders, RawFetcher } from "./raw-fetch.ts";

export class PlatformaticConsumer extends AssignConsumer<Consumer> {
  private readonly fetcher = new RawFetcher("kafka-harness-consumer", { connectTimeout: 3000, requestTimeout: 10_000 }, this.ctx.security);

  static open(ctx: ClientContext, opts: ConsumerOptions): Promise<PlatformaticConsumer> {
    return AssignConsumer.openAssigned(
      "platformatic",
      opts,
      () =>
        new PlatformaticConsumer(
          assignOnlyConsumer("kafka-harness-consumer", ctx.bootstrap(), "kafka-harness-assign", ctx.security),
          ctx,
          opts,
          FETCH_WAIT_MS,
        ),
    );
  }

  protected async connect(): Promise<void> {
    await this.consumer.metadata({ topics: [this.opts.topic] });
  }

  protected async fetchRound(): Promise<void> {
    await fetchFromLeaders(this.consumer, this.opts.topic, this.opts.keys, (broker, topicId, partitions) =>
      this.fetchFrom(broker, topicId, partitions),
    );
  }

  protected async afterError(): Promise<void> {
    this.consumer.clearMetadata();
    await sleep(200);
  }

  protected async disconnect(): Promise<void> {
    await this.fetcher.close().catch(() => undefined);
    await this.consumer.close();
  }

  private async fetchFrom(broker: { host: string; port: number }, topicId: string, partitions: number[]): Promise<void> {
    const { topic } = this.opts;
    // Not Consumer.fetch(): its read_committed filter drops committed records (raw-fetch.ts).
    const response = await this.fetcher.fetchOrPartial(
      broker,
      {
        maxWaitMs: FETCH_WAIT_MS,
        readCommitted: true,
        topicId,
        partitions: partitions.map((partition) => ({
          partition,
          fetchOffset: BigInt(this.positions.get(keyOf({ topic, partition })) ?? 0),
        })),
      },
      () => this.consumer.clearMetadata(),
    );
    if (!response) return;
    if (this.stopping) return;
    for (const topicResponse of response.responses) {
      for (const p of topicResponse.partitions) {
        if (p.errorCode !== 0 || !p.records) continue;
        const key = keyOf({ topic, partition: p.partitionIndex });
        // Control batches skipped; records of aborted transactions dropped by Kafka's rule (the
        // library's own read_committed filter misses some: fetch.ts).
        const { records, next } = recordsOfPartition(p, this.positions.get(key) ?? 0, true);
        this.positions.set(key, next);
        if (records.length) this.polls.delivered(key, records);
      }
    }
  }
}
