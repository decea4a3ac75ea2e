// What the fault-injecting filesystem (images/kafka/faultfs.py) reports of a power cut, as the
// history records it: per broker, the bytes it lost and, per partition, the record batches cut off
// its log segments. Pure: the family reads cut.json through the node's files and passes it here.

/** One file the cut put back (faultfs.py Durability.revert). */
interface CutFile {
  path: string;
  durableSize: number;
  size: number;
  droppedBytes: number;
  restoredBytes: number;
  batches?: { count: number; records: number; firstOffset: number | null; lastOffset: number | null; unparsedBytes: number };
}

/** A partition's losses at the cut: the records of the batches cut off its segments. */
export interface PartitionLoss {
  bytes: number;
  records: number;
  batches: number;
  /** The first and last offsets cut off (null: no whole batch parsed). */
  firstOffset: number | null;
  lastOffset: number | null;
}

/** What one broker lost at the cut. */
export interface NodeCut {
  /** Bytes cut off the ends of files (appends never synced, and preallocated index files' growth). */
  droppedBytes: number;
  /** Of those, bytes cut off log segments: the records' own. */
  segmentBytes: number;
  /** Bytes written back over pages changed since their file's last fsync (mmap'd indexes, truncations). */
  restoredBytes: number;
  files: number;
  /** Name operations undone (a create, rename or unlink no fsync followed). */
  namesUndone: number;
  /** Per partition directory ("t-0"), for those whose log segments lost batches. */
  partitions: Record<string, PartitionLoss>;
  tookMs: number;
}

/** The cut.json faultfs wrote, summarised; throws with what is wrong when it is not one. */
export function parseCut(text: string): NodeCut {
  const raw = JSON.parse(text) as { files?: unknown; names?: unknown; tookMs?: unknown };
  if (!Array.isArray(raw.files) || !Array.isArray(raw.names)) throw new Error("cut.json has no files or names list");
  const out: NodeCut = {
    droppedBytes: 0,
    segmentBytes: 0,
    restoredBytes: 0,
    files: raw.files.length,
    namesUndone: raw.names.length,
    partitions: {},
    tookMs: typeof raw.tookMs === "number" ? raw.tookMs : 0,
  };
  for (const f of raw.files as CutFile[]) {
    out.droppedBytes += f.droppedBytes;
    out.restoredBytes += f.restoredBytes;
    if (f.path.endsWith(".log")) out.segmentBytes += f.droppedBytes;
    const b = f.batches;
    if (!b || (b.count === 0 && f.droppedBytes === 0)) continue;
    const dir = f.path.split("/")[0]!;
    const p = (out.partitions[dir] ??= { bytes: 0, records: 0, batches: 0, firstOffset: null, lastOffset: null });
    p.bytes += f.droppedBytes;
    p.records += b.records;
    p.batches += b.count;
    if (b.firstOffset !== null) p.firstOffset = p.firstOffset === null ? b.firstOffset : Math.min(p.firstOffset, b.firstOffset);
    if (b.lastOffset !== null) p.lastOffset = p.lastOffset === null ? b.lastOffset : Math.max(p.lastOffset, b.lastOffset);
  }
  return out;
}

/**
 * The partitions whose every in-sync replica lost power in this cut: only those can lose an
 * acknowledged write to it (a replica that kept its power has every write the ISR acknowledged).
 * `isr`: key → broker ids just before the cut; `cut`: the ids of the brokers cut.
 */
export function wholeIsrCut(isr: Readonly<Record<string, readonly number[]>>, cut: ReadonlySet<number>): string[] {
  return Object.entries(isr)
    .filter(([, ids]) => ids.length > 0 && ids.every((id) => cut.has(id)))
    .map(([key]) => key)
    .sort();
}

/**
 * KRaft's eligible leader replicas that kept their power, by partition (only partitions that have
 * some): each holds every write acknowledged before it left the ISR, and the controller elects one
 * when the ISR is gone, unless it comes back from an unclean shutdown itself. A loss from such a
 * partition is not the cut's doing alone (checkers/power-cut.ts). `elr`: key → broker ids just
 * before the cut; `cut`: the ids of the brokers cut; `nameOf`: a broker id's node name.
 */
export function eligibleKeptPower(
  elr: Readonly<Record<string, readonly number[]>>,
  cut: ReadonlySet<number>,
  nameOf: (id: number) => string,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, ids] of Object.entries(elr)) {
    const kept = ids.filter((id) => !cut.has(id)).map(nameOf);
    if (kept.length) out[key] = kept.sort();
  }
  return out;
}
