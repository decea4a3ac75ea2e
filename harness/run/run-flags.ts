// `kafka-harness run` flags → a TestSpec input layered over an optional spec file, made from the
// settings table (checkers/settings.ts): each setting with a spec path is a flag whose text parses
// to the value at that path. Pure, so the mapping is tested without a cluster; a flag whose text is
// no value of its kind says so, naming the flag; the spec's schema then judges the values.
import { camel, flagValue, optionHeads, RUN_SETTINGS, type RunFlags, SETTINGS } from "../../checkers/settings.ts";
import { SpecError } from "../spec/errors.ts";
import type { TestSpecInput } from "../spec/test-spec.ts";
import { deepMerge, type Plain } from "../util/merge.ts";

export type { RunFlags };

// Every path of the table is a field of the spec's schema (its input type, inferred by zod).
type SpecPath = {
  [A in keyof TestSpecInput]-?:
    | readonly [A]
    | (NonNullable<TestSpecInput[A]> extends object ? readonly [A, keyof NonNullable<TestSpecInput[A]>] : never);
}[keyof TestSpecInput];
type TablePath = Extract<(typeof SETTINGS)[number], { path: unknown }>["path"];
const pathsAreSpecFields: TablePath extends SpecPath ? true : never = true;
void pathsAreSpecFields;

/** The run command's options, with the spec's defaults in their help; a setting without help has
 *  its option written out in harness/cli.ts (the fault lists). */
export const runOptions = (): Array<{ head: string; help: string }> =>
  RUN_SETTINGS.filter((s) => s.help !== undefined).flatMap((s) => optionHeads(s, true));

function setPath(into: Plain, path: readonly string[], value: unknown): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) into[head] = value;
  else setPath((into[head] ??= {}) as Plain, rest, value);
}

export function specFromFlags(flags: RunFlags, base: Plain = {}): Plain {
  const problems: string[] = [];
  const over: Plain = {};
  for (const s of RUN_SETTINGS) {
    const given = (flags as Record<string, string | boolean | undefined>)[camel(s.flag)];
    if (given === undefined) continue;
    const parsed = flagValue(s, given);
    if ("expected" in parsed) problems.push(`--${s.flag}: expected ${parsed.expected} (got ${JSON.stringify(given)})`);
    else if (parsed.value !== undefined) setPath(over, s.path!, parsed.value);
  }
  if (problems.length) throw new SpecError("command line", problems);
  return deepMerge(base, over);
}
