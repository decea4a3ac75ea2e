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
// without transactions have no aborted records to filter. What is checked is behaviour, not a flag:
// probeKafkajsAbortedFilter runs kafkajs's own Batch on fetches its original filter gets wrong.
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

/** Which rule kafkajs's consumers drop aborted records by: Kafka's (the fix in place) or kafkajs
 *  2.2.4's own, which can hand out records of aborted transactions. */
export type KafkajsFilter = "kafka-rule" | "kafkajs-2.2.4";

const ABORT_MARKER = { key: ABORT_MARKER_KEY, isControlRecord: true };
const probeRecord = (offset: number, producerId: string, extra: object = {}) => ({
  offset: String(offset),
  key: null,
  value: Buffer.from("probe"),
  batchContext: { producerId, inTransaction: true },
  ...extra,
});
/** Two fetches kafkajs 2.2.4's filter gets wrong (test/kafkajs/aborted-filter.test.ts): an aborted
 *  transaction begun before the fetch listed first, and two listed in the order they ended. Every
 *  record in them is aborted (or a marker). */
const PROBES = [
  {
    fetchedOffset: "23",
    abortedTransactions: [
      { producerId: "1", firstOffset: "5" },
      { producerId: "2", firstOffset: "23" },
    ],
    messages: [probeRecord(23, "2"), probeRecord(24, "2", ABORT_MARKER)],
  },
  {
    fetchedOffset: "0",
    abortedTransactions: [
      { producerId: "2", firstOffset: "1" },
      { producerId: "1", firstOffset: "0" },
    ],
    messages: [probeRecord(0, "1"), probeRecord(1, "2"), probeRecord(2, "2", ABORT_MARKER), probeRecord(3, "1", ABORT_MARKER)],
  },
];

/** Probes the filter kafkajs's consumers run, not a flag: puts the fix in place if it still can,
 *  then builds kafkajs's own Batch (what its consumer builds of every fetch) from fetches of
 *  aborted records only; the filter is Kafka's rule when it hands out none of them. */
export function probeKafkajsAbortedFilter(): KafkajsFilter {
  applyKafkajsAbortedFilterFix();
  const Batch = require(BATCH) as new (topic: string, fetchedOffset: string, partitionData: unknown) => { messages: unknown[] };
  const handsOut = PROBES.some(
    ({ fetchedOffset, ...data }) => new Batch("probe", fetchedOffset, { partition: 0, highWatermark: "100", ...data }).messages.length > 0,
  );
  return handsOut ? "kafkajs-2.2.4" : "kafka-rule";
}

/** For runs whose consumers read transactional records: probes the filter (putting the fix in
 *  place if it can) and throws unless it is Kafka's rule. */
export function assertKafkajsAbortedFilterFixed(): void {
  if (probeKafkajsAbortedFilter() === "kafka-rule") return;
  throw new Error(
    "kafkajs was imported before kafka-harness, so kafka-harness could not fix kafkajs 2.2.4's read_committed filter (it can hand out records of aborted transactions; see docs/transactions.md). Import kafka-harness before kafkajs.",
  );
}

/** kafkajs's own function, whether or not the fix is in place (for the test that holds its bug). */
export function kafkajsOriginalFilter(): FilterAborted {
  const current = require(FILTER) as Patched;
  return current.__khOriginal ?? current;
}
