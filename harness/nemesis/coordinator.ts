// Where Kafka keeps a transactional id's or a consumer group's state: the partition of
// __transaction_state / __consumer_offsets whose leader is that id's coordinator. Kafka picks it as
// Utils.abs(id.hashCode()) % partitionCount (TransactionStateManager.partitionFor and
// GroupMetadataManager.partitionFor), with Java's String.hashCode and an abs that maps
// Integer.MIN_VALUE to 0. Pure, so the mapping is tested without a cluster.

export const TXN_STATE_TOPIC = "__transaction_state";
export const OFFSETS_TOPIC = "__consumer_offsets";

/** Java's String.hashCode: s[0]*31^(n-1) + ... + s[n-1], over UTF-16 code units, in 32-bit ints. */
export function javaHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs: Math.abs, except Integer.MIN_VALUE (which has no positive) is 0. */
const kafkaAbs = (n: number) => (n === -2147483648 ? 0 : Math.abs(n));

export function coordinatorPartition(id: string, partitionCount: number): number {
  if (!Number.isInteger(partitionCount) || partitionCount < 1)
    throw new Error(`partition count must be a positive integer (got ${partitionCount})`);
  return kafkaAbs(javaHashCode(id)) % partitionCount;
}

export type CoordinatorKind = "txn-coordinator" | "group-coordinator";

export const stateTopicOf = (kind: CoordinatorKind) => (kind === "txn-coordinator" ? TXN_STATE_TOPIC : OFFSETS_TOPIC);
