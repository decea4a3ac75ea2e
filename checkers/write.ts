// The history writer: one op, one JSON line, fields in the canonical order so files diff well.
// The harness appends as ops happen, so a crash keeps everything written so far.
import { createWriteStream, type WriteStream } from "node:fs";
import type { Op } from "./history.ts";

const LEADING = ["index", "time", "process", "type", "f", "value"] as const;

/** One op as one JSON line (without the newline): index, time, process, type, f, value, then the rest. */
export function formatOp(op: Op): string {
  const ordered: Record<string, unknown> = {};
  for (const k of LEADING) if (op[k] !== undefined) ordered[k] = op[k];
  for (const k in op) if (!(k in ordered)) ordered[k] = op[k];
  return JSON.stringify(ordered);
}

/** Formats a whole history as JSON Lines text. */
export function formatHistory(ops: Iterable<Op>): string {
  let out = "";
  for (const op of ops) out += `${formatOp(op)}\n`;
  return out;
}

/** Where lines go: a file stream, or anything with write() (tests use an array). */
export interface LineSink {
  write(chunk: string): unknown;
  end?(cb?: () => void): unknown;
}

/** Appends ops to a sink as JSON Lines. */
export class HistoryWriter {
  private count = 0;
  constructor(private readonly sink: LineSink) {}

  /** Opens (truncates) a file for writing. */
  static toFile(path: string): HistoryWriter {
    return new HistoryWriter(createWriteStream(path, { encoding: "utf8" }));
  }

  write(op: Op): void {
    this.sink.write(`${formatOp(op)}\n`);
    this.count++;
  }

  get written(): number {
    return this.count;
  }

  /** Flushes and closes a file sink. */
  close(): Promise<void> {
    const sink = this.sink;
    if (!sink.end) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if ("once" in sink) (sink as WriteStream).once("error", reject);
      sink.end?.(() => resolve());
    });
  }
}
