// Kafka's Java consumer's read_committed rule for records of aborted transactions, client-neutral
// (kafkajs's fix, harness/kafkajs/aborted-filter-fix.ts, and the @platformatic/kafka consumers,
// clients/platformatic/fetch.ts, both walk a fetch through it). Pure.
//
// The broker answers a read_committed Fetch with the records up to the last stable offset and the
// list of aborted transactions that overlap them ({producerId, firstOffset}, in the order they ended).
// The Java consumer (Fetcher / CompletedFetch) sorts that list by first offset and walks the batches
// in offset order: before each batch, every listed transaction whose first offset is at or below the
// batch becomes active for its producer (a `while`, not an `if`); a batch holding the producer's abort
// marker ends it; a transactional batch of a producer with an active aborted transaction is skipped.

export interface AbortedTransaction {
  producerId: bigint | string | number;
  firstOffset: bigint | string | number;
}

/** What the rule needs of a record (or of a whole batch: pass its last offset). */
export interface TxnEntry {
  offset: bigint;
  producerId: string;
  /** The batch's transactional attribute bit. */
  transactional: boolean;
  /** A control batch whose marker is an abort (control record key type 0). */
  abortMarker: boolean;
}

/** A stateful predicate over one partition's fetched entries, called in offset order: false for an
 *  entry of an aborted transaction (drop it), true otherwise (abort markers included). With no
 *  aborted transaction listed, everything is kept. */
export function abortedTransactionFilter(aborted: readonly AbortedTransaction[] | undefined): (e: TxnEntry) => boolean {
  if (!aborted || aborted.length === 0) return () => true;
  const pending = aborted
    .map((t) => ({ producerId: String(t.producerId), firstOffset: BigInt(t.firstOffset) }))
    .sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  const active = new Set<string>();
  let next = 0;
  return (e) => {
    while (next < pending.length && pending[next]!.firstOffset <= e.offset) active.add(pending[next++]!.producerId);
    if (e.abortMarker) {
      active.delete(e.producerId);
      return true;
    }
    return !(e.transactional && active.has(e.producerId));
  };
}
