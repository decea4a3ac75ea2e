// Checking a history file while reading it: the file edge of check(), used by the check command.
import { stat } from "node:fs/promises";
import { type CheckOptions, checkDerived, deriveOptions, type Results } from "./check.ts";
import { Deriver } from "./derive.ts";
import type { CheckConfig } from "./guarantees.ts";
import { noPhaseMarks, notePhase } from "./phases.ts";
import { forEachHistoryOp, type ReadOptions } from "./read.ts";
import { LineScanner } from "./scan-line.ts";

/** Checks a history file (JSON Lines or EDN) as it is read; the parsed ops are not kept. */
export async function checkHistoryFile(
  path: string,
  config: CheckConfig = {},
  options: CheckOptions = {},
  read: ReadOptions = {},
): Promise<Results> {
  // A JSON Lines op takes upwards of ~100 bytes: a fair guess of how many ops to expect.
  const expectedOps =
    options.expectedOps ??
    (await stat(path).then(
      (s) => Math.round(s.size / 110),
      () => undefined,
    ));
  const deriver = new Deriver(expectedOps);
  const marks = noPhaseMarks();
  // The harness's own lines go straight into the deriver; any other line is parsed and validated.
  const scanner = new LineScanner();
  await forEachHistoryOp(
    path,
    (op) => {
      deriver.add(op);
      notePhase(marks, op);
    },
    read,
    (bytes, start, end) => scanner.take(bytes, start, end, deriver, marks),
  );
  return checkDerived(deriver.finish(deriveOptions(config, marks)), config, options, marks);
}
