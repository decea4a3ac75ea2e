// The programmatic API (the command line's commands as functions): run a test, check a history, share one cluster
// between many runs, run suites as data, replay and shrink stored runs, write JUnit XML. This is
// what the package entry (index.ts) exports; the command line is a thin layer over the same calls.

export type { Cluster } from "../cluster/cluster.ts";
export { loadStoredSpec } from "../run/stored-run.ts";
export { SpecError } from "../spec/errors.ts";
export { parseTestSpec, type TestSpec, type TestSpecInput } from "../spec/test-spec.ts";
export { judge, type ScenarioOutcome, type ScenarioRun } from "../suite/judge.ts";
export { suiteToJUnit, writeJUnit } from "../suite/junit.ts";
export { formatReplay, type ReplayOutcome, replayRun } from "../suite/replay.ts";
export { runSuite } from "../suite/run-suite.ts";
export { type ShrinkOutcome, shrinkCandidates, shrinkRun } from "../suite/shrink.ts";
export { parseSuite, readSuiteFile, type Scenario, type Suite } from "../suite/suite-file.ts";
export { formatSuiteTable } from "../suite/table.ts";
export { type HarnessFixture, harnessFixture, startSharedCluster } from "./fixture.ts";
export { checkHistory, previewRun, type RunOptions, type RunOutcome, runTest, type TestRun } from "./run-test.ts";
