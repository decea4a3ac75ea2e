// Appends ops to the history as they happen: assigns `index` and `time` (ns since the run started,
// monotonic) and writes one JSON line per op to disk at once, so a crash keeps what was recorded.
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

export type OpType = "invoke" | "ok" | "fail" | "info";
export type Process = number | "nemesis";

export interface RecordedOp {
  index: number;
  time: number;
  process: Process;
  type: OpType;
  f: string;
  value: unknown;
  [extra: string]: unknown;
}

export type NewOp = Omit<RecordedOp, "index" | "time">;

export interface Recorder {
  /** Records the op now and returns it with its index and time. */
  record(op: NewOp): RecordedOp;
  readonly ops: readonly RecordedOp[];
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
  if (opts.path) mkdirSync(dirname(opts.path), { recursive: true });
  const ops: RecordedOp[] = [];
  return {
    ops,
    record(op) {
      const full = { index: ops.length, time: now(), ...op } as RecordedOp;
      ops.push(full);
      // Synchronous on purpose: the line is on disk before the op's effects are awaited further.
      if (opts.path) appendFileSync(opts.path, JSON.stringify(full) + "\n");
      return full;
    },
  };
}
