// Anomaly names (Jepsen's, so results compare) and the evidence each finding carries. Every
// finding has `ops`: the history indexes of the ops involved, for the report to link to.
import type { CopyDuplicate, CopyLoss } from "./copy.ts";
import type { Key, Process, Value } from "./history.ts";

export type { CopyDuplicate, CopyLoss };

export const ANOMALY_TYPES = [
  "G0",
  "G0-process",
  "G0-realtime",
  "G1a",
  "G1c",
  "G1c-process",
  "G1c-realtime",
  "G1c-ww",
  "committed-lost",
  "copy-duplicate",
  "copy-loss",
  "duplicate",
  "group-duplicate",
  "group-jump",
  "group-loss",
  "group-rewind",
  "inconsistent-offsets",
  "int-nonmonotonic-poll",
  "int-nonmonotonic-send",
  "int-poll-skip",
  "int-send-skip",
  "lost-write",
  "nonmonotonic-poll",
  "nonmonotonic-send",
  "poll-skip",
  "precommitted-read",
  "torn-txn",
  "unseen",
] as const;
export type AnomalyType = (typeof ANOMALY_TYPES)[number];

interface Base {
  /** History indexes of the ops involved. */
  ops: number[];
}

export interface LostWrite extends Base {
  type: "lost-write";
  key: Key;
  value: Value;
  /** Dense index (first index) and offset of the lost value. */
  index: number;
  offset: number;
  /** The highest first index of any value an ok op read. */
  bound: number;
  boundValue: Value;
  writer: number;
  /** The first ok op that read the value at the bound. */
  boundReader: number;
}

export interface Unseen extends Base {
  type: "unseen";
  key: Key;
  value: Value;
  writer: number;
  /** When the history has complete final reads: an ok read that returned the value before them
   *  (the value was in the log, then gone from it: truncated). Absent when no read ever returned it. */
  readBefore?: number;
}

/** A value some ok read returned (so committed: below the high watermark), then gone. */
export interface CommittedLost extends Base {
  type: "committed-lost";
  key: Key;
  value: Value;
  /** The offset it was read at. */
  offset: number;
  writer: number;
  /** The first ok read that returned it: the proof it was committed. */
  reader: number;
  /** How it is gone: absent from the complete final reads, or (without them) another value read at
   *  its offset later. */
  gone: "final-reads" | "offset-reused";
  /** Another value an ok read begun after that read found at its offset, and that read. */
  reusedBy?: { value: Value; op: number };
}

export interface Duplicate extends Base {
  type: "duplicate";
  key: Key;
  value: Value;
  offsets: number[];
  indexes: number[];
  writer: number | null;
}

export interface InconsistentOffsets extends Base {
  type: "inconsistent-offsets";
  key: Key;
  offset: number;
  index: number;
  values: Value[];
}

export interface G1a extends Base {
  type: "G1a";
  key: Key;
  value: Value;
  /** The offset the reader found it at (an aborted transaction's record is no position of the log). */
  offset: number;
  writer: number;
  reader: number;
}

export interface PrecommittedRead extends Base {
  type: "precommitted-read";
  key: Key;
  value: Value;
  op: number;
  offset: number;
}

/** One send of a transaction, where it landed, and (if any) the first ok op that read it. */
export interface TxnSend {
  key: Key;
  value: Value;
  /** The offset the transaction's completion gave, null if unknown. */
  offset: number | null;
  reader?: number;
}

/** A committed transaction partly visible: some of its sends were read, others never were. */
export interface TornTxn extends Base {
  type: "torn-txn";
  /** The transaction op (history index of its completion). */
  op: number;
  outcome: "ok" | "info";
  /** Its sends that ok reads returned, each with the first such read. */
  seen: TxnSend[];
  /** Its sends no ok read ever returned (the final reads included). */
  never: TxnSend[];
}

/** Two consecutive values of one key, as one process read or sent them. */
interface OrderStep extends Base {
  key: Key;
  process: number | string;
  op: number;
  prevValue: Value;
  value: Value;
  /** Dense indexes of the two values, and how far apart they are (1 is in order). */
  prevIndex: number;
  index: number;
  delta: number;
  /** Skips only: the values skipped over (capped), and how many indexes were skipped. */
  skipped?: Value[];
  skippedCount?: number;
}

/** poll-skip, nonmonotonic-poll, nonmonotonic-send: two ops of one process. */
export interface OrderBetweenOps extends OrderStep {
  type: "poll-skip" | "nonmonotonic-poll" | "nonmonotonic-send";
  prevOp: number;
}

/** int-*: two consecutive values of one key within one op. */
export interface OrderWithinOp extends OrderStep {
  type: "int-poll-skip" | "int-nonmonotonic-poll" | "int-send-skip" | "int-nonmonotonic-send";
}

export type Rel = "ww" | "wr" | "process" | "realtime";

export interface CycleStep {
  from: number;
  to: number;
  rel: Rel;
  /** ww/wr: the key and value that order the two ops. */
  key?: Key;
  value?: Value;
}

export interface Cycle extends Base {
  /** G1c*: write-read edges (and process / real-time ones) alone; G1c-ww: a cycle that needs a
   *  write-write edge inferred from the log (--ww-deps) as well as a write-read one. */
  type: "G0" | "G0-process" | "G0-realtime" | "G1c" | "G1c-process" | "G1c-realtime" | "G1c-ww";
  steps: CycleStep[];
  /** Size of the strongly connected component the cycle was found in. */
  sccSize: number;
}

/** A record in the log below an offset a consumer group committed, that no member of it polled. */
export interface GroupLoss extends Base {
  type: "group-loss";
  group: string;
  key: Key;
  value: Value;
  offset: number;
  /** The group's highest acknowledged commit of the key (next offset to read), and who made it. */
  commit: number;
  committer: Process;
}

/** A member's first poll after an assignment, started below (rewind) or above (jump) every offset
 *  the group could have committed last. */
export interface GroupStart extends Base {
  type: "group-rewind" | "group-jump";
  group: string;
  key: Key;
  member: Process;
  /** The offset the member's first poll of the key started at. */
  start: number;
  /** The commit it is judged against (rewind: the lowest the group could have committed last;
   *  jump: the highest), null when the group had committed nothing (a jump over the log's start). */
  commit: number | null;
  committer: Process | null;
  /** jump: records in the log between the commit and the start that the group had not read. */
  skipped?: number;
}

/** A value two poll ops of a group's members returned (handed out twice). */
export interface GroupDuplicate extends Base {
  type: "group-duplicate";
  group: string;
  key: Key;
  value: Value;
  offset: number;
  /** The members of the first two polls that returned it. */
  readers: Process[];
}

export type Finding =
  | GroupLoss
  | GroupStart
  | GroupDuplicate
  | LostWrite
  | Unseen
  | CommittedLost
  | Duplicate
  | InconsistentOffsets
  | G1a
  | PrecommittedRead
  | TornTxn
  | CopyLoss
  | CopyDuplicate
  | OrderBetweenOps
  | OrderWithinOp
  | Cycle;

export const DEFAULT_EXAMPLE_CAP = 32;
/** Values listed in a skip's evidence at most. */
export const SKIPPED_CAP = 32;

/** Counts findings per type and keeps the first few of each, in detection order. */
export class Findings {
  readonly counts = new Map<AnomalyType, number>();
  readonly examples = new Map<AnomalyType, Finding[]>();
  constructor(readonly cap = DEFAULT_EXAMPLE_CAP) {}

  /** True when another example of this type would be kept (so callers can skip building one). */
  wants(type: AnomalyType): boolean {
    return (this.examples.get(type)?.length ?? 0) < this.cap;
  }

  /** Counts one finding; `make` builds the evidence only when it is kept. */
  add(type: AnomalyType, make: () => Finding): void {
    this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
    let list = this.examples.get(type);
    if (!list) {
      list = [];
      this.examples.set(type, list);
    }
    if (list.length < this.cap) list.push(make());
  }
}
