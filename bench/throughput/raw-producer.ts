// The baseline of the throughput bench: a client library's producer driven by itself, without the
// harness's recording (no ops, no history file, no op timeout, no classification). Each record is
// one send, the burst's records issued in order without awaiting each other, as the harness's
// drivers issue them (harness/clients/*/producer.ts), with the same settings, so the recorded and
// raw figures differ by the recording only. One module per library (kafkajs.ts, platformatic.ts,
// confluent.ts), loaded only when its client is measured.
import type { ProducerSettings } from "../../harness/clients/client.ts";
import type { ClientName } from "../../harness/spec/client.ts";

export interface RawProducer {
  /** Sends the values to one partition as a burst; resolves with how many were acknowledged. */
  send(partition: number, values: number[]): Promise<number>;
  close(): Promise<void>;
}

export type OpenRawProducer = (bootstrap: string[], topic: string, settings: ProducerSettings) => Promise<RawProducer>;

/** Resolved outcomes counted: the acknowledged records of a burst. */
export async function countAcked(pending: Promise<unknown>[]): Promise<number> {
  return (await Promise.allSettled(pending)).filter((r) => r.status === "fulfilled").length;
}

export async function loadRawProducer(name: ClientName): Promise<OpenRawProducer> {
  switch (name) {
    case "kafkajs":
      return (await import("./kafkajs.ts")).openRawKafkajs;
    case "platformatic":
      return (await import("./platformatic.ts")).openRawPlatformatic;
    case "confluent":
      return (await import("./confluent.ts")).openRawConfluent;
  }
}
