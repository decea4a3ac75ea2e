// Before a txn run's workload: Kafka creates __transaction_state and __consumer_offsets on first
// use (FindCoordinator), with the replication the broker config sets (transaction.state.log.* and
// offsets.topic.*: RF 3, min ISR 2 on a 3-broker cluster, node-config.ts). Creating them here, and
// waiting until every replica is in sync, keeps that creation out of the workload's first seconds
// and makes txn-coordinator / group-coordinator targets resolvable from the first fault on.
import { withAdmin } from "../kafkajs/factory.ts";
import { waitTopicInSync } from "../cluster/readiness.ts";
import { OFFSETS_TOPIC, TXN_STATE_TOPIC } from "../nemesis/coordinator.ts";
import type { TxnClient } from "../clients/txn-client.ts";
import { waitFor } from "../util/wait.ts";

export async function prepareTxnState(bootstrap: string[], client: TxnClient, transactionalIds: string[], groupIds: string[], timeoutMs: number): Promise<void> {
  // Opening a transactional producer finds its coordinator (creating __transaction_state) and
  // fences any earlier producer with the id: a rerun on a shared cluster starts clean.
  await client.endOpenTransactions(bootstrap, transactionalIds, timeoutMs);
  // Fetching a group's offsets finds the group's coordinator (creating __consumer_offsets).
  await waitFor(`the coordinator of ${groupIds[0]}`, () => withAdmin(bootstrap, (a) => a.fetchOffsets({ groupId: groupIds[0]! }).then(() => true)), { timeoutMs, intervalMs: 1000 });
  await waitTopicInSync(bootstrap, TXN_STATE_TOPIC, timeoutMs);
  await waitTopicInSync(bootstrap, OFFSETS_TOPIC, timeoutMs);
}
