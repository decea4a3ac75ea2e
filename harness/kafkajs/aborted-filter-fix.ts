// A fix to kafkajs 2.2.4's read_committed consumer, applied at run time (kafkajs is unmaintained;
// the package's users install it from the registry, so a patch file would not reach them).
//
// The bug (test/kafkajs/aborted-filter.test.ts holds it on kafkajs's own function): its
// filterAbortedMessages starts ignoring at most one aborted transaction per record (`if`, where
// Kafka's Java consumer loops `while`), and takes the broker's list in the order given (the broker
// lists aborted transactions by where they ended; the Java consumer orders them by where they
// began). A fetch that overlaps two aborted transactions, one begun before the fetch offset, can
// therefore hand out a record of the other: an aborted read that is kafkajs's doing, not Kafka's.
//
// kafkajs's batch.js keeps the function it required in a module constant, so the fix must be in
// require's cache before batch.js loads: installKafkajsFixes() (fixes.ts) puts it there, called by
// the entry points and by the factory before it loads kafkajs. If kafkajs's consumer was loaded
// first (a user's code imported kafkajs before kafka-harness), runs that read transactions refuse
// to start (assertKafkajsAbortedFilterFixed): a silent miss would spoil their verdicts. Runs
// without transactions have no aborted records to filter.
import { createRequire } from "node:module";
import { abortedTransactionFilter } from "../protocol/aborted-filter.ts";

interface Message {
  offset: string;
  key: Buffer | Uint8Array | string | null;
  batchContext: { producerId: string; inTransaction: boolean };
}
interface AbortedTransaction {
  producerId: string;
  firstOffset: string;
}
export type FilterAborted = <M extends Message>(a: { messages: M[]; abortedTransactions?: AbortedTransaction[] }) => M[];

const ABORT_MARKER_KEY = Buffer.from([0, 0, 0, 0]);
const isAbortMarker = (m: Message): boolean => m.key != null && Buffer.from(m.key as Uint8Array).equals(ABORT_MARKER_KEY);

/** Kafka's Java consumer's rule (protocol/aborted-filter.ts): every aborted transaction whose first offset is
 * at or before a record is active for its producer until that producer's abort marker. */
export const filterAbortedMessages: FilterAborted = ({ messages, abortedTransactions }) => {
  if (!abortedTransactions || abortedTransactions.length === 0) return messages;
  const keep = abortedTransactionFilter(abortedTransactions);
  return messages.filter((m) =>
    keep({
      offset: BigInt(m.offset),
      producerId: String(m.batchContext.producerId),
      transactional: m.batchContext.inTransaction,
      abortMarker: isAbortMarker(m),
    }),
  );
};

const require = createRequire(import.meta.url);
const FILTER = require.resolve("kafkajs/src/consumer/filterAbortedMessages.js");
const BATCH = require.resolve("kafkajs/src/consumer/batch.js");

type Patched = FilterAborted & { __khOriginal?: FilterAborted };

/** Puts the fix in require's cache; false when kafkajs's batch.js already holds the original. */
export function applyKafkajsAbortedFilterFix(): boolean {
  require(FILTER);
  const cached = require.cache[FILTER]!;
  if ((cached.exports as Patched).__khOriginal) return true;
  if (require.cache[BATCH]) return false;
  const fixed: Patched = filterAbortedMessages;
  fixed.__khOriginal = cached.exports as FilterAborted;
  cached.exports = fixed;
  return true;
}

/** For runs whose consumers read transactional records: puts the fix in place if it can, else throws. */
export function assertKafkajsAbortedFilterFixed(): void {
  if (applyKafkajsAbortedFilterFix()) return;
  throw new Error(
    "kafkajs was imported before kafka-harness, so kafka-harness could not fix kafkajs 2.2.4's read_committed filter (it can hand out records of aborted transactions; see docs/transactions.md). Import kafka-harness before kafkajs.",
  );
}

/** kafkajs's own function, whether or not the fix is in place (for the test that holds its bug). */
export function kafkajsOriginalFilter(): FilterAborted {
  const current = require(FILTER) as Patched;
  return current.__khOriginal ?? current;
}
