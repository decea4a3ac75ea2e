// The pure parts of the @platformatic/kafka transactional client: a fetched partition turned into
// records (control batches skipped, aborted transactions dropped by Kafka's rule), the library's own
// read_committed filter (a finding: it hands out records of aborted transactions and drops committed
// ones; the harness's consumers therefore send their Fetch requests without it), the synthetic
// message Transaction.addOffset() commits from, and the fencing check on the library's errors.
import { Consumer, MultipleErrors, NetworkError, ProtocolError, ResponseError, UserError } from "@platformatic/kafka";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ClientContext, processCounter } from "../../../harness/clients/context.ts";
import { isPlatformaticFenced } from "../../../harness/clients/platformatic/classify.ts";
import { IS_CONTROL, IS_TRANSACTIONAL, type PartitionLike, recordsOfPartition } from "../../../harness/clients/platformatic/fetch.ts";
import { offsetMessage } from "../../../harness/clients/platformatic/txn.ts";
import type { TxnConsumer, TxnProducerDriver } from "../../../harness/clients/txn-client.ts";
import { DeliveryBuffer } from "../../../harness/clients/txn-delivery-buffer.ts";
import { TxnProcess } from "../../../harness/clients/txn-process.ts";
import { createRecorder } from "../../../harness/history/recorder.ts";
import { abortedTransactionFilter } from "../../../harness/protocol/aborted-filter.ts";

type Batch = NonNullable<PartitionLike["records"]>[number];
const marker = (type: 0 | 1) => Buffer.from([0, 0, 0, type]);
/** A transactional batch of one record (value = offset), or a plain one (producer -1). */
const data = (offset: number, producerId: number, transactional = true): Batch => ({
  firstOffset: BigInt(offset),
  lastOffsetDelta: 0,
  attributes: transactional ? IS_TRANSACTIONAL : 0,
  producerId: BigInt(producerId),
  records: [{ offsetDelta: 0, key: null, value: Buffer.from(String(offset)) }],
});
const control = (offset: number, producerId: number, type: 0 | 1): Batch => ({
  firstOffset: BigInt(offset),
  lastOffsetDelta: 0,
  attributes: IS_TRANSACTIONAL | IS_CONTROL,
  producerId: BigInt(producerId),
  records: [{ offsetDelta: 0, key: marker(type), value: Buffer.from([0, 0, 0, 0, 0, 0]) }],
});
const ABORT = 0;
const COMMIT = 1;

describe("recordsOfPartition (platformatic/fetch.ts)", () => {
  it("skips control batches but moves past them; drops records below the fetch offset of a batch fetched from its middle", () => {
    const batch: Batch = {
      ...data(10, 7),
      lastOffsetDelta: 2,
      records: [0, 1, 2].map((d) => ({ offsetDelta: d, key: null, value: Buffer.from(String(10 + d)) })),
    };
    const p: PartitionLike = { abortedTransactions: [], records: [batch, control(13, 7, COMMIT)] };
    expect(recordsOfPartition(p, 11, true)).toEqual({
      records: [
        [11, 11],
        [12, 12],
      ],
      next: 14,
      aborted: [],
    });
    expect(recordsOfPartition({ abortedTransactions: [] }, 5, true)).toEqual({ records: [], next: 5, aborted: [] });
  });

  it("read_committed drops both aborted transactions of one producer; read_uncommitted keeps them", () => {
    // Producer 1: aborted 0-1 (marker 2), committed 3 (marker 4), aborted 5 (marker 6).
    const p: PartitionLike = {
      abortedTransactions: [
        { producerId: 1n, firstOffset: 0n },
        { producerId: 1n, firstOffset: 5n },
      ],
      records: [data(0, 1), data(1, 1), control(2, 1, ABORT), data(3, 1), control(4, 1, COMMIT), data(5, 1), control(6, 1, ABORT)],
    };
    expect(recordsOfPartition(p, 0, true).records).toEqual([[3, 3]]);
    expect(recordsOfPartition({ records: p.records }, 0, false).records).toEqual([
      [0, 0],
      [1, 1],
      [3, 3],
      [5, 5],
    ]);
  });

  // Generated logs, as test/kafkajs/aborted-filter.test.ts: producers interleave transactions
  // (one record per batch) ended by commit or abort markers, plus plain records; the broker lists
  // every aborted transaction ending at or after the fetch offset, in the order they ended.
  type Step = { producer: number; kind: "rec" | "commit" | "abort" | "plain" };
  const stepArb = fc.record({
    producer: fc.integer({ min: 0, max: 3 }),
    kind: fc.constantFrom<Step["kind"]>("rec", "rec", "rec", "commit", "abort", "plain"),
  });

  it("keeps exactly the data records of transactions not aborted, from any fetch offset", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 60 }), fc.nat(), (steps, at) => {
        const log: { batch: Batch; aborted: boolean; isControl: boolean }[] = [];
        const open = new Map<number, { first: number; entries: { aborted: boolean }[] }>();
        const abortedList: { producerId: bigint; firstOffset: bigint; last: number }[] = [];
        for (const step of steps) {
          const pid = step.producer + 1;
          const offset = log.length;
          if (step.kind === "plain") log.push({ batch: data(offset, -1, false), aborted: false, isControl: false });
          else if (step.kind === "rec") {
            const txn = open.get(pid) ?? { first: offset, entries: [] };
            open.set(pid, txn);
            const e = { batch: data(offset, pid), aborted: false, isControl: false };
            txn.entries.push(e);
            log.push(e);
          } else {
            const txn = open.get(pid);
            if (!txn) continue;
            open.delete(pid);
            const isAbort = step.kind === "abort";
            for (const e of txn.entries) e.aborted = isAbort;
            if (isAbort) abortedList.push({ producerId: BigInt(pid), firstOffset: BigInt(txn.first), last: offset });
            log.push({ batch: control(offset, pid, isAbort ? ABORT : COMMIT), aborted: false, isControl: true });
          }
        }
        const lso = Math.min(log.length, ...[...open.values()].map((t) => t.first));
        const from = at % (lso + 1);
        const fetched = log.slice(from, lso);
        const listed = abortedList
          .filter((t) => t.last >= from)
          .sort((a, b) => a.last - b.last)
          .map(({ producerId, firstOffset }) => ({ producerId, firstOffset }));
        const out = recordsOfPartition({ abortedTransactions: listed, records: fetched.map((e) => e.batch) }, from, true);
        const expected = fetched.filter((e) => !e.isControl && !e.aborted).map((e) => Number(e.batch.firstOffset));
        expect(out.records.map(([o]) => o)).toEqual(expected);
        expect(out.next).toBe(fetched.length ? lso : from);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("abortedTransactionFilter (protocol/aborted-filter.ts)", () => {
  it("activates every listed transaction at or below the entry (while, not if), sorted by first offset", () => {
    const keep = abortedTransactionFilter([
      { producerId: "2", firstOffset: "1" },
      { producerId: "1", firstOffset: "0" },
    ]);
    const e = (offset: number, producerId: string, abortMarker = false) => ({
      offset: BigInt(offset),
      producerId,
      transactional: true,
      abortMarker,
    });
    expect([e(0, "1"), e(1, "2"), e(2, "2", true), e(3, "1", true), e(4, "1")].map(keep)).toEqual([false, false, true, true, true]);
  });
});

/** Runs @platformatic/kafka 1.35's own fetch() post-processing on a response, no broker: the
 *  client's retry wrapper (a symbol method on its base class) is replaced on one instance to
 *  answer with the given response. */
async function libraryFetch(response: () => unknown, isolationLevel: number): Promise<{ responses: { partitions: PartitionLike[] }[] }> {
  const consumer = new Consumer({ clientId: "t", bootstrapBrokers: ["127.0.0.1:1"], groupId: "g" });
  let proto = Object.getPrototypeOf(consumer) as object | null;
  let retry: symbol | undefined;
  while (proto && !retry) {
    retry = Object.getOwnPropertySymbols(proto).find((s) => s.description === "plt.kafka.base.performWithRetry");
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  if (!retry) throw new Error("the library's performWithRetry symbol was not found");
  (consumer as unknown as Record<symbol, unknown>)[retry] = (_id: string, _op: unknown, callback: (e: null, r: unknown) => void) =>
    callback(null, response());
  try {
    return (await consumer.fetch({
      node: 1,
      isolationLevel,
      topics: [
        {
          topicId: "x",
          partitions: [{ partition: 0, fetchOffset: 0n, currentLeaderEpoch: -1, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 }],
        },
      ],
    })) as never;
  } finally {
    await consumer.close();
  }
}

describe("@platformatic/kafka 1.35's read_committed fetch() filter (a finding about the library)", () => {
  // Producer 1 aborts two transactions in one fetched range: 0-1 (marker 2) and 5 (marker 6),
  // with a committed one between. The broker lists both; the library keeps one range per producer
  // id (a Map), so the first transaction's records come back.
  const partition = () => ({
    partitionIndex: 0,
    errorCode: 0,
    abortedTransactions: [
      { producerId: 1n, firstOffset: 0n },
      { producerId: 1n, firstOffset: 5n },
    ],
    records: [data(0, 1), data(1, 1), control(2, 1, ABORT), data(3, 1), control(4, 1, COMMIT), data(5, 1), control(6, 1, ABORT)],
  });
  const response = () => ({ responses: [{ topicId: "x", partitions: [partition()] }] });

  it("hands out records of the first aborted transaction (Kafka's rule drops them)", async () => {
    const filtered = await libraryFetch(response, 1);
    const p = filtered.responses[0]!.partitions[0]!;
    const dataOffsets = (p.records ?? []).filter((b) => !(b.attributes & IS_CONTROL)).map((b) => Number(b.firstOffset));
    expect(dataOffsets, "if this fails, the library's filter changed: see docs/transactions.md").toEqual([0, 1, 3]);
    expect(recordsOfPartition(p, 0, true)).toEqual({
      records: [[3, 3]],
      next: 7,
      aborted: [
        [0, 0],
        [1, 1],
      ],
    });
  });

  it("drops a committed record when an abort marker of an empty transaction follows it (seed 540873703)", async () => {
    // Producer 1: aborted 0 (marker 1), committed 2 (marker 3), then a transaction that added the
    // partition but wrote nothing to it (its send timed out before reaching the log), aborted: marker
    // 4. The broker lists only transactions with data in the partition (Kafka's ProducerStateManager
    // emits no completed transaction for an empty one), so the library's single range for producer
    // 1 runs from offset 0 to the last abort marker, 4, and swallows the committed record at 2.
    const withEmptyAbort = () => ({
      responses: [
        {
          topicId: "x",
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              abortedTransactions: [{ producerId: 1n, firstOffset: 0n }],
              records: [data(0, 1), control(1, 1, ABORT), data(2, 1), control(3, 1, COMMIT), control(4, 1, ABORT)],
            },
          ],
        },
      ],
    });
    const p = (await libraryFetch(withEmptyAbort, 1)).responses[0]!.partitions[0]!;
    expect(
      (p.records ?? []).filter((b) => !(b.attributes & IS_CONTROL)).map((b) => Number(b.firstOffset)),
      "if this fails, the library's filter changed",
    ).toEqual([]);
    // Kafka's rule on the broker's answer keeps it.
    expect(recordsOfPartition(withEmptyAbort().responses[0]!.partitions[0]!, 0, true).records).toEqual([[2, 2]]);
  });

  it("with one aborted transaction per producer and its marker in the answer it filters correctly", async () => {
    const one = () => ({
      responses: [
        {
          topicId: "x",
          partitions: [
            { ...partition(), abortedTransactions: [{ producerId: 1n, firstOffset: 5n }], records: partition().records.slice(3) },
          ],
        },
      ],
    });
    const p = (await libraryFetch(one, 1)).responses[0]!.partitions[0]!;
    expect(recordsOfPartition(p, 3, true)).toEqual({ records: [[3, 3]], next: 7, aborted: [] });
  });

  it("hands out an aborted transaction whose abort marker is not in the answer", async () => {
    const cut = () => ({
      responses: [
        {
          topicId: "x",
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              abortedTransactions: [{ producerId: 1n, firstOffset: 0n }],
              records: [data(0, 1), data(1, 1)],
            },
          ],
        },
      ],
    });
    const p = (await libraryFetch(cut, 1)).responses[0]!.partitions[0]!;
    expect((p.records ?? []).map((b) => Number(b.firstOffset))).toEqual([0, 1]);
    expect(recordsOfPartition(cut().responses[0]!.partitions[0]!, 0, true).records).toEqual([]);
  });
});

describe("Transaction.addOffset()'s synthetic message (offsetMessage)", () => {
  it("names the key's partition, the group, its coordinator, generation -1 and member ''; the library commits offset + 1 = next", () => {
    const m = offsetMessage("t-x-2", 42, "t-txn-group-0", 3);
    expect(m).toEqual({
      topic: "t-x",
      partition: 2,
      offset: 41n,
      metadata: { consumer: { groupId: "t-txn-group-0", generationId: -1, memberId: "", coordinatorId: 3 } },
    });
    expect(m.offset + 1n).toBe(42n); // producer.js kTransactionCommitOffset: committedOffset = message.offset + 1n
  });

  it("refuses a next offset with nothing read before it", () => {
    expect(() => offsetMessage("t-0", 0, "g", 1)).toThrow(/no offset to commit/);
  });
});

describe("isPlatformaticFenced", () => {
  const epoch = () => new ResponseError(26, 4, { "": [47, null] }, {}); // EndTxn answered INVALID_PRODUCER_EPOCH
  it("finds the fencing protocol errors in a response, in retries' MultipleErrors and in causes", () => {
    expect(epoch().errors[0]).toMatchObject({ apiId: "INVALID_PRODUCER_EPOCH", producerFenced: true });
    expect(isPlatformaticFenced(epoch())).toBe(true);
    expect(isPlatformaticFenced(new ProtocolError("PRODUCER_FENCED"))).toBe(true);
    expect(
      isPlatformaticFenced(new MultipleErrors("endTransaction failed 2 times.", [new NetworkError("Connection closed"), epoch()])),
    ).toBe(true);
    expect(
      isPlatformaticFenced(
        new MultipleErrors("Producing messages failed.", [
          new ResponseError(0, 11, { "/responses/0/partition_responses/0": [90, null] }, {}),
        ]),
      ),
    ).toBe(true);
    expect(isPlatformaticFenced(new UserError("wrapped", { cause: new ProtocolError("INVALID_PRODUCER_ID_MAPPING") }))).toBe(true);
  });

  it("is false for everything else", () => {
    expect(isPlatformaticFenced(new ResponseError(26, 4, { "": [51, null] }, {}))).toBe(false); // CONCURRENT_TRANSACTIONS
    expect(isPlatformaticFenced(new ProtocolError("NOT_COORDINATOR"))).toBe(false);
    expect(isPlatformaticFenced(new UserError("There is already an active transaction."))).toBe(false);
    expect(isPlatformaticFenced(new Error("x"))).toBe(false);
    expect(isPlatformaticFenced(undefined)).toBe(false);
  });

  it("a fenced send makes the transaction unknown with no abort tried, through the driver's own check", async () => {
    const calls: string[] = [];
    const driver: TxnProducerDriver = {
      begin: async () => void calls.push("begin"),
      send: async () => {
        calls.push("send");
        throw new MultipleErrors("Producing messages failed.", [
          new ResponseError(0, 11, { "/responses/0/partition_responses/0": [47, null] }, {}),
        ]);
      },
      sendOffsets: async () => {},
      commit: async () => void calls.push("commit"),
      abort: async () => void calls.push("abort"),
      close: async () => {},
      isFenced: isPlatformaticFenced,
    };
    const buffer = new DeliveryBuffer();
    const consumer: TxnConsumer = {
      groupId: "g",
      positions: buffer.positions,
      alive: true,
      poll: async () => ({}),
      seek: () => {},
      close: async () => {},
    };
    const recorder = createRecorder();
    const ctx: ClientContext = { bootstrap: () => [], recorder, nextProcess: processCounter(0) };
    const r = await new TxnProcess(0, "t-txn-0", ctx, driver, consumer, { opTimeoutMs: 2000, pollWaitMs: 10 }).run(
      [["send", "t-0", 1]],
      false,
    );
    expect(r).toEqual({ type: "info", replaceProducer: true });
    expect(calls).toEqual(["begin", "send"]);
  });
});
