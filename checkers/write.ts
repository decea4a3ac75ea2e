// History lines: one op, one JSON line, fields in the canonical order so files diff well. The
// harness's recorder (harness/history/recorder.ts) appends these as ops happen; tests and fixtures
// format whole histories with them.
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
