// The history writer (docs/design.md, History): assigns each op its `index` and `time` (ns since the run
// started, monotonic) and appends it to history.jsonl as one line in the checkers' canonical field
// order, before keeping it in memory: what is checked and reported is what was stored, and a crash
// keeps every line recorded so far. The op shape is the checkers' own (one Op, one OpType).
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Op } from "../../checkers/history.ts";
import { formatOp } from "../../checkers/write.ts";

export type { OpType } from "../../checkers/history.ts";
/** The f of an acknowledgement that came after its send op completed. */
export { LATE_ACK } from "../../checkers/history.ts";

/** An op as a client or the nemesis hands it over: the recorder adds index and time. */
export type NewOp = Pick<Op, "process" | "type" | "f" | "value"> & { [extra: string]: unknown };

export interface Recorder {
  /** Appends the op to the history now and returns it with its index and time. */
  record(op: NewOp): Op;
  readonly ops: readonly Op[];
}

export interface RecorderOptions {
  /** JSON Lines file to append to; omitted for an in-memory history (tests). */
  path?: string;
  /** Clock in ns; defaults to process.hrtime relative to creation. */
  now?: () => number;
}

export function createRecorder(opts: RecorderOptions = {}): Recorder {
  const origin = process.hrtime.bigint();
  const now = opts.now ?? (() => Number(process.hrtime.bigint() - origin));
  if (opts.path) {
    mkdirSync(dirname(opts.path), { recursive: true });
    // The file exists from the start: a run that fails before its first op (say, its topic could
    // not be created) still leaves a history to check (empty: nothing tested, verdict unknown).
    appendFileSync(opts.path, "");
  }
  const ops: Op[] = [];
  return {
    ops,
    record(op) {
      const full = { ...op, index: ops.length, time: now() } as Op;
      // Synchronous on purpose, and first: the line is on disk before the op is kept in memory or
      // its effects are awaited further, so memory never holds an op the file lacks.
      if (opts.path) appendFileSync(opts.path, `${formatOp(full)}\n`);
      ops.push(full);
      return full;
    },
  };
}
