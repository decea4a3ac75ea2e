// The final reads without a cluster: a fake library whose consumer reads up to what a read_committed
// consumer may read (the last stable offset), and fake end offsets. The reads go to the high
// watermark, are incomplete while an open transaction holds the last stable offset below it (the
// reason names the keys), and probe the library's read_committed filter when the run reads
// transactional records.
import { describe, expect, it } from "vitest";
import type { ConsumerClient, KafkaClient, ReadCommittedFilter } from "../../harness/clients/client.ts";
import { type ClientContext, processCounter } from "../../harness/clients/context.ts";
import { type EndOffsets, openTransactionsHolding, readFinal } from "../../harness/clients/final-reads.ts";
import { createRecorder } from "../../harness/history/recorder.ts";

const ctx: ClientContext = { bootstrap: () => [], recorder: createRecorder(), nextProcess: processCounter() };

/** A library whose read_committed consumer reads each key up to `readable` (its last stable offset). */
function fakeLibrary(readable: Record<string, number>, filter?: ReadCommittedFilter["filter"]) {
  const opened: string[][] = [];
  let probes = 0;
  const client: KafkaClient = {
    name: "kafkajs",
    openProducer: () => Promise.reject(new Error("no producer here")),
    openConsumer: async (_ctx, opts) => {
      opened.push(opts.keys);
      const positions = new Map<string, number>();
      const consumer: ConsumerClient = {
        process: 9,
        positions,
        alive: true,
        async nextDelivery() {
          await new Promise((r) => setTimeout(r, 5));
          for (const k of opts.keys) positions.set(k, readable[k] ?? 0);
        },
        seek: (k, o) => void positions.set(k, o),
        close: async () => {},
      };
      return consumer;
    },
    ...(filter ? { probeReadCommittedFilter: () => (probes++, { client: "kafkajs" as const, filter }) } : {}),
  };
  return { client, opened, probes: () => probes };
}

const offsets = (o: EndOffsets) => async () => o;

describe("final reads", () => {
  it("read to the high watermark: an open transaction holding the last stable offset below it makes them incomplete, saying so", async () => {
    const end = { high: { "t-0": 5, "t-1": 4 }, stable: { "t-0": 3, "t-1": 4 } };
    const lib = fakeLibrary(end.stable);
    const r = await readFinal(ctx, "t", ["t-0", "t-1"], { timeoutMs: 60, client: lib.client, endOffsets: offsets(end) });
    expect(r).toMatchObject({ complete: false, endOffsets: end.high, reached: end.stable, heldBack: { "t-0": { stable: 3, high: 5 } } });
    expect(r.reason).toMatch(/open transaction holds the last stable offset below the high watermark \(t-0: 3 < 5\)/);
  });

  it("complete when every key reaches its high watermark (no transaction open)", async () => {
    const end = { high: { "t-0": 5 }, stable: { "t-0": 5 } };
    const r = await readFinal(ctx, "t", ["t-0"], { timeoutMs: 1000, client: fakeLibrary(end.stable).client, endOffsets: offsets(end) });
    expect(r).toMatchObject({ complete: true, endOffsets: { "t-0": 5 }, reached: { "t-0": 5 } });
    expect(r).not.toHaveProperty("reason");
    expect(r).not.toHaveProperty("heldBack");
  });

  it("short for another reason: incomplete, and the reason says the end offsets were not reached", async () => {
    const end = { high: { "t-0": 5 }, stable: { "t-0": 5 } };
    const r = await readFinal(ctx, "t", ["t-0"], { timeoutMs: 60, client: fakeLibrary({ "t-0": 2 }).client, endOffsets: offsets(end) });
    expect(r.complete).toBe(false);
    expect(r.reason).toMatch(/did not reach the end offsets/);
    expect(r).not.toHaveProperty("heldBack");
  });

  it("openTransactionsHolding: only unfinished keys whose last stable offset is below the high watermark", () => {
    const end = { high: { a: 5, b: 5, c: 5 }, stable: { a: 3, b: 5, c: 3 } };
    expect(openTransactionsHolding(["a", "b", "c"], end, { a: 3, b: 4, c: 5 })).toEqual({ a: { stable: 3, high: 5 } });
  });

  describe("the read_committed filter", () => {
    const end = { high: { "t-0": 2 }, stable: { "t-0": 2 } };

    it("probed in a run that reads transactional records, and carried in the result", async () => {
      const lib = fakeLibrary(end.stable, "kafka-rule");
      const r = await readFinal(ctx, "t", ["t-0"], { timeoutMs: 1000, client: lib.client, transactional: true, endOffsets: offsets(end) });
      expect(lib.probes()).toBe(1);
      expect(r).toMatchObject({ complete: true, readCommittedFilter: { client: "kafkajs", filter: "kafka-rule" } });
    });

    it("kafkajs's own filter in force: the reads are refused before a consumer opens", async () => {
      const lib = fakeLibrary(end.stable, "kafkajs-2.2.4");
      await expect(
        readFinal(ctx, "t", ["t-0"], { timeoutMs: 1000, client: lib.client, transactional: true, endOffsets: offsets(end) }),
      ).rejects.toThrow(/read_committed filter is kafkajs-2.2.4.*aborted transactions/);
      expect(lib.opened).toEqual([]);
    });

    it("not probed when the run reads no transactional records", async () => {
      const lib = fakeLibrary(end.stable, "kafkajs-2.2.4");
      const r = await readFinal(ctx, "t", ["t-0"], { timeoutMs: 1000, client: lib.client, endOffsets: offsets(end) });
      expect(lib.probes()).toBe(0);
      expect(r.complete).toBe(true);
      expect(r).not.toHaveProperty("readCommittedFilter");
    });
  });
});
