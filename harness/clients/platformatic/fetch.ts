// One partition of an @platformatic/kafka fetch() response, turned into what the harness records:
// the data records at or after the position ([offset, value]) and the next position. Pure (the
// response is plain data), so it is tested without a cluster.
//
// Control batches (transaction markers) are skipped but move the position. Under read_committed the
// records of aborted transactions are dropped by Kafka's Java rule (harness/protocol/aborted-filter.ts), from
// the response's abortedTransactions list. The answer must be the broker's own (raw-fetch.ts):
// @platformatic/kafka 1.35's Consumer.fetch() runs its own filter first (consumer.js
// #filterUncommittedMessages), which keeps ONE range per producer id, from the first offset of the
// last listed aborted transaction of that producer to the last abort marker of that producer in
// the response. So it hands out the records of an earlier aborted transaction of the same producer
// (a Map keyed by producer id: the later one replaces it), hands out a transaction whose abort
// marker is not in the response ("for safety"), and drops committed records when the last abort
// marker belongs to a transaction with no data in the partition (the broker does not list those):
// every committed record of that producer between the listed transaction and that marker is lost
// to the reader (seed 540873703; test/clients/platformatic/txn.test.ts holds all of it).
import { type AbortedTransaction, abortedTransactionFilter } from "../../protocol/aborted-filter.ts";

/** Record batch attribute bits (Kafka's RecordBatch). */
export const IS_TRANSACTIONAL = 1 << 4;
export const IS_CONTROL = 1 << 5;

export interface FetchedPartition {
  records: [offset: number, value: number][];
  /** The next offset to fetch (past every batch returned, control batches included). */
  next: number;
  /** The data records dropped as records of aborted transactions (read_committed). */
  aborted: [offset: number, value: number][];
}

/** The fields used of @platformatic/kafka's FetchResponsePartition and RecordsBatch (fetch v12-v17). */
export interface PartitionLike {
  abortedTransactions?: AbortedTransaction[] | null;
  records?: {
    firstOffset: bigint;
    lastOffsetDelta: number;
    attributes: number;
    producerId: bigint;
    records: { offsetDelta: number; key: Buffer | null; value: Buffer | null }[];
  }[];
}

const isAbortMarkerBatch = (b: { attributes: number; records: { key: Buffer | null }[] }): boolean =>
  (b.attributes & IS_CONTROL) !== 0 && b.records[0]?.key != null && b.records[0].key.length >= 4 && b.records[0].key.readInt16BE(2) === 0;

export function recordsOfPartition(p: PartitionLike, from: number, readCommitted: boolean): FetchedPartition {
  const keep = readCommitted ? abortedTransactionFilter(p.abortedTransactions ?? undefined) : () => true;
  const records: FetchedPartition["records"] = [];
  const aborted: FetchedPartition["aborted"] = [];
  let next = from;
  for (const batch of p.records ?? []) {
    const first = Number(batch.firstOffset);
    const last = first + batch.lastOffsetDelta;
    next = Math.max(next, last + 1);
    const kept = keep({
      offset: BigInt(last),
      producerId: String(batch.producerId),
      transactional: (batch.attributes & IS_TRANSACTIONAL) !== 0,
      abortMarker: isAbortMarkerBatch(batch),
    });
    if (batch.attributes & IS_CONTROL) continue;
    for (const r of batch.records) {
      const offset = first + r.offsetDelta;
      // A fetch from the middle of a batch returns the whole batch.
      if (offset < from) continue;
      (kept ? records : aborted).push([offset, Number(r.value?.toString())]);
    }
  }
  return { records, next, aborted };
}
