// kafka-harness as a library: `import { runTest, startSharedCluster, ... } from "kafka-harness"`.
// The package ships TypeScript and runs it through tsx (no build step): run your tests with vitest
// (which reads TS natively) or node with `--import tsx`. The vitest matchers are a separate entry,
// `kafka-harness/matchers`, so importing the API does not need vitest.
import { configureTestcontainers } from "./harness/cluster/runtime-env.ts";
import { installKafkajsFixes } from "./harness/kafkajs/fixes.ts";

// Before the user's code loads kafkajs (an import of kafka-harness ahead of kafkajs puts the
// read_committed fix in place) and before any cluster starts.
installKafkajsFixes();
configureTestcontainers();

export {
  ANOMALY_TYPES,
  type AnomalyType,
  type CheckConfig,
  check,
  explainFinding,
  type Finding,
  guaranteesFor,
  type History,
  type Op,
  type Results,
  readHistoryFile,
  summarize,
} from "./checkers/index.ts";
export * from "./harness/api/index.ts";
export { configureTestcontainers, installKafkajsFixes };
