// The txn workload (execute-txn.ts). Before the clock starts: Kafka creates __transaction_state and
// __consumer_offsets on first use (FindCoordinator), with the replication the broker config sets
// (transaction.state.log.* and offsets.topic.*: RF 3, min ISR 2 on a 3-broker cluster,
// node-config.ts). Creating them then, and waiting until every replica is in sync, keeps that
// creation out of the workload's first seconds and makes txn-coordinator / group-coordinator
// targets resolvable from the first fault on. Before the final reads: read_committed reads stop at
// the first open transaction, so every transaction left open is ended.
import type { TxnClient } from "../clients/txn-client.ts";
import type { TestSpec } from "../spec/test-spec.ts";
import { messageOf } from "../util/errors.ts";
import { runTxnWorkload } from "./execute-txn.ts";
import { generatePlan } from "./plan.ts";
import { txnGroupsOf, txnIdsOf } from "./txn-plan.ts";
import type { Workload } from "./workload.ts";

const PREPARE_TIMEOUT_MS = 60_000;
const END_OPEN_TIMEOUT_MS = 30_000;

export function txnWorkload(spec: TestSpec, client: TxnClient): Workload {
  const plan = generatePlan(spec);
  const ids = txnIdsOf(spec);
  return {
    plan,
    transactional: true,
    async prepare(env) {
      env.progress("txn: creating __transaction_state and __consumer_offsets, waiting for them in sync");
      // Opening a transactional producer finds its coordinator (creating __transaction_state) and
      // fences any earlier producer with the id: a rerun on a shared cluster starts clean.
      await client.endOpenTransactions(env.bootstrap(), ids, PREPARE_TIMEOUT_MS, env.security);
      await env.waitGroupCoordinator(txnGroupsOf(spec)[0]!, PREPARE_TIMEOUT_MS);
      await env.waitCoordinatorTopicsInSync(PREPARE_TIMEOUT_MS);
    },
    run: (ctx, signal, onProgress) => runTxnWorkload(spec, plan, ctx, client, signal, onProgress),
    async beforeFinalReads(env) {
      env.progress("txn: ending every transaction left open (a new producer per transactional id)");
      await client
        .endOpenTransactions(env.bootstrap(), ids, END_OPEN_TIMEOUT_MS, env.security)
        .catch((err: unknown) => env.progress(`  ${messageOf(err)}; reading anyway`));
    },
  };
}
