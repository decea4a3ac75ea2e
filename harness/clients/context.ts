// What every recording client shares: where the cluster is, where ops go, and how keys map to
// topic-partitions. A key names one topic-partition: "t-0" is partition 0 of topic "t".
import type { Recorder } from "../history/recorder.ts";
import type { ClientSecurity } from "../protocol/security.ts";

export interface ClientContext {
  bootstrap: () => string[];
  /** TLS and SASL for every connection (an attached cluster's; absent: plaintext). */
  security?: ClientSecurity;
  recorder: Recorder;
  /** A fresh process number; a client that hits an indefinite error is replaced by a new one. */
  nextProcess: () => number;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export const keyOf = (tp: TopicPartition) => `${tp.topic}-${tp.partition}`;

export function parseKey(key: string): TopicPartition {
  const m = /^(.+)-(\d+)$/.exec(key);
  if (!m) throw new Error(`key ${JSON.stringify(key)} does not name a topic-partition (expected "<topic>-<partition>")`);
  return { topic: m[1]!, partition: Number(m[2]) };
}

export function processCounter(start = 0): () => number {
  let next = start;
  return () => next++;
}
