// An assign consumer's positions (harness/clients/kafkajs/positions.ts), driven through kafkajs's
// own Batch and Runner.handleBatch, so what is tested is what kafkajs emits: records handed to
// eachBatch, and END_BATCH_PROCESS after batches of control records or aborted records only.
import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AssignedPositions } from "../../../harness/clients/kafkajs/positions.ts";

const require = createRequire(import.meta.url);
type Message = {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  isControlRecord?: boolean;
  batchContext: { producerId: string; inTransaction: boolean };
};
type Aborted = { producerId: string; firstOffset: string };
const Batch = require("kafkajs/src/consumer/batch.js") as new (topic: string, fetchedOffset: string, partitionData: unknown) => unknown;
const Runner = require("kafkajs/src/consumer/runner.js") as { prototype: object };
const { events } = require("kafkajs/src/consumer/instrumentationEvents.js") as { events: { END_BATCH_PROCESS: string } };

const KEY = "t-0";

/** One fetch answer through kafkajs's runner, with the harness consumer's two hooks. */
async function deliver(
  positions: AssignedPositions,
  fetchedOffset: number,
  messages: Message[],
  highWatermark: number,
  abortedTransactions: Aborted[] = [],
): Promise<[number, number][]> {
  const delivered: [number, number][] = [];
  const runner = Object.assign(Object.create(Runner.prototype), {
    running: true,
    eachBatchAutoResolve: true,
    autoCommit: false,
    logger: { debug() {}, error() {} },
    heartbeat: async () => {},
    autoCommitOffsets: async () => {},
    autoCommitOffsetsIfNecessary: async () => {},
    consumerGroup: { resolveOffset() {}, pause() {}, resume() {}, hasSeekOffset: () => false, groupId: "g", memberId: "m" },
    instrumentationEmitter: {
      emit: (name: string, payload: Parameters<AssignedPositions["followBatchEnd"]>[0]) =>
        name === events.END_BATCH_PROCESS && positions.followBatchEnd(payload),
    },
    eachBatch: async ({ batch }: { batch: { messages: Message[] } }) =>
      void delivered.push(...positions.take(KEY, batch.messages as never)),
  });
  const batch = new Batch("t", String(fetchedOffset), {
    partition: 0,
    highWatermark: String(highWatermark),
    abortedTransactions,
    messages,
  });
  await (runner as { handleBatch(b: unknown): Promise<void> }).handleBatch(batch);
  return delivered;
}

const data = (offset: number, producerId = "-1", inTransaction = false): Message => ({
  offset: String(offset),
  key: null,
  value: Buffer.from(String(offset * 10)),
  batchContext: { producerId, inTransaction },
});
const marker = (offset: number, producerId: string, abort: boolean): Message => ({
  offset: String(offset),
  key: Buffer.from([0, 0, 0, abort ? 0 : 1]),
  value: Buffer.alloc(6),
  isControlRecord: true,
  batchContext: { producerId, inTransaction: true },
});
const at = (position: number) => new AssignedPositions(new Map([[KEY, position]]));

describe("an assign consumer's position, through kafkajs's Batch and Runner", () => {
  it("moves past the records handed out, and drops those below it", async () => {
    const p = at(2);
    expect(await deliver(p, 2, [data(0), data(1), data(2), data(3)], 4)).toEqual([
      [2, 20],
      [3, 30],
    ]);
    expect(p.map.get(KEY)).toBe(4);
  });

  it("moves past a commit marker after a transaction's records, and past a batch of a marker only", async () => {
    const p = at(0);
    expect(await deliver(p, 0, [data(0, "7", true), data(1, "7", true), marker(2, "7", false)], 3)).toEqual([
      [0, 0],
      [1, 10],
    ]);
    expect(p.map.get(KEY)).toBe(3);
    expect(await deliver(p, 3, [marker(3, "8", false)], 4)).toEqual([]);
    expect(p.map.get(KEY)).toBe(4);
  });

  it("moves past an aborted transaction read_committed never hands out", async () => {
    const p = at(5);
    expect(
      await deliver(p, 5, [data(5, "9", true), data(6, "9", true), marker(7, "9", true)], 8, [{ producerId: "9", firstOffset: "5" }]),
    ).toEqual([]);
    expect(p.map.get(KEY)).toBe(8);
  });

  it("stays put on an empty fetch, whatever the high watermark says", async () => {
    const p = at(5);
    expect(await deliver(p, 5, [], 9)).toEqual([]);
    expect(p.map.get(KEY)).toBe(5);
  });

  it("stays put when no fetched record is at or after the fetch offset (kafkajs's lastOffset is then the fetch offset itself)", async () => {
    const p = at(10);
    expect(await deliver(p, 10, [data(8), data(9)], 12)).toEqual([]);
    expect(p.map.get(KEY)).toBe(10);
  });

  // A whole log of plain records and interleaved transactions, read in fetches that start at the
  // record batch holding the position and end anywhere: every committed or plain record is handed
  // out once, in order, and the position ends at the high watermark.
  it("reads a transactional log to its end, each visible record once", async () => {
    type Step = { producer: number; kind: "rec" | "end-commit" | "end-abort" | "plain" };
    const step = fc.record({
      producer: fc.integer({ min: 0, max: 2 }),
      kind: fc.constantFrom<Step["kind"]>("rec", "rec", "end-commit", "end-abort", "plain"),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 8 }),
        async (steps, sizes, backs) => {
          const log: Message[] = [];
          const visible: [number, number][] = [];
          const open = new Map<string, { first: number; offsets: number[] }>();
          const aborted: (Aborted & { last: number })[] = [];
          for (const s of steps) {
            const pid = String(s.producer + 1);
            const offset = log.length;
            if (s.kind === "plain") {
              log.push(data(offset));
              visible.push([offset, offset * 10]);
            } else if (s.kind === "rec") {
              const txn = open.get(pid) ?? { first: offset, offsets: [] };
              open.set(pid, txn);
              txn.offsets.push(offset);
              log.push(data(offset, pid, true));
            } else {
              const txn = open.get(pid);
              if (!txn) continue;
              open.delete(pid);
              const abort = s.kind === "end-abort";
              if (abort) aborted.push({ producerId: pid, firstOffset: String(txn.first), last: offset });
              else visible.push(...txn.offsets.map((o): [number, number] => [o, o * 10]));
              log.push(marker(offset, pid, abort));
            }
          }
          for (const [pid, txn] of open) {
            aborted.push({ producerId: pid, firstOffset: String(txn.first), last: log.length });
            log.push(marker(log.length, pid, true));
          }
          visible.sort((a, b) => a[0] - b[0]);
          const hw = log.length;
          const p = at(0);
          const got: [number, number][] = [];
          for (let i = 0; (p.map.get(KEY) ?? 0) < hw; i++) {
            if (i > 200) throw new Error(`stuck at ${p.map.get(KEY)} of ${hw}`);
            const pos = p.map.get(KEY)!;
            const start = Math.max(0, pos - backs[i % backs.length]!);
            const messages = log.slice(start, pos + sizes[i % sizes.length]!);
            const listed = aborted
              .filter((t) => t.last >= pos)
              .sort((a, b) => a.last - b.last)
              .map(({ producerId, firstOffset }) => ({ producerId, firstOffset }));
            got.push(...(await deliver(p, pos, messages, hw, listed)));
          }
          expect(got).toEqual(visible);
          expect(p.map.get(KEY)).toBe(hw);
        },
      ),
      { numRuns: 300 },
    );
  });
});
