// An acknowledgement that comes after the op timeout: the op has completed `info`, the client is
// still retrying, and the broker then acknowledges the record. For each client library's driver,
// the answer is appended as a late-ack op, the producer's close() waits for it, and the checkers
// count it as an acknowledgement (a late-acked record missing from the reads is `unseen`).
import type { Producer as KafkajsProducer } from "kafkajs";
import { describe, expect, it } from "vitest";
import { check } from "../../checkers/check.ts";
import type { Op } from "../../checkers/history.ts";
import type { RecordOutcome } from "../../harness/clients/burst-outcome.ts";
import type { KafkaClient, ProducerSettings } from "../../harness/clients/client.ts";
import type { RdProducer } from "../../harness/clients/confluent/package.ts";
import { ConfluentProducerDriver, onDeliveryReport, type Pending } from "../../harness/clients/confluent/producer.ts";
import { type ClientContext, processCounter } from "../../harness/clients/context.ts";
import { KafkajsProducerDriver } from "../../harness/clients/kafkajs/producer.ts";
import { PlatformaticProducerDriver } from "../../harness/clients/platformatic/producer.ts";
import { type ProducerDriver, RecordingProducer } from "../../harness/clients/recording-producer.ts";
import { createRecorder } from "../../harness/history/recorder.ts";
import { parseTestSpec } from "../../harness/spec/test-spec.ts";
import { runWorkload } from "../../harness/workload/execute.ts";

const settings: ProducerSettings = { acks: "all", idempotent: false, maxInFlight: 5, retries: 5, requestTimeoutMs: 5000, opTimeoutMs: 20 };
/** Far longer than any test waits: close() returns because the answer came, not because it gave up. */
const LONG = 60_000;

/** A fake library: each record issued waits until the test answers it with an offset. */
interface FakeLibrary {
  driver: ProducerDriver;
  /** Acknowledges the i-th record issued (0-based) at this offset. */
  answer(i: number, offset: number): void;
  closed: boolean;
}

function answers() {
  const gates: Array<(offset: number) => void> = [];
  return {
    next: () => new Promise<number>((r) => gates.push(r)),
    answer: (i: number, offset: number) => gates[i]!(offset),
  };
}

const LIBRARIES: Record<string, () => FakeLibrary> = {
  kafkajs() {
    const a = answers();
    const lib: FakeLibrary = { driver: undefined as never, answer: a.answer, closed: false };
    const producer = {
      send: ({ topic, messages }: { topic: string; messages: Array<{ partition: number }> }) =>
        a.next().then((offset) => [{ topicName: topic, partition: messages[0]!.partition, errorCode: 0, baseOffset: String(offset) }]),
      disconnect: async () => void (lib.closed = true),
    } as unknown as KafkajsProducer;
    lib.driver = new KafkajsProducerDriver(producer, settings);
    return lib;
  },
  platformatic() {
    const a = answers();
    const lib: FakeLibrary = { driver: undefined as never, answer: a.answer, closed: false };
    const producer = {
      send: ({ messages }: { messages: Array<{ topic: string; partition: number }> }) =>
        a
          .next()
          .then((offset) => ({ offsets: [{ topic: messages[0]!.topic, partition: messages[0]!.partition, offset: BigInt(offset) }] })),
      close: async () => void (lib.closed = true),
    };
    lib.driver = new PlatformaticProducerDriver(producer as never, settings);
    return lib;
  },
  confluent() {
    // librdkafka answers through delivery reports carrying each record's opaque.
    const issued: Pending[] = [];
    const report = onDeliveryReport(-1);
    const lib: FakeLibrary = {
      driver: undefined as never,
      answer: (i, offset) => report(null, { topic: issued[i]!.topic, partition: issued[i]!.partition, offset, opaque: issued[i] }),
      closed: false,
    };
    const producer = {
      produce: (_t: string, _p: number, _v: Buffer, _k: null, _ts: null, opaque: Pending) => void issued.push(opaque),
      flush: () => undefined,
      disconnect: (_ms: number, done: () => void) => {
        lib.closed = true;
        done();
      },
    } as unknown as RdProducer;
    lib.driver = new ConfluentProducerDriver(producer, settings);
    return lib;
  },
};

function context(): ClientContext {
  return { bootstrap: () => [], recorder: createRecorder(), nextProcess: processCounter() };
}

/** Records settle in a later turn of the event loop: let them. */
const turn = () => new Promise((r) => setImmediate(r));

describe.each(Object.keys(LIBRARIES))("%s: an acknowledgement after the op timeout", (name) => {
  it("is recorded as a late-ack op, and close() waits for it before closing the library's producer", async () => {
    const lib = LIBRARIES[name]!();
    const ctx = context();
    const producer = new RecordingProducer(ctx, lib.driver, { opTimeoutMs: settings.opTimeoutMs, lateWaitMs: LONG });
    const sent = producer.send("t-0", [0, 1]);
    lib.answer(0, 10); // the first record in time (kafkajs waits for a new key's first answer)
    expect(await sent).toBe("info");
    const completion = ctx.recorder.ops.at(-1)!;
    expect(completion).toMatchObject({
      type: "info",
      f: "send",
      value: [
        ["send", "t-0", [10, 0]],
        ["send", "t-0", 1],
      ],
    });

    const closed = producer.close();
    await turn();
    expect(lib.closed).toBe(false); // still waiting for record 1's answer
    lib.answer(1, 11);
    await closed;
    expect(lib.closed).toBe(true);
    expect(producer.lateAcks).toBe(1);
    expect(ctx.recorder.ops.at(-1)).toMatchObject({
      process: completion.process,
      type: "info",
      f: "late-ack",
      value: [["send", "t-0", [11, 1]]],
      op: completion.index,
    });

    // The checkers hold the broker to it: a read that never returns value 1 leaves it unseen.
    const history: Op[] = [
      ...ctx.recorder.ops,
      { index: ctx.recorder.ops.length, time: 0, process: 9, type: "invoke", f: "poll", value: [["poll"]] },
      { index: ctx.recorder.ops.length + 1, time: 0, process: 9, type: "ok", f: "poll", value: [["poll", { "t-0": [[10, 0]] }]] },
    ];
    const results = check(history);
    expect(results.anomalies.unseen?.examples.map((e) => (e as { value: number }).value)).toEqual([1]);
    expect(results.valid).toBe(false);
  });

  it("an answer that comes after close() gave up is not recorded (recording ends before the final reads)", async () => {
    const lib = LIBRARIES[name]!();
    const ctx = context();
    const producer = new RecordingProducer(ctx, lib.driver, { opTimeoutMs: settings.opTimeoutMs, lateWaitMs: 1 });
    const sent = producer.send("t-0", [0, 1]);
    lib.answer(0, 10);
    expect(await sent).toBe("info");
    await producer.close();
    lib.answer(1, 11);
    await turn();
    expect(ctx.recorder.ops.filter((o) => o.f === "late-ack")).toEqual([]);
    expect(producer.lateAcks).toBe(0);
  });
});

describe("the queue workload", () => {
  it("returns only once a replaced producer's late answers are recorded", async () => {
    // One producer, one single-record burst whose answer comes after its op timed out.
    const spec = parseTestSpec({ workload: { producers: 1, rate: 1000 }, consumer: { count: 0 } });
    const ctx = context();
    const recorder = ctx.recorder;
    let answer: (o: RecordOutcome) => void = () => {};
    let closedAt = -1;
    const driver: ProducerDriver = {
      issue: async () => [new Promise<RecordOutcome>((r) => (answer = r))],
      classify: () => "info",
      close: async () => void (closedAt = recorder.ops.length),
    };
    // The broker answers once the op has completed info.
    const record = recorder.record.bind(recorder);
    recorder.record = (op) => {
      const full = record(op);
      if (op.f === "send" && op.type === "info") setImmediate(() => answer({ acked: true, offset: 7 }));
      return full;
    };
    const client = {
      name: "kafkajs",
      openProducer: async (c: ClientContext) => new RecordingProducer(c, driver, { opTimeoutMs: 20, lateWaitMs: LONG }),
      openConsumer: async () => {
        throw new Error("no consumers");
      },
    } as KafkaClient;
    const plan = { keys: ["t-0"], consumers: 0, producers: [[{ key: "t-0", burst: 1 }]] };
    const stats = await runWorkload(spec, plan, ctx, client, new AbortController().signal);
    expect(stats.sends.info).toBe(1);
    expect(stats.lateAcks).toBe(1);
    const late = recorder.ops.findIndex((o) => o.f === "late-ack");
    expect(recorder.ops[late]).toMatchObject({ type: "info", value: [["send", "t-0", [7, 0]]] });
    // Recorded before the producer was closed, and before runWorkload returned.
    expect(closedAt).toBe(late + 1);
  });

  it("a replaced producer keeps recording while the workload runs, past its own wait", async () => {
    // Step 1 ends info with its record unanswered; its producer is replaced, and would give up
    // 1 ms later on its own. The answer comes 20 ms into step 2, while the workload still runs.
    const spec = parseTestSpec({ workload: { producers: 1, rate: 1000 }, consumer: { count: 0 } });
    const ctx = context();
    let first: (o: RecordOutcome) => void = () => {};
    let issued = 0;
    const driver: ProducerDriver = {
      issue: async () => {
        if (issued++ === 0) return [new Promise<RecordOutcome>((r) => (first = r))];
        await new Promise((r) => setTimeout(r, 20));
        first({ acked: true, offset: 5 });
        return [Promise.resolve<RecordOutcome>({ acked: true, offset: 6 })];
      },
      classify: () => "info",
      close: async () => {},
    };
    const client = {
      name: "kafkajs",
      openProducer: async (c: ClientContext) => new RecordingProducer(c, driver, { opTimeoutMs: 20, lateWaitMs: 1 }),
      openConsumer: async () => {
        throw new Error("no consumers");
      },
    } as KafkaClient;
    const plan = {
      keys: ["t-0"],
      consumers: 0,
      producers: [
        [
          { key: "t-0", burst: 1 },
          { key: "t-0", burst: 1 },
        ],
      ],
    };
    const stats = await runWorkload(spec, plan, ctx, client, new AbortController().signal);
    expect(stats.sends).toEqual({ ok: 1, info: 1, fail: 0 });
    expect(stats.lateAcks).toBe(1);
    expect(ctx.recorder.ops.find((o) => o.f === "late-ack")).toMatchObject({ value: [["send", "t-0", [5, 0]]] });
  });
});
