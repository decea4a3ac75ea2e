// An "assign" kafkajs consumer's positions (consumer.ts): the next offset of each key it
// hands out, as a Java consumer with assign() keeps them. kafkajs moves on two ways, and both must
// move the position, or a reader stalls below the end offsets or re-reads:
// - the records a batch hands to eachBatch (take);
// - records it consumed but never handed out: control records (commit/abort markers) and, under
//   read_committed, aborted records. kafkajs emits END_BATCH_PROCESS with the batch's last offset
//   for those too (followBatchEnd).
import { keyOf } from "../context.ts";

export interface BatchEnd {
  topic: string;
  partition: number;
  /** null when no record of the fetch was at or after the fetch offset. */
  firstOffset: string | null;
  lastOffset: string | null | undefined;
}

type Message = { offset: string; value: Buffer | null };

/** A batch's records at or after an offset, as [offset, value]. */
export function recordsFrom(messages: readonly Message[], from: number): [number, number][] {
  const records: [number, number][] = [];
  for (const m of messages) {
    const offset = Number(m.offset);
    if (offset >= from) records.push([offset, Number(m.value?.toString())]);
  }
  return records;
}

export class AssignedPositions {
  constructor(readonly map: Map<string, number>) {}

  /** The batch's records at or after the key's position, as [offset, value]; the position moves past them. */
  take(key: string, messages: readonly Message[]): [number, number][] {
    const records = recordsFrom(messages, this.map.get(key) ?? 0);
    if (records.length) this.map.set(key, records[records.length - 1]![0] + 1);
    return records;
  }

  /** After a batch: past its last offset. A batch with no record at or after the fetch offset is
   *  skipped: its lastOffset is then kafkajs's stand-in (the fetch offset itself, or the high
   *  watermark - 1), not a record it consumed, and following it would step over a record. */
  followBatchEnd(e: BatchEnd): void {
    if (e.firstOffset === null || e.lastOffset === null || e.lastOffset === undefined) return;
    const key = keyOf({ topic: e.topic, partition: e.partition });
    const next = Number(e.lastOffset) + 1;
    if (next > (this.map.get(key) ?? 0)) this.map.set(key, next);
  }
}
