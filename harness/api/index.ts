// The programmatic API (the command line's commands as functions): run a test, check a history, share one cluster
// between many runs, run suites as data, replay and shrink stored runs, write JUnit XML. This is
// what the package entry (index.ts) exports; the command line is a thin layer over the same calls.
export { runTest, previewRun, checkHistory, type TestRun, type RunOptions, type RunOutcome } from "./run-test.ts";
export { startSharedCluster, harnessFixture, type HarnessFixture } from "./fixture.ts";
export { runSuite } from "../suite/run-suite.ts";
export { judge, type ScenarioOutcome, type ScenarioRun } from "../suite/judge.ts";
export { formatSuiteTable } from "../suite/table.ts";
export { readSuiteFile, parseSuite, type Suite, type Scenario } from "../suite/suite-file.ts";
export { parseTestSpec, type TestSpec, type TestSpecInput } from "../spec/test-spec.ts";
export { SpecError } from "../spec/errors.ts";
export type { Cluster } from "../cluster/cluster.ts";
export { replayRun, formatReplay, type ReplayOutcome } from "../suite/replay.ts";
export { loadStoredSpec } from "../run/stored-run.ts";
export { shrinkRun, shrinkCandidates, type ShrinkOutcome } from "../suite/shrink.ts";
export { suiteToJUnit, writeJUnit } from "../suite/junit.ts";
