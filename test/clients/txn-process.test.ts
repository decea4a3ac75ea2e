import { describe, expect, it } from "vitest";
import { type ClientContext, processCounter } from "../../harness/clients/context.ts";
import type { TxnConsumer, TxnProducerDriver } from "../../harness/clients/txn-client.ts";
import { DeliveryBuffer, type Records } from "../../harness/clients/txn-delivery-buffer.ts";
import { type TxnMicroOp, TxnProcess } from "../../harness/clients/txn-process.ts";
import { createRecorder } from "../../harness/history/recorder.ts";

const protocolError = (type: string) => Object.assign(new Error(type), { name: "KafkaJSProtocolError", type });

/** A producer whose calls succeed unless told otherwise; sends land at increasing offsets per key. */
function fakeProducer(
  fail: Partial<Record<"begin" | "send" | "sendOffsets" | "commit" | "abort", unknown>> = {},
  hang: string[] = [],
  /** Keys whose sends resolve with no offset (kafkajs's [] when its metadata lacks the partition). */
  noOffset: string[] = [],
) {
  const calls: string[] = [];
  const next = new Map<string, number>();
  const step = async <T>(name: keyof typeof fail, v: T): Promise<T> => {
    calls.push(name);
    if (hang.includes(name)) return new Promise<T>(() => {});
    if (fail[name] !== undefined) throw fail[name];
    return v;
  };
  const driver: TxnProducerDriver = {
    begin: () => step("begin", undefined),
    send: (key) => {
      const o = next.get(key) ?? 0;
      next.set(key, o + 1);
      return step("send", noOffset.includes(key) ? undefined : o);
    },
    sendOffsets: (group, offsets) => step("sendOffsets", void calls.push(`offsets ${group} ${JSON.stringify(offsets)}`)),
    commit: () => step("commit", undefined),
    abort: () => step("abort", undefined),
    close: async () => {},
  };
  return { driver, calls };
}

function fakeConsumer(batches: Record<string, Records>[], positions?: Map<string, number>) {
  const buffer = new DeliveryBuffer(positions);
  const seeks: [string, number][] = [];
  const consumer: TxnConsumer = {
    groupId: "g",
    get positions() {
      return buffer.positions;
    },
    alive: true,
    async poll() {
      for (const [key, records] of Object.entries(batches.shift() ?? {})) void buffer.put(key, records, buffer.epochOf(key));
      return buffer.drain();
    },
    seek(key, offset) {
      seeks.push([key, offset]);
      buffer.seek(key, offset);
    },
    close: async () => {},
  };
  return { consumer, seeks };
}

function setup(producer: ReturnType<typeof fakeProducer>, consumer: ReturnType<typeof fakeConsumer>, opTimeoutMs = 2000) {
  const recorder = createRecorder();
  const ctx: ClientContext = { bootstrap: () => [], recorder, nextProcess: processCounter(3) };
  const p = new TxnProcess(ctx.nextProcess(), "t-txn-0", ctx, producer.driver, consumer.consumer, { opTimeoutMs, pollWaitMs: 10 });
  return { p, ops: recorder.ops };
}

const ops: TxnMicroOp[] = [["send", "t-0", 17], ["poll"], ["send", "t-1", 4]];

describe("a recorded transaction (f txn)", () => {
  it("commit acknowledged: ok, sends with offsets, the poll's records, its offsets sent into the transaction", async () => {
    const prod = fakeProducer();
    const { p, ops: h } = setup(
      prod,
      fakeConsumer([
        {
          "t-2": [
            [3, 5],
            [4, 9],
          ],
        },
      ]),
    );
    expect(await p.run(ops, false)).toEqual({ type: "ok", replaceProducer: false });
    expect(h.map(({ process, type, f, value }) => ({ process, type, f, value }))).toEqual([
      { process: 3, type: "invoke", f: "txn", value: [["send", "t-0", 17], ["poll"], ["send", "t-1", 4]] },
      {
        process: 3,
        type: "ok",
        f: "txn",
        value: [
          ["send", "t-0", [0, 17]],
          [
            "poll",
            {
              "t-2": [
                [3, 5],
                [4, 9],
              ],
            },
          ],
          ["send", "t-1", [0, 4]],
        ],
      },
    ]);
    expect(h[1]).toMatchObject({ transactionalId: "t-txn-0" });
    expect(h[1]).not.toHaveProperty("aborted");
    expect(prod.calls).toEqual(["begin", "send", "send", 'offsets g {"t-2":5}', "sendOffsets", "commit"]);
  });

  it("planned abort acknowledged: fail, marked planned, offsets kept; the consumer reads those records again", async () => {
    const cons = fakeConsumer(
      [
        {
          "t-2": [
            [3, 5],
            [4, 9],
          ],
        },
      ],
      new Map([["t-2", 3]]),
    );
    const { p, ops: h } = setup(fakeProducer(), cons);
    expect(await p.run(ops, true)).toEqual({ type: "fail", replaceProducer: false });
    expect(h[1]).toMatchObject({
      type: "fail",
      aborted: "planned",
      value: [
        ["send", "t-0", [0, 17]],
        [
          "poll",
          {
            "t-2": [
              [3, 5],
              [4, 9],
            ],
          },
        ],
        ["send", "t-1", [0, 4]],
      ],
    });
    expect(cons.seeks).toEqual([["t-2", 3]]);
  });

  it("a send error then an acknowledged abort: fail (not planned), new producer, seek back to the first offset read", async () => {
    const cons = fakeConsumer([{ "t-2": [[7, 1]] }]);
    const { p, ops: h } = setup(fakeProducer({ send: protocolError("NOT_ENOUGH_REPLICAS") }), cons);
    expect(await p.run([["poll"], ["send", "t-0", 3]], false)).toEqual({ type: "fail", replaceProducer: true });
    expect(h[1]).toMatchObject({
      type: "fail",
      value: [
        ["poll", { "t-2": [[7, 1]] }],
        ["send", "t-0", 3],
      ],
      error: expect.stringContaining("NOT_ENOUGH_REPLICAS"),
    });
    expect(h[1]).not.toHaveProperty("aborted");
    expect(cons.seeks).toEqual([["t-2", 7]]);
  });

  it("a send error whose abort is not acknowledged: info", async () => {
    const { p, ops: h } = setup(
      fakeProducer({ send: protocolError("NOT_ENOUGH_REPLICAS"), abort: protocolError("COORDINATOR_NOT_AVAILABLE") }),
      fakeConsumer([]),
    );
    expect(await p.run(ops, false)).toEqual({ type: "info", replaceProducer: true });
    expect(h[1]!.type).toBe("info");
  });

  it("a commit error is unknown (info), whatever it says; a planned abort refused is unknown too", async () => {
    for (const [error, abort] of [
      [protocolError("COORDINATOR_LOAD_IN_PROGRESS"), false],
      [protocolError("NOT_COORDINATOR"), true],
    ] as const) {
      const { p, ops: h } = setup(fakeProducer({ commit: error, abort: error }), fakeConsumer([]));
      expect((await p.run(ops, abort)).type).toBe("info");
      expect(h[1]).toMatchObject({
        type: "info",
        value: [
          ["send", "t-0", [0, 17]],
          ["poll", {}],
          ["send", "t-1", [0, 4]],
        ],
      });
    }
  });

  it("fenced: info and a new producer, with no abort tried", async () => {
    const prod = fakeProducer({ send: protocolError("PRODUCER_FENCED") });
    const { p, ops: h } = setup(prod, fakeConsumer([]));
    expect(await p.run(ops, false)).toEqual({ type: "info", replaceProducer: true });
    expect(prod.calls).not.toContain("abort");
    // The first send was issued (and refused); the poll and the second send never were.
    expect(h[1]!.value).toEqual([["send", "t-0", 17]]);
  });

  it("a transaction that does not end within the op timeout: info, unanswered sends stay plain values", async () => {
    const { p, ops: h } = setup(fakeProducer({}, ["commit"]), fakeConsumer([]), 50);
    expect(await p.run(ops, false)).toEqual({ type: "info", replaceProducer: true });
    expect(h[1]).toMatchObject({ type: "info", error: expect.stringContaining("HarnessOpTimeout") });
  });

  it("a send with no answer before the op timeout: info; it stays a plain value and the micro-ops never issued are left out", async () => {
    const { p, ops: h } = setup(fakeProducer({}, ["send"]), fakeConsumer([]), 50);
    expect(await p.run(ops, false)).toEqual({ type: "info", replaceProducer: true });
    expect(h[1]).toMatchObject({ type: "info", value: [["send", "t-0", 17]] });
  });

  it("a send resolved without an offset: the transaction is aborted, a fail naming NoRecordMetadata, never committed", async () => {
    const cons = fakeConsumer([{ "t-2": [[7, 1]] }]);
    const prod = fakeProducer({}, [], ["t-1"]);
    const { p, ops: h } = setup(prod, cons);
    expect(await p.run(ops, false)).toEqual({ type: "fail", replaceProducer: true });
    expect(prod.calls).toContain("abort");
    expect(prod.calls).not.toContain("commit");
    expect(h[1]).toMatchObject({
      type: "fail",
      // The offsetless send stays a plain value: nothing says it was written.
      value: [
        ["send", "t-0", [0, 17]],
        ["poll", { "t-2": [[7, 1]] }],
        ["send", "t-1", 4],
      ],
      error: expect.stringContaining("NoRecordMetadata"),
    });
    expect(h[1]).not.toHaveProperty("aborted");
    expect(cons.seeks).toEqual([["t-2", 7]]);
  });

  it("begin refused (no producer id): a definite fail, nothing was sent", async () => {
    const { p, ops: h } = setup(fakeProducer({ begin: protocolError("COORDINATOR_NOT_AVAILABLE") }), fakeConsumer([]));
    expect(await p.run(ops, false)).toEqual({ type: "fail", replaceProducer: true });
    expect(h[1]!.value).toEqual([]);
  });
});

describe("a recorded copy (the copy workload: one txn op per delivery)", () => {
  const copyOf = (read: Record<string, Records>) =>
    Object.entries(read).flatMap(([key, rs]) => rs.map(([, v]): [string, number] => [`${key.replace(/-(\d+)$/, ".out-$1")}`, v * 1000]));
  const delivery = {
    "t-2": [
      [3, 5],
      [4, 9],
    ] as Records,
  };

  it("poll, a send of each record's copy, the input's next offsets into the transaction, commit: ok, invoked as one poll", async () => {
    const prod = fakeProducer();
    const { p, ops: h } = setup(prod, fakeConsumer([delivery]));
    expect(await p.copy(copyOf)).toEqual({ type: "ok", replaceProducer: false, read: ["t-2"], sent: 2 });
    expect(h.map(({ type, f, value }) => ({ type, f, value }))).toEqual([
      { type: "invoke", f: "txn", value: [["poll"]] },
      {
        type: "ok",
        f: "txn",
        value: [
          ["poll", delivery],
          ["send", "t.out-2", [0, 5000]],
          ["send", "t.out-2", [1, 9000]],
        ],
      },
    ]);
    expect(prod.calls).toEqual(["begin", "send", "send", 'offsets g {"t-2":5}', "sendOffsets", "commit"]);
  });

  it("a crash after the sends: no offsets, no commit, no abort, no seek; info, marked crashed, its sends kept", async () => {
    const prod = fakeProducer();
    const cons = fakeConsumer([delivery], new Map([["t-2", 3]]));
    const { p, ops: h } = setup(prod, cons);
    const r = await p.copy(copyOf, true);
    expect(r).toMatchObject({ type: "info", replaceProducer: true, sent: 2 });
    expect(prod.calls).toEqual(["begin", "send", "send"]);
    expect(cons.seeks).toEqual([]);
    expect(h[1]).toMatchObject({
      type: "info",
      crashed: true,
      value: [
        ["poll", delivery],
        ["send", "t.out-2", [0, 5000]],
        ["send", "t.out-2", [1, 9000]],
      ],
    });
  });

  it("an aborted copy reads its records again", async () => {
    const cons = fakeConsumer([delivery], new Map([["t-2", 3]]));
    const { p } = setup(fakeProducer({ send: protocolError("NOT_LEADER_FOR_PARTITION") }), cons);
    expect((await p.copy(copyOf)).type).toBe("fail");
    expect(cons.seeks).toEqual([["t-2", 3]]);
  });
});
