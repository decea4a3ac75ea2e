// The exit codes of every command, as Jepsen's CLI has them (docs/design.md, "Verdict"), and the one
// JSON object `--json` prints when a command fails before it has a result.

export const EXIT = {
  valid: 0,
  invalid: 1,
  unknown: 2,
  /** A bad flag, spec, suite file or history, an unknown command; also a machine or client library
   *  that cannot run what was asked (the message says what to do). Nothing was tested. */
  badInput: 254,
  /** An unexpected exception: a bug in the harness. */
  internal: 255,
} as const;

/** What kind of failure an error exit is. */
export type ErrorKind = "bad-input" | "environment" | "client-library" | "internal";

export interface ErrorReport {
  message: string;
  /** What was read or given when it failed: "--acks", "suite x.yaml", "history h.jsonl". */
  where?: string;
  kind: ErrorKind;
  /** What to do about it, where the harness knows. */
  advice?: string;
}

/** `--json`'s object for a command that failed: `{"error": {...}, "exitCode": 254}`. */
export function errorJson(error: ErrorReport, exitCode: number): string {
  return JSON.stringify({ error, exitCode });
}
