// The file edge of the live view: reads what a running run's history.jsonl has gained since the
// last look, by byte offset, and folds it into the run's live state (checkers/live.ts). Only whole
// lines are taken: a last line without its newline is being written and waits for the next look.
import { open } from "node:fs/promises";
import { validateOp } from "../checkers/history.ts";
import type { Op } from "../checkers/index.ts";
import { foldLive, type LiveState, liveState } from "../checkers/live.ts";

export interface Tail {
  /** Bytes of the file folded so far (always just after a newline). */
  offset: number;
  state: LiveState;
  /** Lines that did not parse (skipped: the check at the end reports them). */
  bad: number;
}

export const newTail = (config: { transactional?: boolean } = {}): Tail => ({ offset: 0, state: liveState(config), bad: 0 });

/** Bytes read per look at most, so one look at a large history stays short (the next goes on). */
const MAX_READ = 8 * 1024 * 1024;

/** The whole lines of `path` from byte `offset` on, and the offset after the last one. */
export async function readNewLines(path: string, offset: number, max = MAX_READ): Promise<{ lines: string[]; offset: number }> {
  const fh = await open(path, "r").catch(() => undefined);
  if (!fh) return { lines: [], offset };
  try {
    const size = (await fh.stat()).size;
    if (size <= offset) return { lines: [], offset };
    const buf = Buffer.alloc(Math.min(size - offset, max));
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
    // Cut at the last newline, as bytes: a multi-byte character split by the read stays whole.
    const end = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (end < 0) return { lines: [], offset };
    const lines = buf.toString("utf8", 0, end).split("\n");
    return { lines, offset: offset + end + 1 };
  } finally {
    await fh.close();
  }
}

/** Folds what the history gained since the tail's offset into its state (mutated and returned). */
export async function advanceTail(tail: Tail, path: string): Promise<Tail> {
  const { lines, offset } = await readNewLines(path, tail.offset);
  const ops: Op[] = [];
  for (const line of lines) {
    if (line.trim() === "") continue;
    let op: Op | string;
    try {
      op = validateOp(JSON.parse(line), tail.state.lines + ops.length);
    } catch {
      op = "not JSON";
    }
    if (typeof op === "string") tail.bad++;
    else ops.push(op);
  }
  foldLive(tail.state, ops);
  tail.offset = offset;
  return tail;
}
