// `kafka-harness run` flags → a TestSpec input layered over an optional spec file, made from the
// settings table (checkers/settings.ts): each setting with a spec path is a flag whose text parses
// to the value at that path. Pure, so the mapping is tested without a cluster; a flag whose text is
// no value of its kind says so, naming the flag; the spec's schema then judges the values.
import { camel, flagValue, optionHeads, RUN_SETTINGS, type RunFlags, SETTINGS } from "../../checkers/settings.ts";
import { didYouMean } from "../../checkers/suggest.ts";
import { formatIssue, gotText, pathText, SpecError } from "../spec/errors.ts";
import { parseTestSpec, type TestSpec, type TestSpecInput } from "../spec/test-spec.ts";
import { deepMerge, type Plain } from "../util/merge.ts";

export type { RunFlags };

// Every path of the table is a field of the spec's schema (its input type, inferred by zod).
type Fields<T> = NonNullable<T> extends object ? NonNullable<T> : never;
type SpecPath = {
  [A in keyof TestSpecInput]-?:
    | readonly [A]
    | {
        [B in keyof Fields<TestSpecInput[A]>]-?: readonly [A, B] | readonly [A, B, keyof Fields<Fields<TestSpecInput[A]>[B]>];
      }[keyof Fields<TestSpecInput[A]>];
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

/** A setting given as a flag: where its value goes in the spec, and the text typed. */
export interface Given {
  flag: string;
  path: readonly string[];
  text: string | boolean;
}

/** The settings typed as flags. */
export function givenFlags(flags: RunFlags): Given[] {
  return RUN_SETTINGS.flatMap((s) => {
    const text = (flags as Record<string, string | boolean | undefined>)[camel(s.flag)];
    return text === undefined || !s.path ? [] : [{ flag: s.flag, path: s.path, text }];
  });
}

export function specFromFlags(flags: RunFlags, base: Plain = {}): Plain {
  const problems: string[] = [];
  const over: Plain = {};
  for (const s of RUN_SETTINGS) {
    const given = (flags as Record<string, string | boolean | undefined>)[camel(s.flag)];
    if (given === undefined) continue;
    const parsed = flagValue(s, given);
    if ("expected" in parsed)
      problems.push(`--${s.flag} must be ${parsed.expected}${gotText(given, didYouMean(given, parsed.choices ?? []).slice(2))}`);
    else if (parsed.value !== undefined) setPath(over, s.path!, parsed.value);
  }
  if (problems.length) throw new SpecError("command line", problems);
  return deepMerge(base, over);
}

const startsWith = (path: readonly PropertyKey[], prefix: readonly string[]) => prefix.every((k, i) => path[i] === k);

/**
 * A spec's problems with the flags named: a problem at a field a flag set names the flag and the
 * text typed (`--acks must be 0, 1 or all (got "2")`), and a field another flag set is called by its
 * flag in the message; problems of fields a spec file set keep the field's name.
 */
export function nameFlags(err: SpecError, flags: RunFlags): SpecError {
  return nameFlagsIn(err, givenFlags(flags));
}

/** nameFlags for any command: `given` says which field each typed flag set. */
export function nameFlagsIn(err: SpecError, given: readonly Given[]): SpecError {
  if (!err.issues.length || !given.length) return err;
  const flagOf = (path: readonly PropertyKey[]) => given.find((g) => startsWith(path, g.path));
  const byFlag = (message: string) => given.reduce((m, g) => m.replaceAll(pathText(g.path), `--${g.flag}`), message);
  const problems = err.issues.map((i) => {
    const g = flagOf(i.path);
    if (!g) return formatIssue({ ...i, message: byFlag(i.message) });
    // The user typed text: a value is said as typed (acks all, not "all"); a list flag's bad element as itself.
    const message = i.custom ? byFlag(i.message) : i.message.replace(/"([^"\s]*)"/g, "$1");
    const got = i.path.length > g.path.length ? i.got : typeof g.text === "string" ? g.text : undefined;
    return `--${g.flag} ${message}${gotText(got === undefined ? undefined : String(got), i.hint)}`;
  });
  return new SpecError(err.what, problems, err.issues);
}

/** The run's spec from a spec file's object and the flags over it, validated (a seed drawn if none);
 *  a bad value names the flag it came from. */
export function runSpecFromFlags(flags: RunFlags, base: Plain = {}, where = "command line"): TestSpec {
  const input = specFromFlags(flags, base);
  try {
    return parseTestSpec(input, where);
  } catch (e) {
    throw e instanceof SpecError ? nameFlags(e, flags) : e;
  }
}
