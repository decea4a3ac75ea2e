// The one error every bad input becomes (a spec, a suite file, a flag, a stored run): it names what
// was read and lists each problem as "field: what is wrong (got value)". The CLI prints it and
// exits 2, never with a stack trace.
import type { z } from "zod";

export class SpecError extends Error {
  constructor(
    readonly what: string,
    readonly problems: string[],
  ) {
    super(`invalid ${what}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** Turns zod issues into "field: problem (got value)" lines. */
export function describeIssues(error: z.ZodError, input: unknown, prefix = ""): string[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join(".");
    let got: unknown = input;
    for (const key of issue.path) got = (got as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
    const shown = got === undefined ? "" : ` (got ${JSON.stringify(got)})`;
    return `${path || "(spec)"}: ${issue.message}${shown}`;
  });
}
