// Metadata from ONE chosen broker (the request itself is Kafka's wire protocol, in
// harness/protocol/metadata.ts), and the nemesis's topic-partition keys.

export { protocolWriter } from "../protocol/framing.ts";
export {
  type BrokerMetadata,
  decodeMetadataResponse,
  encodeMetadataRequest,
  fetchBrokerMetadata,
  type PartitionMetadata,
} from "../protocol/metadata.ts";

/** "t-0" → {topic: "t", partition: 0}; the topic may itself contain dashes. */
export function parseKey(key: string): { topic: string; partition: number } {
  const m = /^(.+)-(\d+)$/.exec(key);
  if (!m) throw new Error(`not a topic-partition key: ${JSON.stringify(key)} (expected like "t-0")`);
  return { topic: m[1]!, partition: Number(m[2]) };
}

export const keyOfPartition = (p: { topic: string; partition: number }) => `${p.topic}-${p.partition}`;
