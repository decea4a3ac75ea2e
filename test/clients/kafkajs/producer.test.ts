// kafkajs's answers to one record's send(), as the recording producer sees them: under acks 1/all
// an answer without the record's offset is not an acknowledgement (kafkajs resolves send() with []
// when its metadata lacks the partition, having sent nothing).
import type { Producer, RecordMetadata } from "kafkajs";
import { describe, expect, it } from "vitest";
import type { ProducerSettings } from "../../../harness/clients/client.ts";
import { KafkajsProducerDriver } from "../../../harness/clients/kafkajs/producer.ts";

const settings = (acks: ProducerSettings["acks"]): ProducerSettings => ({
  acks,
  idempotent: false,
  maxInFlight: 5,
  retries: 5,
  requestTimeoutMs: 5000,
  opTimeoutMs: 10000,
});
const answering = (md: RecordMetadata[]) => ({ send: async () => md }) as unknown as Producer;
const outcome = async (acks: ProducerSettings["acks"], md: RecordMetadata[]) => {
  const [p] = await new KafkajsProducerDriver(answering(md), settings(acks)).issue("t-1", [7]);
  return p!;
};

describe("kafkajs send answers", () => {
  it("an answer with the partition's offset is an acknowledgement at that offset", async () => {
    expect(await outcome("all", [{ topicName: "t", partition: 1, errorCode: 0, baseOffset: "42" }])).toEqual({ acked: true, offset: 42 });
  });
  it("an empty answer under acks=all or acks=1 is no acknowledgement (info), not ok", async () => {
    for (const acks of ["all", 1] as const) {
      const r = await outcome(acks, []);
      expect(r.acked).toBe(false);
      expect(r).toMatchObject({ error: { name: "NoRecordMetadata" } });
    }
  });
  it("under acks=0 nothing is ever answered: acknowledged with no offset, as before", async () => {
    expect(await outcome(0, [])).toEqual({ acked: true, offset: null });
  });
});
