// How long a client library may still answer a record after it was sent: its own retry budget,
// from the producer settings each client is opened with. The queue workload's op timeout must not
// be shorter (test-spec.ts refuses it unless producer.allowShortOpTimeout), so the harness does not
// give up on an op the client is still retrying; and a producer replaced after an `info` op stays
// open this long for its records' answers (recording-producer.ts).
//
// Nominal: every attempt waits its whole request timeout and every backoff is the longest. A
// library's metadata refreshes and reconnects between attempts are not counted, so an answer can
// still come later: the recording keeps every record's answer until the producer is closed.
//
// The producers are opened with the backoffs below (imported there), so this and their
// configuration cannot drift apart.
import type { ClientName } from "./client.ts";

/** kafkajs's producer retry: backoffs start near initialRetryTime and double, up to maxRetryTime. */
export const KAFKAJS_PRODUCER_RETRY = { initialRetryTime: 100, maxRetryTime: 1000 } as const;
/** @platformatic/kafka's retryDelay: the same pause before each retry. */
export const PLATFORMATIC_RETRY_DELAY_MS = 100;
/** librdkafka's retry.backoff.ms. */
export const RDKAFKA_RETRY_BACKOFF_MS = 100;

/** The producer settings a budget depends on (a spec's `producer`). */
export interface RetrySettings {
  retries: number;
  requestTimeoutMs: number;
}

export interface DeliveryBudget {
  ms: number;
  /** How it adds up, for the refusal's message. */
  sum: string;
}

const attempts = (s: RetrySettings) => s.retries + 1;

/** librdkafka's message.timeout.ms: the window of its retries, as long as the other libraries'
 *  retry loops last (it would give up on a record at the op timeout otherwise). */
export function rdkafkaMessageTimeoutMs(s: RetrySettings): number {
  return attempts(s) * s.requestTimeoutMs + s.retries * RDKAFKA_RETRY_BACKOFF_MS;
}

/** The longest a client library may take to answer one record, retries included. */
export function deliveryBudget(client: ClientName, s: RetrySettings): DeliveryBudget {
  const tries = `${attempts(s)} attempt${attempts(s) === 1 ? "" : "s"} × ${s.requestTimeoutMs} ms request timeout`;
  switch (client) {
    case "kafkajs":
      return {
        ms: attempts(s) * s.requestTimeoutMs + s.retries * KAFKAJS_PRODUCER_RETRY.maxRetryTime,
        sum: `${tries} + ${s.retries} backoffs of up to ${KAFKAJS_PRODUCER_RETRY.maxRetryTime} ms`,
      };
    case "platformatic":
      return {
        ms: attempts(s) * s.requestTimeoutMs + s.retries * PLATFORMATIC_RETRY_DELAY_MS,
        sum: `${tries} + ${s.retries} retry delays of ${PLATFORMATIC_RETRY_DELAY_MS} ms`,
      };
    case "confluent":
      // A request in flight when message.timeout.ms passes is still awaited, up to its timeout.
      return {
        ms: rdkafkaMessageTimeoutMs(s) + s.requestTimeoutMs,
        sum: `message.timeout.ms ${rdkafkaMessageTimeoutMs(s)} (${tries} + ${s.retries} backoffs of ${RDKAFKA_RETRY_BACKOFF_MS} ms) + one request in flight ${s.requestTimeoutMs} ms`,
      };
  }
}
