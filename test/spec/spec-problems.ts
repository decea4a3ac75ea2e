// The problems a spec is refused with (empty: accepted), for tests that name what must be refused.
import { SpecError } from "../../harness/spec/errors.ts";
import { parseTestSpec, type TestSpecInput } from "../../harness/spec/test-spec.ts";

export function specProblems(input: TestSpecInput): string[] {
  try {
    parseTestSpec(input);
    return [];
  } catch (e) {
    if (e instanceof SpecError) return e.problems;
    throw e;
  }
}
