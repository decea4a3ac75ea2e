// The one error every bad input becomes (a spec, a suite file, a flag, a stored run): it names what
// was read and lists each problem as "field: what is wrong (got value; did you mean …?)". The CLI
// prints it and exits 254, never with a stack trace. A spec's problems are kept as issues too (the
// field's path, the message, the value), so the command line can name the flag a value came from.
import type { z } from "zod";
import { didYouMean } from "../../checkers/suggest.ts";

/** One problem of a spec or suite: the field, what is wrong, the value given, a suggestion. */
export interface Issue {
  path: PropertyKey[];
  message: string;
  got?: unknown;
  /** "did you mean …?", where a valid value or field is near what was given. */
  hint?: string;
  /** A rule between fields (superRefine), not the field's own type or range. */
  custom: boolean;
}

export class SpecError extends Error {
  constructor(
    readonly what: string,
    readonly problems: string[],
    readonly issues: readonly Issue[] = [],
  ) {
    super(`invalid ${what}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** The dotted path of an issue under a prefix ("faults.kinds.0"). */
export const pathText = (path: readonly PropertyKey[], prefix = ""): string => [prefix, ...path.map(String)].filter(Boolean).join(".");

/** "(got 2; did you mean …?)", "(did you mean …?)" or "". */
export function gotText(got: unknown, hint?: string, show: (v: unknown) => string = (v) => JSON.stringify(v)): string {
  const parts = [...(got === undefined ? [] : [`got ${show(got)}`]), ...(hint ? [hint] : [])];
  return parts.length ? ` (${parts.join("; ")})` : "";
}

/** "field: problem (got value)". */
export const formatIssue = (i: Issue, prefix = ""): string =>
  `${pathText(i.path, prefix) || "(spec)"}: ${i.message}${gotText(i.got, i.hint)}`;

type Def = {
  type?: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
};
const defOf = (s: z.ZodType | undefined): Def => ((s as unknown as { _zod?: { def: Def } } | undefined)?._zod?.def ?? {}) as Def;

/** The object schemas a path leads to in a schema (through defaults, arrays, unions). */
function objectsAt(schema: z.ZodType | undefined, path: readonly PropertyKey[]): Def[] {
  const d = defOf(schema);
  if (d.innerType) return objectsAt(d.innerType, path);
  if (d.in) return objectsAt(d.in, path);
  if (d.options) return d.options.flatMap((o) => objectsAt(o, path));
  const [head, ...rest] = path;
  if (head === undefined) return d.type === "object" ? [d] : [];
  if (d.type === "array") return objectsAt(d.element, rest);
  if (d.type === "object") return objectsAt(d.shape?.[String(head)], rest);
  return [];
}

/** The field names an object at this path of the schema has. */
export const fieldsAt = (schema: z.ZodType | undefined, path: readonly PropertyKey[]): string[] =>
  objectsAt(schema, path).flatMap((d) => Object.keys(d.shape ?? {}));

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let got: unknown = input;
  for (const key of path) got = (got as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
  return got;
}

/** zod's issues as Issues: every unknown field its own, each with the nearest field or value. */
export function issuesOf(error: z.ZodError, input: unknown, schema?: z.ZodType): Issue[] {
  return error.issues.flatMap((issue): Issue[] => {
    if (issue.code === "unrecognized_keys") {
      const fields = fieldsAt(schema, issue.path);
      return issue.keys.map((key) => ({
        path: [...issue.path, key],
        message: "unknown field",
        hint: didYouMean(key, fields).replace(/^; /, "") || undefined,
        custom: false,
      }));
    }
    const got = valueAt(input, issue.path);
    const values = issue.code === "invalid_value" ? issue.values.map(String) : [];
    const hint = didYouMean(got, values).replace(/^; /, "") || undefined;
    return [
      {
        path: issue.path,
        message: issue.message,
        ...(got === undefined ? {} : { got }),
        ...(hint ? { hint } : {}),
        custom: issue.code === "custom",
      },
    ];
  });
}

/** Turns zod issues into "field: problem (got value)" lines. */
export function describeIssues(error: z.ZodError, input: unknown, prefix = "", schema?: z.ZodType): string[] {
  return issuesOf(error, input, schema).map((i) => formatIssue(i, prefix));
}

/** A SpecError from zod's issues, the issues kept. */
export function specErrorOf(what: string, error: z.ZodError, input: unknown, schema?: z.ZodType, prefix = ""): SpecError {
  const issues = issuesOf(error, input, schema);
  return new SpecError(
    what,
    issues.map((i) => formatIssue(i, prefix)),
    issues,
  );
}
