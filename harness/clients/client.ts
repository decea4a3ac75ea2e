// The client interface at the edge (docs/design.md, Clients): what the workload and the final reads
// ask of a Kafka client library, whichever it is. Each library implements it in its own folder
// (kafkajs/, platformatic/, confluent/; loaded by registry.ts); the recording (invoke, then ok /
// fail / info) is shared (recording-producer.ts, poll-recorder.ts), so every client writes the same
// history by the same rules and differs only in what the library does and which errors it raises
// (each library's classify.ts).

import type { OpType } from "../history/recorder.ts";
import type { ClientName } from "../spec/client.ts";
import type { ClientContext } from "./context.ts";

export interface ProducerSettings {
  acks: 0 | 1 | "all";
  idempotent: boolean;
  maxInFlight: number;
  retries: number;
  /** Broker-side and client-side request timeout. */
  requestTimeoutMs: number;
  /** After this, an op still waiting completes (info if a record is unanswered) and the client is
   *  replaced; what its records get later is recorded as late-ack ops. */
  opTimeoutMs: number;
}

/** How a send op completed. */
export type Completion = Exclude<OpType, "invoke">;

/** A producer process: each send is one op (a burst of records to one key, in send order). */
export interface ProducerClient {
  readonly process: number;
  /** Sends the values to the key as one op, recorded; returns the completion type. */
  send(key: string, values: number[]): Promise<Completion>;
  /** Records acknowledged after their op completed, recorded as late-ack ops so far. */
  readonly lateAcks: number;
  /** Once the records its ops gave up on are answered, or `after` (default: now) resolved and the
   *  client's delivery budget passed: an answer that comes later is not recorded. */
  close(after?: Promise<void>): Promise<void>;
}

export type ConsumerMode = "assign" | "subscribe";

export interface ConsumerOptions {
  mode: ConsumerMode;
  topic: string;
  /** The keys (topic-partitions) this consumer reads: all partitions of the topic. */
  keys: string[];
  /** subscribe mode: the shared group. */
  groupId?: string;
  /** Start positions (assign mode), e.g. carried over from a crashed predecessor. */
  positions?: Map<string, number>;
  sessionTimeoutMs?: number;
}

/** A consumer process: every delivery is one poll op (docs/design.md, Clients). */
export interface ConsumerClient {
  readonly process: number;
  /** Next offset to read per key (assign mode). */
  readonly positions: Map<string, number>;
  /** False once the client gave up (the workload replaces it, keeping its positions). */
  readonly alive: boolean;
  /** Resolves after the next delivery (or crash, or the timeout): lets callers wait for progress. */
  nextDelivery(timeoutMs: number): Promise<void>;
  /** Moves the position of one key (assign mode): the next delivery of that key starts there. */
  seek(key: string, offset: number): void;
  close(): Promise<void>;
}

/** The rule a library's read_committed consumers drop aborted records by, as probed at run time:
 *  Kafka's, or kafkajs 2.2.4's own (which can hand out records of aborted transactions). */
export interface ReadCommittedFilter {
  client: ClientName;
  filter: "kafka-rule" | "kafkajs-2.2.4";
}

/** One client library: opens recording producers and consumers. */
export interface KafkaClient {
  readonly name: ClientName;
  openProducer(ctx: ClientContext, settings: ProducerSettings, topics: string[]): Promise<ProducerClient>;
  openConsumer(ctx: ClientContext, opts: ConsumerOptions): Promise<ConsumerClient>;
  /** Probes the library's own read_committed filter, where the harness had to fix it (kafkajs).
   *  Absent: the library's consumers drop aborted records by the harness's rule or the broker's. */
  probeReadCommittedFilter?(): ReadCommittedFilter;
}
