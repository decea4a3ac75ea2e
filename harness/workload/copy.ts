// The copy workload (workload.kind "copy"): the queue's producers write the input topic
// (execute.ts runProducers), and `workload.copy.copiers` copiers copy it to `<topic>.out`, each
// record to the output partition of the same number. Every copier reads the input through a
// read_committed consumer in ONE group (kafkajs: subscribed, kafkajs/txn.ts sharedGroup;
// @platformatic/kafka and librdkafka, whose transactional consumers join no group: the partitions
// of its slot, committing to the group all the same, platformatic/txn.ts, confluent/txn.ts) and,
// for each delivery:
//   transactional: begins a transaction, sends each record's copy, sends the input's next offsets to
//     the group (sendOffsets), commits: one txn op (txn-process.ts copy). A copy that aborted is read
//     again (the consumer seeks back); one whose outcome is unknown is settled by a new producer with
//     the copier's transactional id (InitProducerId ends it) and the keys it read go back to the
//     group's committed offsets. The delivery's batches are held until then (kafkajs rejoins a
//     rebalance only after), so no other copier resumes a partition while its copy is open.
//   at-least-once: a poll op, the copies as send ops (acks=all, idempotent), then the offsets
//     committed (a commit op, {"f":"commit","value":{key: next},"group":g}).
// Each copy attempt of an input value writes a value of its own (checkers/copy.ts copyValue), so the
// output stays one value per record and the checks read attempts back to input values.
// Copier crashes on the seeded schedule (copy-plan.ts): at its first copy after the planned time the
// copier is dropped after its sends and before its commit: its transaction left open (the next
// copier with its transactional id fences it and aborts it), or, at-least-once, its offsets not
// committed (the next owner of its partitions copies them again); recorded as a `crash` op
// ({"f":"crash","value":"mid-copy","group":g}, info) after its copy. kafkajs has no way to drop a
// consumer's connections without LeaveGroup, so the dropped consumer leaves the group as it closes.
// Before the final reads, copiers copy until the group's committed offsets reach the input's end (a
// copy run copies what its producers wrote, however late); a planned crash not made yet is made there.
import { copyValue, outputKeyOf } from "../../checkers/copy.ts";
import type { KafkaClient, ProducerClient } from "../clients/client.ts";
import type { ClientContext } from "../clients/context.ts";
import type { TxnClient, TxnConsumer, TxnProducerDriver } from "../clients/txn-client.ts";
import type { Records } from "../clients/txn-delivery-buffer.ts";
import { type CopyOf, TxnProcess } from "../clients/txn-process.ts";
import type { TestSpec } from "../spec/test-spec.ts";
import { messageOf } from "../util/errors.ts";
import { sleep } from "../util/wait.ts";
import { copierIdsOf, copyGroupOf, copyOutputTopic, copySpecOf } from "./copy-plan.ts";
import { runProducers } from "./execute.ts";
import { POLL_WAIT_MS } from "./execute-txn.ts";
import { generatePlan } from "./plan.ts";
import type { Workload, WorkloadEnv, WorkloadStats } from "./workload.ts";

const PREPARE_TIMEOUT_MS = 60_000;
const END_OPEN_TIMEOUT_MS = 30_000;
/** How long the copiers may take to catch up before the final reads. */
const DRAIN_TIMEOUT_MS = 60_000;
/** How long a new producer may take to settle a transaction whose outcome was unknown. */
const SETTLE_TIMEOUT_MS = 30_000;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

type CopyStats = NonNullable<WorkloadStats["copies"]>;

/** One copier: its process, its consumer in the group, and its producer (a transaction process, or
 *  at-least-once the library's idempotent producer). */
interface Copier {
  process: number;
  consumer: TxnConsumer;
  txn?: TxnProcess;
  producer?: ProducerClient;
}

export function copyWorkload(spec: TestSpec, client: KafkaClient, txnClient: TxnClient): Workload {
  const plan = generatePlan(spec);
  const { copiers, transactional, holdDeliveries } = copySpecOf(spec);
  const ids = copierIdsOf(spec);
  const group = copyGroupOf(spec);
  const topic = spec.topic.name;
  const outTopic = copyOutputTopic(spec);
  // Copy attempts per input record: each attempt writes a value of its own.
  const attempts = new Map<string, number>();
  const copyOf: CopyOf = (read) =>
    Object.entries(read).flatMap(([key, records]) =>
      records.map(([, v]): [string, number] => {
        const a = attempts.get(`${key}/${v}`) ?? 0;
        attempts.set(`${key}/${v}`, a + 1);
        return [outputKeyOf(key), copyValue(v, a)];
      }),
    );
  const copies: CopyStats = { records: 0, ok: 0, fail: 0, info: 0, crashes: 0, copiersReplaced: 0 };
  const stats: WorkloadStats = { sends: { ok: 0, info: 0, fail: 0 }, producersReplaced: 0, consumersReplaced: 0, lateAcks: 0, copies };
  let runCtx: ClientContext | undefined;
  /** Per copier slot, the times of its planned crashes not yet made (consumed as they happen). */
  const crashes = Array.from({ length: copiers }, (_, slot) =>
    (plan.copierCrashes ?? []).filter((c) => c.copier === slot).map((c) => c.atMs),
  );

  const txnSettings = (slot: number) => ({
    transactionalId: ids[slot]!,
    retries: spec.producer.retries,
    requestTimeoutMs: spec.producer.requestTimeoutMs,
    transactionTimeoutMs: Math.max(spec.producer.opTimeoutMs * 2, 10_000),
  });

  /** A transactional producer for the slot, its predecessor's transaction ended (InitProducerId). */
  async function settledProducer(ctx: ClientContext, slot: number): Promise<TxnProducerDriver> {
    const p = await txnClient.openProducer(ctx.bootstrap(), txnSettings(slot), ctx.security);
    try {
      await p.begin();
      await p.abort();
      return p;
    } catch (err) {
      await p.close().catch(() => undefined);
      throw err;
    }
  }

  /** What a copier reads: the whole topic through the group (a library whose consumer joins it), or
   *  its slot's partitions (every copiers-th), committing to the group without joining it. */
  const keysOf = (slot: number): string[] => (txnClient.joinsGroup ? plan.keys : plan.keys.filter((_, i) => i % copiers === slot));

  async function openCopier(ctx: ClientContext, slot: number): Promise<Copier> {
    const process = ctx.nextProcess();
    // The producer first: its InitProducerId fences a crashed predecessor and ends its transaction
    // before this copier's consumer can be handed that predecessor's partitions.
    const producer = transactional ? await settledProducer(ctx, slot) : undefined;
    const keys = keysOf(slot);
    const f = txnClient.joinsGroup ? "subscribe" : "assign";
    ctx.recorder.record({ process, type: "invoke", f, value: keys, group });
    let consumer: TxnConsumer;
    try {
      consumer = await txnClient.openConsumer(
        ctx.bootstrap(),
        { topic, keys, groupId: group, isolation: "read_committed", sharedGroup: true, holdDeliveries },
        ctx.security,
      );
    } catch (err) {
      ctx.recorder.record({ process, type: "info", f, value: keys, group, error: messageOf(err) });
      await producer?.close().catch(() => undefined);
      throw err;
    }
    ctx.recorder.record({ process, type: "ok", f, value: keys, group });
    const timing = { opTimeoutMs: spec.producer.opTimeoutMs, pollWaitMs: POLL_WAIT_MS };
    if (producer) return { process, consumer, txn: new TxnProcess(process, ids[slot]!, ctx, producer, consumer, timing) };
    const plain = await client
      .openProducer(ctx, { ...spec.producer, acks: "all", idempotent: true }, [outTopic])
      .catch(async (err: unknown) => {
        await consumer.close();
        throw err;
      });
    return { process, consumer, producer: plain };
  }

  /** Drops a copier as a crash does: its transaction (or its offsets) left as they are. */
  async function drop(c: Copier): Promise<void> {
    await c.consumer.close();
    if (c.txn) void c.txn.close();
    if (c.producer) void c.producer.close(Promise.resolve());
  }

  /** One transactional copy; returns the copier to go on with (undefined: it was dropped). */
  async function copyInTransaction(ctx: ClientContext, slot: number, c: Copier, crash: boolean): Promise<Copier | undefined> {
    const r = await c.txn!.copy(copyOf, crash);
    copies[r.type]++;
    if (crash) {
      await drop(c);
      return undefined;
    }
    let next: Copier | undefined = c;
    if (r.type === "ok") copies.records += r.sent ?? 0;
    if (r.replaceProducer) {
      void c.txn!.close();
      stats.producersReplaced++;
      next = undefined;
      // Settle the transaction (a new producer with the id ends it), then read again from what the
      // group committed: the copy may have committed or not.
      const deadline = Date.now() + SETTLE_TIMEOUT_MS;
      while (!next && Date.now() < deadline) {
        try {
          const producer = await settledProducer(ctx, slot);
          if (r.type === "info") await c.consumer.resetToCommitted?.(r.read ?? []);
          const process = ctx.nextProcess();
          const f = txnClient.joinsGroup ? "subscribe" : "assign";
          ctx.recorder.record({ process, type: "invoke", f, value: keysOf(slot), group });
          ctx.recorder.record({ process, type: "ok", f, value: keysOf(slot), group });
          next = {
            process,
            consumer: c.consumer,
            txn: new TxnProcess(process, ids[slot]!, ctx, producer, c.consumer, {
              opTimeoutMs: spec.producer.opTimeoutMs,
              pollWaitMs: POLL_WAIT_MS,
            }),
          };
        } catch {
          await pause(500);
        }
      }
      if (!next) {
        // Could not settle it: this copier goes, its successor starts from the group's offsets.
        await c.consumer.close();
        copies.copiersReplaced++;
        return undefined;
      }
    }
    c.consumer.settle?.();
    return next;
  }

  /** One at-least-once copy: poll, produce the copies, then commit the offsets. */
  async function copyAtLeastOnce(ctx: ClientContext, c: Copier, crash: boolean): Promise<Copier | undefined> {
    const { recorder } = ctx;
    const before = new Map(c.consumer.positions);
    recorder.record({ process: c.process, type: "invoke", f: "poll", value: [["poll"]] });
    const read: Record<string, Records> = await c.consumer.poll(0);
    recorder.record({ process: c.process, type: "ok", f: "poll", value: [["poll", read]] });
    const next: Record<string, number> = {};
    let sent = true;
    let replace = false;
    for (const [key, records] of Object.entries(read)) {
      if (!records.length) continue;
      next[key] = records[records.length - 1]![0] + 1;
      // One record per send op: kafkajs's idempotent producer loses records it pipelines to one
      // partition (docs/findings.md), which would be its loss, not the copier's.
      for (const [, value] of copyOf({ [key]: records })) {
        const type = await c.producer!.send(outputKeyOf(key), [value]);
        if (type === "ok") copies.records++;
        else sent = false;
        if (type === "info") replace = true;
      }
    }
    if (crash) {
      copies.info++;
      await drop(c);
      return undefined;
    }
    if (!sent) {
      // Copy it again: the consumer goes back to where this delivery began.
      copies.fail++;
      for (const key of Object.keys(next)) c.consumer.seek(key, before.get(key) ?? read[key]![0]![0]);
    } else {
      recorder.record({ process: c.process, type: "invoke", f: "commit", value: next, group });
      try {
        await c.consumer.commitOffsets!(next);
        recorder.record({ process: c.process, type: "ok", f: "commit", value: next, group });
        copies.ok++;
      } catch (err) {
        // Not committed (or unknown): the group's next owner of these partitions copies them again.
        recorder.record({ process: c.process, type: "info", f: "commit", value: next, group, error: messageOf(err) });
        copies.info++;
      }
    }
    if (replace) {
      void c.producer!.close(Promise.resolve());
      stats.producersReplaced++;
      c.producer = await client.openProducer(ctx, { ...spec.producer, acks: "all", idempotent: true }, [outTopic]);
    }
    c.consumer.settle?.();
    return c;
  }

  /** A copier slot until the signal: copies whatever its consumer fetched, crashes as planned, and is
   *  replaced (a new process) after a crash or when its consumer died. */
  async function copierLoop(ctx: ClientContext, slot: number, signal: AbortSignal, crashAt: number[], started: number): Promise<void> {
    let c: Copier | undefined;
    while (!signal.aborted) {
      try {
        if (c && !c.consumer.alive) {
          await drop(c);
          c = undefined;
          copies.copiersReplaced++;
        }
        c ??= await openCopier(ctx, slot);
        if (!(await c.consumer.ready?.(500))) continue;
        const crash = crashAt.length > 0 && Date.now() - started >= crashAt[0]!;
        if (crash) {
          crashAt.shift();
          copies.crashes++;
        }
        const process = c.process;
        c = transactional ? await copyInTransaction(ctx, slot, c, crash) : await copyAtLeastOnce(ctx, c, crash);
        // The copier is gone, whether or not its copy got as far as its sends.
        if (crash) ctx.recorder.record({ process, type: "info", f: "crash", value: "mid-copy", group });
        stats.consumersReplaced = copies.crashes + copies.copiersReplaced;
        if (!c) await sleep(1000, signal); // a crashed copier's successor starts a moment later
      } catch {
        // Cluster unreachable for now (opening a copier); or a copy broke off unexpectedly: that
        // copier goes (its held batches with it) and a new one starts from the group's offsets.
        if (c) {
          await drop(c);
          c = undefined;
          copies.copiersReplaced++;
        }
        await sleep(500, signal);
      }
    }
    if (c) {
      await c.consumer.close();
      await c.txn?.close();
      await c.producer?.close(Promise.resolve());
    }
  }

  return {
    plan,
    transactional: true,
    async prepare(env) {
      env.progress(`copy: ${copiers} copier(s), ${transactional ? "transactional" : "at-least-once"}, to ${outTopic}`);
      if (transactional) await txnClient.endOpenTransactions(env.bootstrap(), ids, PREPARE_TIMEOUT_MS, env.security);
      await env.waitGroupCoordinator(group, PREPARE_TIMEOUT_MS);
      // Both coordinators' topics exist only once a transactional producer found its coordinator.
      if (transactional) await env.waitCoordinatorTopicsInSync(PREPARE_TIMEOUT_MS);
    },
    async run(ctx, signal, onProgress) {
      runCtx = ctx;
      const started = Date.now();
      const ticker = setInterval(() => onProgress(stats), 1000);
      try {
        await Promise.all([
          runProducers(spec, plan, ctx, client, signal, stats, onProgress),
          ...crashes.map((at, slot) => copierLoop(ctx, slot, signal, at, started)),
        ]);
      } finally {
        clearInterval(ticker);
      }
      return stats;
    },
    async beforeFinalReads(env) {
      if (runCtx) await drain(env, runCtx);
      if (!transactional) return;
      env.progress("copy: ending every copier transaction left open (a new producer per transactional id)");
      await txnClient
        .endOpenTransactions(env.bootstrap(), ids, END_OPEN_TIMEOUT_MS, env.security)
        .catch((err: unknown) => env.progress(`  ${messageOf(err)}; reading anyway`));
    },
  };

  /** Copiers until the group's committed offsets reach the input's end offsets. A planned crash the
   *  workload's time did not reach (that copier made no copy after its time) happens at its first
   *  copy here. */
  async function drain(env: WorkloadEnv, ctx: ClientContext): Promise<void> {
    env.progress(`copy: copying the rest of ${topic} (up to ${DRAIN_TIMEOUT_MS / 1000} s)`);
    const stop = new AbortController();
    const loops = Array.from({ length: copiers }, (_, slot) => copierLoop(ctx, slot, stop.signal, crashes[slot]!, 0));
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    let behind = "unknown";
    while (Date.now() < deadline) {
      try {
        const [ends, committed] = await Promise.all([env.endOffsets(topic), env.committedOffsets(group, topic)]);
        const short = Object.entries(ends).filter(([k, end]) => end > 0 && (committed[k] ?? 0) < end);
        behind = short.map(([k, end]) => `${k}: ${committed[k] ?? 0} < ${end}`).join(", ");
        if (!short.length) break;
      } catch (err) {
        behind = messageOf(err);
      }
      await pause(1000);
    }
    stop.abort();
    await Promise.all(loops);
    if (Date.now() >= deadline) env.progress(`  copiers still behind after ${DRAIN_TIMEOUT_MS / 1000} s (${behind}); reading anyway`);
  }
}
