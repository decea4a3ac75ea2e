// A kafkajs producer that records every send as an op: invoke with the values, then ok (with the
// broker's offsets), fail (certainly not written) or info (unknown). A burst sends several records
// to one key pipelined — one send() per record, not awaiting the previous — in the listed order,
// so retries with several requests in flight can reorder or duplicate them, and the history shows it.
//
// History format of a burst (DESIGN.md section 6; the mapping is burst-outcome.ts): one op, the
// records in send order. Each record the broker acknowledged is recorded as acknowledged, with its
// offset, whatever happened to the rest of its burst: a burst of 17, 18, 19 to t-0 whose second
// record timed out completes as
//   {"type":"info","f":"send","value":[["send","t-0",[42,17]],["send","t-0",18],["send","t-0",[44,19]]],"error":"..."}
// `info` because 18 may or may not have been appended; 17 and 19 carry the offsets the broker
// returned, and the checkers hold them to it (lost-write / unseen if they vanish). A plain value in
// an info op is the unknown part.
//
// kafkajs itself reorders send() calls made in the same tick (measured: 39 of 40 five-record bursts
// had records 4 and 5 swapped, even with idempotence and 1 request in flight), because each call
// goes through several awaits before it reaches the socket. So the burst yields to the event loop
// between calls (each record reaches the connection's queue before the next is issued, still
// without awaiting any answer), a new producer loads its metadata before its first burst, and its
// first burst to a key waits for the first record's answer (kafkajs connects to a partition's leader
// lazily, and sends racing on that first connect come out in any order).
import type { Producer } from "kafkajs";
import type { OpType } from "../history/recorder.ts";
import { completeBurst, type RecordOutcome } from "./burst-outcome.ts";
import { parseKey, type ClientContext } from "./context.ts";
import { newKafka } from "../kafka/client.ts";

export interface ProducerSettings {
  acks: 0 | 1 | "all";
  idempotent: boolean;
  maxInFlight: number;
  retries: number;
  /** Broker-side and client-side request timeout. */
  requestTimeoutMs: number;
  /** After this, an op still waiting completes as info and the client is replaced. */
  opTimeoutMs: number;
}

/** How a send op completed. */
export type Completion = Exclude<OpType, "invoke">;

export class RecordingProducer {
  /** Keys this process has had an answer from: their leader's connection is up. */
  private readonly connectedKeys = new Set<string>();

  private constructor(
    readonly process: number,
    private readonly producer: Producer,
    private readonly ctx: ClientContext,
    private readonly settings: ProducerSettings,
  ) {}

  static async open(ctx: ClientContext, settings: ProducerSettings, topics: string[]): Promise<RecordingProducer> {
    const kafka = newKafka(ctx.bootstrap(), "kafka-harness-producer", { requestTimeout: settings.requestTimeoutMs });
    const producer = kafka.producer({
      idempotent: settings.idempotent,
      maxInFlightRequests: settings.maxInFlight,
      allowAutoTopicCreation: false,
      retry: { retries: settings.retries, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    await producer.connect();
    // An empty send loads the topics' metadata and writes nothing.
    for (const topic of topics) await producer.send({ topic, messages: [] });
    return new RecordingProducer(ctx.nextProcess(), producer, ctx, settings);
  }

  /** Sends the values to the key as one op; returns the completion type. */
  async send(key: string, values: number[]): Promise<Completion> {
    const { recorder } = this.ctx;
    const { topic, partition } = parseKey(key);
    recorder.record({ process: this.process, type: "invoke", f: "send", value: values.map((v) => ["send", key, v]) });
    const acks = this.settings.acks === "all" ? -1 : this.settings.acks;
    const pending: Promise<RecordOutcome>[] = [];
    for (const v of values) {
      pending.push(
        this.producer
          .send({ topic, acks, timeout: this.settings.requestTimeoutMs, messages: [{ partition, value: String(v) }] })
          .then((md): RecordOutcome => {
            const offset = md[0]?.baseOffset;
            return { acked: true, offset: offset === undefined || acks === 0 ? null : Number(offset) };
          })
          .catch((error: unknown): RecordOutcome => ({ acked: false, error })),
      );
      if (pending.length === 1 && !this.connectedKeys.has(key)) {
        if ((await pending[0]!).acked) this.connectedKeys.add(key);
      } else await new Promise((r) => setImmediate(r));
    }
    const timedOut: RecordOutcome = { acked: false, error: { name: "HarnessOpTimeout", message: `no answer within ${this.settings.opTimeoutMs} ms` } };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), this.settings.opTimeoutMs)));
    const outcomes: RecordOutcome[] = [];
    for (const p of pending) {
      // A record already answered wins the race even after the deadline: its answer is kept.
      const r = await Promise.race([p, deadline]);
      outcomes.push(r === "timeout" ? timedOut : r);
    }
    clearTimeout(timer);

    const { type, value, error } = completeBurst(key, values, outcomes);
    recorder.record({ process: this.process, type, f: "send", value, ...(error !== undefined ? { error } : {}) });
    return type;
  }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }
}
