// The order in which the workers take the test files: the integration files first, longest first
// (vitest's own order: by the durations of the last run where it has them, by size otherwise), then
// the pure tests, which are short and fill whichever worker frees first. An integration worker is
// reused for its next file only while the next file in the queue is an integration one too.
import { BaseSequencer, type TestSpecification } from "vitest/node";

export class IntegrationFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const integration = sorted.filter((f) => f.project.name === "integration");
    return [...integration, ...sorted.filter((f) => f.project.name !== "integration")];
  }
}
