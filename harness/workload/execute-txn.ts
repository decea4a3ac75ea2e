// Runs the txn workload (workload.kind "txn") until the signal aborts: each process slot owns a
// transactional producer (the slot's transactional id) and a consumer (the slot's group, the
// spec's isolation), and runs its planned transactions one at a time at the spec's rate (workload.rate
// transactions per second, all slots together). A producer whose transaction failed by error or
// ended unknown is replaced by a new process under the same transactional id (which fences the old
// one); a crashed consumer is replaced, keeping its positions.
import type { ClientContext } from "../clients/context.ts";
import type { TxnClient, TxnConsumer } from "../clients/txn-client.ts";
import { type TxnMicroOp, TxnProcess } from "../clients/txn-process.ts";
import type { TestSpec } from "../spec/test-spec.ts";
import { sleep } from "../util/wait.ts";
import { valueCounter, type WorkloadPlan } from "./plan.ts";
import { txnGroupsOf, txnIdsOf } from "./txn-plan.ts";
import type { WorkloadStats } from "./workload.ts";

/** How long a ["poll"] micro-op waits for fetched records when none are parked yet. */
export const POLL_WAIT_MS = 100;

export async function runTxnWorkload(
  spec: TestSpec,
  plan: WorkloadPlan,
  ctx: ClientContext,
  client: TxnClient,
  signal: AbortSignal,
  onProgress: (s: WorkloadStats) => void = () => {},
): Promise<WorkloadStats> {
  const slots = plan.transactions ?? [];
  const txns = { ok: 0, fail: 0, info: 0, plannedAborts: 0 };
  const stats: WorkloadStats = { sends: { ok: 0, info: 0, fail: 0 }, producersReplaced: 0, consumersReplaced: 0, transactions: txns };
  const valueFor = valueCounter();
  const intervalMs = (1000 * slots.length) / spec.workload.rate;
  const ids = txnIdsOf(spec);
  const groups = txnGroupsOf(spec);
  const bootstrap = () => ctx.bootstrap();
  const topic = spec.topic.name;

  async function slotLoop(steps: NonNullable<WorkloadPlan["transactions"]>[number], slot: number) {
    let proc: TxnProcess | undefined;
    let consumer: TxnConsumer | undefined;
    let positions: ReadonlyMap<string, number> | undefined;
    await sleep((intervalMs * slot) / Math.max(1, slots.length), signal);
    for (const step of steps) {
      if (signal.aborted) break;
      const started = Date.now();
      try {
        if (consumer && !consumer.alive) {
          positions = new Map(consumer.positions);
          await consumer.close();
          consumer = undefined;
          stats.consumersReplaced++;
          // Its process read through the dead consumer: a new process reads through the next one.
          void proc?.close();
          proc = undefined;
        }
        consumer ??= await client.openConsumer(
          bootstrap(),
          { topic, keys: plan.keys, groupId: groups[slot]!, isolation: spec.consumer.isolation, positions },
          ctx.security,
        );
        if (!proc) {
          const producer = await client.openProducer(
            bootstrap(),
            {
              transactionalId: ids[slot]!,
              retries: spec.producer.retries,
              requestTimeoutMs: spec.producer.requestTimeoutMs,
              transactionTimeoutMs: Math.max(spec.producer.opTimeoutMs * 2, 10_000),
            },
            ctx.security,
          );
          proc = new TxnProcess(ctx.nextProcess(), ids[slot]!, ctx, producer, consumer, {
            opTimeoutMs: spec.producer.opTimeoutMs,
            pollWaitMs: POLL_WAIT_MS,
          });
          proc.assigned(plan.keys);
        }
      } catch {
        await sleep(500, signal); // cluster unreachable for now; try again
        continue;
      }
      const ops: TxnMicroOp[] = step.ops.map((op) => (op[0] === "send" ? ["send", op[1], valueFor(op[1])] : ["poll"]));
      const r = await proc.run(ops, step.abort);
      txns[r.type]++;
      if (r.type === "fail" && step.abort) txns.plannedAborts++;
      if (r.replaceProducer) {
        // Unknown or broken: the next transaction runs in a new process; the old producer may still
        // have requests in flight, so it is not awaited.
        void proc.close();
        proc = undefined;
        stats.producersReplaced++;
      }
      onProgress(stats);
      await sleep(Math.max(0, intervalMs - (Date.now() - started)), signal);
    }
    await proc?.close();
    await consumer?.close();
  }

  await Promise.all(slots.map((steps, i) => slotLoop(steps, i)));
  return stats;
}
