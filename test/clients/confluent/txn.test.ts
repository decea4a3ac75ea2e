// librdkafka's transactions without the package or a cluster: the driver (confluent/txn.ts) over a
// fake binding producer whose calls answer as librdkafka's do (an error object with code and flags),
// run by the shared TxnProcess, so what is tested is the op each answer becomes: ok only for an
// acknowledged commit, fail only for an acknowledged abort (or a transaction never begun), info
// otherwise; and the pure helpers (fenced, committed offsets, commit answers, configuration).
import { describe, expect, it } from "vitest";
import { isConfluentFenced } from "../../../harness/clients/confluent/classify.ts";
import { txnProducerConfig } from "../../../harness/clients/confluent/config.ts";
import type { RdConsumer, RdKafkaError, RdProducer } from "../../../harness/clients/confluent/package.ts";
import {
  ConfluentTxnProducer,
  commitAnswerError,
  committedOffsets,
  onTxnDeliveryReport,
  txnCallMs,
} from "../../../harness/clients/confluent/txn.ts";
import { type ClientContext, processCounter } from "../../../harness/clients/context.ts";
import type { TxnConsumer } from "../../../harness/clients/txn-client.ts";
import { DeliveryBuffer, type Records } from "../../../harness/clients/txn-delivery-buffer.ts";
import { type TxnMicroOp, TxnProcess } from "../../../harness/clients/txn-process.ts";
import { createRecorder } from "../../../harness/history/recorder.ts";
import { parseTestSpec } from "../../../harness/spec/test-spec.ts";

/** An error as the binding hands it to a transactional call's callback (Baton::ToTxnObject). */
const rdErr = (code: number, flags: Partial<Pick<RdKafkaError, "isFatal" | "isRetriable" | "isTxnRequiresAbort">> = {}) =>
  Object.assign(new Error(`librdkafka error ${code}`), { code, isFatal: false, isRetriable: false, isTxnRequiresAbort: false, ...flags });

type Call = "initTransactions" | "beginTransaction" | "sendOffsetsToTransaction" | "commitTransaction" | "abortTransaction";

/** A binding Producer: transactional calls answer (asynchronously) with `answers[call]` or success;
 *  produce() throws `enqueue` or reports `report` (an error) or the next offset of the partition. */
function fakeBinding(
  opts: { answers?: Partial<Record<Call, unknown>>; report?: unknown; enqueue?: unknown; hang?: Call[]; groupDelayMs?: number } = {},
) {
  const calls: string[] = [];
  const next = new Map<string, number>();
  const answer = (name: Call, cb: (err: RdKafkaError | null) => void) => {
    calls.push(name);
    if (opts.hang?.includes(name)) return;
    setImmediate(() => cb((opts.answers?.[name] as RdKafkaError | undefined) ?? null));
  };
  const producer = {
    initTransactions: (_t: number, cb: (err: RdKafkaError | null) => void) => answer("initTransactions", cb),
    beginTransaction: (cb: (err: RdKafkaError | null) => void) => answer("beginTransaction", cb),
    commitTransaction: (_t: number, cb: (err: RdKafkaError | null) => void) => answer("commitTransaction", cb),
    abortTransaction: (_t: number, cb: (err: RdKafkaError | null) => void) => answer("abortTransaction", cb),
    sendOffsetsToTransaction: (offsets: unknown, consumer: unknown, _t: number, cb: (err: RdKafkaError | null) => void) => {
      calls.push(`offsets ${JSON.stringify(offsets)} via ${(consumer as { group: string }).group}`);
      answer("sendOffsetsToTransaction", cb);
    },
    produce(topic: string, partition: number, _v: Buffer, _k: null, _ts: null, opaque: unknown) {
      calls.push(`produce ${topic}-${partition}`);
      if (opts.enqueue) throw opts.enqueue;
      const key = `${topic}-${partition}`;
      const offset = next.get(key) ?? 0;
      next.set(key, offset + 1);
      setImmediate(() => onTxnDeliveryReport((opts.report as RdKafkaError) ?? null, { topic, partition, offset, opaque }));
    },
    flush: () => undefined,
    disconnect: (_t: number, cb: () => void) => {
      calls.push("disconnect");
      cb();
    },
  } as unknown as RdProducer;
  const driver = new ConfluentTxnProducer(
    {
      producer,
      groupConsumer: async (group) => {
        await new Promise((r) => setTimeout(r, opts.groupDelayMs ?? 0));
        return { group } as unknown as RdConsumer;
      },
      closeGroupConsumers: async () => {},
    },
    { transactionalId: "t-txn-0", retries: 5, requestTimeoutMs: 5000, transactionTimeoutMs: 80_000 },
  );
  return { driver, calls };
}

function fakeConsumer(batches: Record<string, Records>[]): TxnConsumer {
  const buffer = new DeliveryBuffer();
  return {
    groupId: "g",
    get positions() {
      return buffer.positions;
    },
    alive: true,
    async poll() {
      for (const [key, records] of Object.entries(batches.shift() ?? {})) void buffer.put(key, records, buffer.epochOf(key));
      return buffer.drain();
    },
    seek: (key, offset) => buffer.seek(key, offset),
    close: async () => {},
  };
}

async function run(binding: ReturnType<typeof fakeBinding>, plannedAbort = false, opTimeoutMs = 2000) {
  const recorder = createRecorder();
  const ctx: ClientContext = { bootstrap: () => [], recorder, nextProcess: processCounter(3) };
  const p = new TxnProcess(ctx.nextProcess(), "t-txn-0", ctx, binding.driver, fakeConsumer([{ "t-2": [[7, 1]] }]), {
    opTimeoutMs,
    pollWaitMs: 10,
  });
  const ops: TxnMicroOp[] = [["send", "t-0", 17], ["poll"]];
  const result = await p.run(ops, plannedAbort);
  return { result, op: recorder.ops[1]! };
}

describe("confluent transactions: librdkafka's answers -> the transaction's op", () => {
  it("every call answered: ok, the send at its delivery report's offset, the offsets sent with the group's consumer", async () => {
    const b = fakeBinding();
    const { result, op } = await run(b);
    expect(result).toEqual({ type: "ok", replaceProducer: false });
    expect(op.value).toEqual([
      ["send", "t-0", [0, 17]],
      ["poll", { "t-2": [[7, 1]] }],
    ]);
    expect(b.calls).toEqual([
      "beginTransaction",
      "produce t-0",
      'offsets [{"topic":"t","partition":2,"offset":8}] via g',
      "sendOffsetsToTransaction",
      "commitTransaction",
    ]);
  });

  it("a planned abort answered: fail, marked planned", async () => {
    const { result, op } = await run(fakeBinding(), true);
    expect(result.type).toBe("fail");
    expect(op).toMatchObject({ type: "fail", aborted: "planned" });
  });

  it("a delivery report error (message timed out: it may have been written), then an answered abort: fail (the abort covers it)", async () => {
    const b = fakeBinding({ report: rdErr(-192) });
    const { result, op } = await run(b);
    expect(result).toEqual({ type: "fail", replaceProducer: true });
    expect(op.value).toEqual([["send", "t-0", 17]]);
    expect(op.error).toContain("-192");
    expect(b.calls).toContain("abortTransaction");
    expect(b.calls).not.toContain("commitTransaction");
  });

  it("produce() refused (the transaction already needs an abort), abort answered: fail", async () => {
    const b = fakeBinding({ enqueue: rdErr(-172) });
    expect((await run(b)).result).toEqual({ type: "fail", replaceProducer: true });
    expect(b.calls).toContain("abortTransaction");
  });

  it("sendOffsetsToTransaction refused with an abortable error, abort answered: fail", async () => {
    const b = fakeBinding({ answers: { sendOffsetsToTransaction: rdErr(51, { isTxnRequiresAbort: true }) } });
    const { result, op } = await run(b);
    expect(result.type).toBe("fail");
    expect(op.error).toContain("requires abort");
  });

  it("an abort that is not answered (timed out, retriable) after a failed send: info", async () => {
    const b = fakeBinding({ report: rdErr(-192), answers: { abortTransaction: rdErr(-185, { isRetriable: true }) } });
    expect((await run(b)).result).toEqual({ type: "info", replaceProducer: true });
  });

  it("a commit error is info whatever its flags (requires abort, retriable timeout, fatal); no abort is tried", async () => {
    for (const e of [rdErr(-149, { isTxnRequiresAbort: true }), rdErr(-185, { isRetriable: true }), rdErr(47, { isFatal: true })]) {
      const b = fakeBinding({ answers: { commitTransaction: e } });
      const { result, op } = await run(b);
      expect(result).toEqual({ type: "info", replaceProducer: true });
      expect(op.value).toEqual([
        ["send", "t-0", [0, 17]],
        ["poll", { "t-2": [[7, 1]] }],
      ]);
      expect(b.calls).not.toContain("abortTransaction");
    }
  });

  it("fenced (a delivery report ERR__FENCED, or a fatal sendOffsets error): info, a new producer, no abort tried", async () => {
    for (const opts of [{ report: rdErr(-144) }, { answers: { sendOffsetsToTransaction: rdErr(90, { isFatal: true }) } }]) {
      const b = fakeBinding(opts);
      expect((await run(b)).result).toEqual({ type: "info", replaceProducer: true });
      expect(b.calls).not.toContain("abortTransaction");
    }
  });

  it("beginTransaction refused: a definite fail, nothing produced", async () => {
    const b = fakeBinding({ answers: { beginTransaction: rdErr(-172) } });
    const { result, op } = await run(b);
    expect(result.type).toBe("fail");
    expect(op.value).toEqual([]);
    expect(b.calls).toEqual(["beginTransaction"]);
  });

  it("a commit with no answer within the op timeout: info; close() waits for the call before destroying the producer", async () => {
    const b = fakeBinding({ hang: ["commitTransaction"] });
    const { result } = await run(b, false, 50);
    expect(result).toEqual({ type: "info", replaceProducer: true });
    let closed = false;
    const closing = b.driver.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(closed).toBe(false);
    expect(b.calls).not.toContain("disconnect");
    void closing;
  });
});

describe("confluent transactions: closing", () => {
  it("close() during sendOffsets (the group's consumer still connecting): no binding call starts after it, the producer is destroyed last", async () => {
    const b = fakeBinding({ groupDelayMs: 30 });
    await b.driver.begin();
    const offsets = b.driver.sendOffsets("g", { "t-0": 5 }).catch((e: Error) => e.message);
    await new Promise((r) => setTimeout(r, 5));
    await b.driver.close();
    expect(await offsets).toMatch(/closing/);
    expect(b.calls).toEqual(["beginTransaction", "disconnect"]);
  });
});

describe("confluent transactions: pure helpers", () => {
  it("fenced: the fencing codes and any fatal error; not a retriable or an abortable one", () => {
    for (const code of [-144, 90, 47, 49, 53, -150]) expect(isConfluentFenced(rdErr(code))).toBe(true);
    expect(isConfluentFenced(rdErr(-172, { isFatal: true }))).toBe(true);
    expect(isConfluentFenced(rdErr(51, { isRetriable: true }))).toBe(false);
    expect(isConfluentFenced(rdErr(-149, { isTxnRequiresAbort: true }))).toBe(false);
    expect(isConfluentFenced(new Error("plain"))).toBe(false);
  });

  it("committed offsets: none committed is 0; a partition carrying an error is asked again (throws)", () => {
    expect(
      Object.fromEntries(
        committedOffsets(
          ["t-0", "t-1"],
          [
            { topic: "t", partition: 1, offset: 42 },
            { topic: "t", partition: 0 },
          ],
        ),
      ),
    ).toEqual({
      "t-0": 0,
      "t-1": 42,
    });
    expect(() => committedOffsets(["t-0"], [new Error("Broker: Unstable offset commit")])).toThrow(/Unstable/);
  });

  it("a commit's answer: the request's error, else a partition's; none when every offset was taken", () => {
    const e = rdErr(27);
    expect(commitAnswerError(e, [])).toBe(e);
    const p = new Error("Broker: Unknown member");
    expect(commitAnswerError(null, [{ topic: "t", partition: 0, offset: 3 }, p])).toBe(p);
    expect(commitAnswerError(null, [{ topic: "t", partition: 0, offset: 3 }])).toBeUndefined();
  });

  it("configuration: the transactional id and timeout, acks=all, idempotent, records given up within the transaction's time", () => {
    const c = txnProducerConfig(["127.0.0.1:1"], {
      transactionalId: "x",
      retries: 0,
      requestTimeoutMs: 5000,
      transactionTimeoutMs: 20_000,
    });
    expect(c).toMatchObject({ "transactional.id": "x", "transaction.timeout.ms": 20_000, acks: -1, "enable.idempotence": true });
    expect(c["message.timeout.ms"]).toBeLessThanOrEqual(20_000);
    expect(c["message.send.max.retries"]).toBeGreaterThan(0);
    expect(txnCallMs({ requestTimeoutMs: 5000, transactionTimeoutMs: 80_000 })).toBe(15_000);
    expect(txnCallMs({ requestTimeoutMs: 5000, transactionTimeoutMs: 8000 })).toBe(8000);
  });

  it("the spec takes the txn and copy workloads through confluent (its copiers read their own partitions: assign)", () => {
    expect(parseTestSpec({ client: "confluent", workload: { kind: "txn" } }).client).toBe("confluent");
    expect(parseTestSpec({ client: "confluent", workload: { kind: "copy" } }).consumer.mode).toBe("assign");
  });
});

describe("confluent transactions: the consumer", () => {
  /** A binding KafkaConsumer over one partition t-0 whose log holds offsets 0..limit-1 (value
   *  offset*10); seek() takes effect only when the test finishes it (the binding's worker, later). */
  function fakeRdConsumer(immediateSeek = false) {
    const state = { position: 0, limit: 3, consuming: false, pendingSeek: undefined as (() => void) | undefined };
    const consumer = {
      connect: (_o: unknown, cb: (err: null, md: unknown) => void) => setImmediate(() => cb(null, { topics: [] })),
      setDefaultConsumeTimeout: () => undefined,
      setDefaultIsTimeoutOnlyForFirstMessage: () => undefined,
      on: () => undefined,
      assign: (a: { offset: number }[]) => {
        state.position = a[0]!.offset;
      },
      seek: (tp: { offset: number }, _t: number, cb: () => void) => {
        state.pendingSeek = () => {
          state.position = tp.offset;
          cb();
        };
        if (immediateSeek) state.pendingSeek();
      },
      consume: (_n: number, cb: (err: null, m: unknown[]) => void) => {
        state.consuming = true;
        setTimeout(() => {
          state.consuming = false;
          const out = [];
          for (; state.position < state.limit; state.position++)
            out.push({ topic: "t", partition: 0, offset: state.position, value: Buffer.from(String(state.position * 10)) });
          cb(null, out);
        }, 5);
      },
      disconnect: (cb: () => void) => cb(),
    };
    return { consumer: consumer as unknown as RdConsumer, state };
  }

  it("after a seek back, reads resume at the seek's offset: records librdkafka fetched before its seek ran are not handed out", async () => {
    const { ConfluentTxnConsumer } = await import("../../../harness/clients/confluent/txn.ts");
    const { BufferedTxnConsumer } = await import("../../../harness/clients/buffered-txn-consumer.ts");
    const f = fakeRdConsumer();
    const c = await BufferedTxnConsumer.started(
      new ConfluentTxnConsumer(f.consumer, { topic: "t", keys: ["t-0"], groupId: "g", isolation: "read_committed" }, [], undefined),
    );
    expect(await c.poll(1000)).toEqual({
      "t-0": [
        [0, 0],
        [1, 10],
        [2, 20],
      ],
    });
    c.seek("t-0", 1); // an aborted transaction read 1 and 2: read them again
    f.state.limit = 6; // more records arrive before librdkafka's seek ran
    await new Promise((r) => setTimeout(r, 50));
    f.state.pendingSeek?.();
    await new Promise((r) => setTimeout(r, 50));
    expect((await c.poll(1000))["t-0"]?.[0]).toEqual([1, 10]);
    await c.close();
  });

  it("a seek while a consume() is in flight: what that call took from the new position is fetched again, not skipped", async () => {
    const { ConfluentTxnConsumer } = await import("../../../harness/clients/confluent/txn.ts");
    const { BufferedTxnConsumer } = await import("../../../harness/clients/buffered-txn-consumer.ts");
    const f = fakeRdConsumer(true);
    const c = await BufferedTxnConsumer.started(
      new ConfluentTxnConsumer(f.consumer, { topic: "t", keys: ["t-0"], groupId: "g", isolation: "read_committed" }, [], undefined),
    );
    expect((await c.poll(1000))["t-0"]).toHaveLength(3);
    // The fetch loop is inside a consume() (the fake answers after 5 ms); librdkafka seeks at once.
    while (!f.state.consuming) await new Promise((r) => setImmediate(r));
    c.seek("t-0", 1);
    f.state.limit = 6;
    await new Promise((r) => setTimeout(r, 50));
    expect((await c.poll(1000))["t-0"]?.[0]).toEqual([1, 10]);
    await c.close();
  });
});
