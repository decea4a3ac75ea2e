// corrupt-segment's plan, as plain functions over file names and bytes (Jepsen's file-corruption
// package, on Kafka's own files): which partition folder of the target broker, which segment of it
// (the active one, the newest, by default), which of the segment's files (the records, the offset
// index or the time index), and the corruption itself: one bit flipped, or the file cut short.
import type { PartitionMetadata } from "../broker-metadata.ts";
import { pick, type Rng } from "../rng.ts";

export const SEGMENT_FILES = ["log", "index", "timeindex"] as const;
export type SegmentFile = (typeof SEGMENT_FILES)[number];
export const CORRUPT_MODES = ["bitflip", "truncate"] as const;
export type CorruptMode = (typeof CORRUPT_MODES)[number];
export const WHICH_SEGMENTS = ["active", "oldest"] as const;
export type WhichSegment = (typeof WHICH_SEGMENTS)[number];

export interface CorruptParams {
  file: SegmentFile;
  mode: CorruptMode;
  segment: WhichSegment;
}

export const DEFAULT_CORRUPT: CorruptParams = { file: "log", mode: "bitflip", segment: "active" };

/** What was done to which file: the history's record of the corruption. */
export interface Corruption {
  /** The path on the node. */
  path: string;
  /** The file's size before. */
  size: number;
  /** Bitflip: the byte's offset; truncate: the new size. */
  offset: number;
  /** Bitflip: the byte before and after (hex). */
  before?: string;
  after?: string;
  /** Truncate: bytes cut off. */
  removed?: number;
  /** A .log file: the record-batch field the offset falls in (batch-field below). */
  field?: BatchField;
}

/**
 * The fields of a record batch (magic 2) as the CRC sees them: the CRC covers attributes to the end
 * of the batch only, so a flip in baseOffset, batchLength, partitionLeaderEpoch, magic or the CRC
 * itself is not a CRC mismatch (a wrong length or magic fails otherwise; an offset or epoch may pass).
 */
export type BatchField = "baseOffset" | "batchLength" | "partitionLeaderEpoch" | "magic" | "crc" | "crc-covered" | "past-batches";

/** Which field of which batch byte `offset` of a segment falls in (walking the batches by their lengths). */
export function batchFieldAt(log: Buffer, offset: number): BatchField {
  let at = 0;
  while (at + 12 <= log.length) {
    const end = at + 12 + log.readInt32BE(at + 8);
    if (offset < end || end <= at + 12) {
      const rel = offset - at;
      if (rel < 8) return "baseOffset";
      if (rel < 12) return "batchLength";
      if (rel < 16) return "partitionLeaderEpoch";
      if (rel < 17) return "magic";
      if (rel < 21) return "crc";
      return "crc-covered";
    }
    at = end;
  }
  return "past-batches";
}

/** The partition to corrupt on broker `id`: `leaderOf` when the target named one, else a seeded pick
 *  among the watched partitions with a replica there; undefined when it holds none. */
export function choosePartition(
  partitions: readonly PartitionMetadata[],
  id: number,
  rng: Rng,
  leaderOf?: string,
): { topic: string; partition: number } | undefined {
  const held = partitions.filter((p) => p.replicas.includes(id) && !p.topic.startsWith("__"));
  const named = leaderOf ? held.find((p) => `${p.topic}-${p.partition}` === leaderOf) : undefined;
  const p = named ?? (held.length ? pick(rng, held) : undefined);
  return p && { topic: p.topic, partition: p.partition };
}

/** Segment base offsets in a partition folder, oldest first (Kafka names files by it, 20 digits). */
export function segmentsOf(names: readonly string[]): string[] {
  return names
    .map((n) => /^(\d{20})\.log$/.exec(n)?.[1])
    .filter((b): b is string => b !== undefined)
    .sort();
}

/** Bytes of a file that hold data: an index is preallocated with zeros while its segment is active
 *  (and still is after a kill), so only up to its last whole non-zero entry. */
export function usedLength(data: Buffer, file: SegmentFile): number {
  if (file === "log") return data.length;
  const entry = file === "index" ? 8 : 12;
  let last = data.length - 1;
  while (last >= 0 && data[last] === 0) last--;
  return Math.min(data.length, Math.ceil((last + 1) / entry) * entry);
}

/** The candidate segments in the order to try: the active (newest) or the oldest first. */
export const segmentOrder = (bases: readonly string[], which: WhichSegment) => (which === "active" ? [...bases].reverse() : [...bases]);

/** Corrupts a file's used bytes: a seeded bit flipped in a seeded byte, or the file cut at a seeded offset. */
export function corrupt(data: Buffer, used: number, mode: CorruptMode, rng: Rng): { data: Buffer; what: Omit<Corruption, "path"> } {
  if (used <= 0) throw new Error("nothing to corrupt: the file holds no data");
  const offset = rng.int(used);
  if (mode === "truncate") return { data: data.subarray(0, offset), what: { size: data.length, offset, removed: data.length - offset } };
  const out = Buffer.from(data);
  out[offset] = out[offset]! ^ (1 << rng.int(8));
  const hex = (b: number) => b.toString(16).padStart(2, "0");
  return { data: out, what: { size: data.length, offset, before: hex(data[offset]!), after: hex(out[offset]!) } };
}

/** What a broker's log says about its data after a corruption: the lines worth recording. */
const EVIDENCE =
  /Found invalid|corrupt|CRC|Recovering|truncat|offline|KafkaStorageException|Error while|Shutdown broker|shutting down|halt|unclean/i;

export function logEvidence(log: string, partition: string, max = 12): string[] {
  const lines = log.split("\n").filter((l) => (EVIDENCE.test(l) && l.includes(partition)) || /\b(ERROR|FATAL)\b/.test(l));
  return lines.slice(0, max).map((l) => l.slice(0, 400));
}
