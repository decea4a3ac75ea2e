// Phase 4 of a run: a fresh consumer reads every key from offset 0 up to the end offsets taken once
// the cluster has recovered. Without it, loss is not decidable. The reading consumer is the run's
// client library's (an assign consumer).
//
// The end offsets are the high watermarks (ListOffsets at read_uncommitted, from each partition's
// leader: harness/protocol/list-offsets.ts): every record the in-sync replicas hold. The last
// stable offset (read_committed) would stop at the first transaction still open, and reads
// "complete" below it would call the committed records after it lost. Final reads are
// read_committed, so while a transaction stays open they cannot reach the high watermark: they are
// then incomplete, and the reason says which keys an open transaction held back.
// In a run that reads transactional records, the library's read_committed filter is probed before
// the reads (kafkajs: harness/kafkajs/aborted-filter-fix.ts) and the reads refused if it could
// hand out aborted records.

import { withAdmin } from "../kafkajs/factory.ts";
import { listEndOffsets } from "../protocol/list-offsets.ts";
import type { ClientSecurity } from "../protocol/security.ts";
import { secondsSince, waitFor } from "../util/wait.ts";
import type { KafkaClient, ReadCommittedFilter } from "./client.ts";
import type { ClientContext } from "./context.ts";
import { loadClient } from "./registry.ts";

export interface FinalReadResult {
  complete: boolean;
  /** Each key's high watermark when the reads began: what every key is read to. */
  endOffsets: Record<string, number>;
  reached: Record<string, number>;
  seconds: number;
  /** Why the reads are incomplete (absent when complete). */
  reason?: string;
  /** Keys whose last stable offset was still below the high watermark when the reads gave up: an
   *  open transaction held the read_committed reads back. */
  heldBack?: Record<string, { stable: number; high: number }>;
  /** The read_committed filter the reads ran with, probed (runs that read transactional records,
   *  with a library that has a probe). */
  readCommittedFilter?: ReadCommittedFilter;
}

/** Each key's end offsets: `high` (high watermark) and `stable` (last stable offset). */
export interface EndOffsets {
  high: Record<string, number>;
  stable: Record<string, number>;
}

export interface FinalReadOptions {
  timeoutMs: number;
  /** The run's library (default kafkajs). */
  client?: KafkaClient;
  /** The run reads transactional records: the library's read_committed filter is probed first. */
  transactional?: boolean;
  /** Where the end offsets come from (default: the partitions' leaders, endOffsetsOf). */
  endOffsets?: (bootstrap: string[], topic: string, security?: ClientSecurity) => Promise<EndOffsets>;
}

export async function readFinal(ctx: ClientContext, topic: string, keys: string[], o: FinalReadOptions): Promise<FinalReadResult> {
  const reader = o.client ?? (await loadClient("kafkajs"));
  const probed = o.transactional && reader.probeReadCommittedFilter ? reader.probeReadCommittedFilter() : undefined;
  if (probed && probed.filter !== "kafka-rule")
    throw new Error(
      `${probed.client}'s read_committed filter is ${probed.filter} (${probed.client} was loaded before kafka-harness could fix it): the final reads could return records of aborted transactions, so they are not made`,
    );
  const filter = probed ? { readCommittedFilter: probed } : {};
  const fetchOffsets = o.endOffsets ?? endOffsetsOf;
  const started = performance.now();
  // Right after a heal a partition may still be electing a leader: ask again until it answers.
  const { high: endOffsets } = await waitFor(`end offsets of ${topic}`, () => fetchOffsets(ctx.bootstrap(), topic, ctx.security), {
    timeoutMs: o.timeoutMs / 2,
    intervalMs: 1000,
  });
  const consumer = await waitFor(`a consumer of ${topic}`, () => reader.openConsumer(ctx, { mode: "assign", topic, keys }), {
    timeoutMs: o.timeoutMs / 2,
    intervalMs: 1000,
  });
  const done = () => keys.every((k) => (consumer.positions.get(k) ?? 0) >= (endOffsets[k] ?? 0));
  const deadline = Date.now() + o.timeoutMs;
  while (!done() && consumer.alive && Date.now() < deadline) await consumer.nextDelivery(1000);
  await consumer.close();
  const reached = Object.fromEntries(keys.map((k) => [k, consumer.positions.get(k) ?? 0]));
  const seconds = secondsSince(started);
  if (done()) return { complete: true, endOffsets, reached, seconds, ...filter };
  // Short: is an open transaction the cause? (Best effort: the reads are incomplete either way.)
  const now = await fetchOffsets(ctx.bootstrap(), topic, ctx.security).catch(() => undefined);
  const heldBack = now ? openTransactionsHolding(keys, now, reached) : {};
  const held = Object.entries(heldBack);
  const reason = held.length
    ? `an open transaction holds the last stable offset below the high watermark (${held.map(([k, o]) => `${k}: ${o.stable} < ${o.high}`).join(", ")}): read_committed final reads cannot read to the end, so loss is not decidable`
    : `final reads did not reach the end offsets within ${Math.round(o.timeoutMs / 1000)} s (${JSON.stringify(reached)} of ${JSON.stringify(endOffsets)})`;
  return { complete: false, endOffsets, reached, seconds, reason, ...(held.length ? { heldBack } : {}), ...filter };
}

/** The final reads of several topics (a copy run's input and output) as one result: complete when
 *  each is. Pure. */
export function mergeFinalReads(reads: readonly FinalReadResult[]): FinalReadResult {
  if (reads.length === 1) return reads[0]!;
  const reasons = reads.flatMap((r) => (r.reason ? [r.reason] : []));
  const heldBack = Object.assign({}, ...reads.map((r) => r.heldBack ?? {})) as NonNullable<FinalReadResult["heldBack"]>;
  const filter = reads.find((r) => r.readCommittedFilter)?.readCommittedFilter;
  return {
    complete: reads.every((r) => r.complete),
    endOffsets: Object.assign({}, ...reads.map((r) => r.endOffsets)),
    reached: Object.assign({}, ...reads.map((r) => r.reached)),
    seconds: reads.reduce((n, r) => n + r.seconds, 0),
    ...(reasons.length ? { reason: reasons.join("; ") } : {}),
    ...(Object.keys(heldBack).length ? { heldBack } : {}),
    ...(filter ? { readCommittedFilter: filter } : {}),
  };
}

/** Keys the reads did not finish whose last stable offset is below their high watermark. Pure. */
export function openTransactionsHolding(
  keys: readonly string[],
  offsets: EndOffsets,
  reached: Record<string, number>,
): Record<string, { stable: number; high: number }> {
  const out: Record<string, { stable: number; high: number }> = {};
  for (const k of keys) {
    const high = offsets.high[k];
    const stable = offsets.stable[k];
    if (high === undefined || stable === undefined || stable >= high || (reached[k] ?? 0) >= high) continue;
    out[k] = { stable, high };
  }
  return out;
}

/** Every partition's high watermark and last stable offset, asked of its leader (kafkajs's admin
 *  finds the leaders and their addresses; its own ListOffsets knows only read_committed). Throws
 *  while a partition has no leader or a leader no longer leads (the caller asks again). */
export async function endOffsetsOf(bootstrap: string[], topic: string, security?: ClientSecurity): Promise<EndOffsets> {
  return withAdmin(
    bootstrap,
    async (admin) => {
      const [{ brokers }, { topics }] = await Promise.all([admin.describeCluster(), admin.fetchTopicMetadata({ topics: [topic] })]);
      const byLeader = new Map<number, number[]>();
      for (const p of topics.find((t) => t.name === topic)?.partitions ?? []) {
        if (p.leader < 0) throw new Error(`${topic}-${p.partitionId} has no leader`);
        byLeader.set(p.leader, [...(byLeader.get(p.leader) ?? []), p.partitionId]);
      }
      if (byLeader.size === 0) throw new Error(`no partitions of ${topic} in the metadata`);
      const out: EndOffsets = { high: {}, stable: {} };
      for (const [leader, partitions] of byLeader) {
        const address = brokers.find((b) => b.nodeId === leader);
        if (!address)
          throw new Error(`the leader of ${topic} partitions ${partitions.join(", ")} (broker ${leader}) is not in the metadata`);
        const [high, stable] = await Promise.all([
          listEndOffsets(address, "read_uncommitted", topic, partitions, undefined, security),
          listEndOffsets(address, "read_committed", topic, partitions, undefined, security),
        ]);
        for (const p of partitions) {
          out.high[`${topic}-${p}`] = high.get(p)!;
          out.stable[`${topic}-${p}`] = stable.get(p)!;
        }
      }
      return out;
    },
    security,
  );
}
