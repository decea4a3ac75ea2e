import { defineConfig } from "vitest/config";
import { IntegrationFirst } from "./test/sequencer.ts";

// Pure tests (checkers, specs, generators) and integration tests (real clusters) run side by side
// on two workers: an integration file mostly waits on its cluster and its workload's clock, so two
// of them, and the pure tests after them, share 2 cores. Each worker holds one cluster at a time
// (and the shared one), so at most two work at once. The known-answer suite runs its two lanes on
// two clusters of its own, so it gets the machine to itself, after the rest (sequence.groupOrder).
// Integration tests never skip silently: without a Docker engine their global setup fails with a
// message. KAFKA_HARNESS_SKIP_INTEGRATION=1 is the one explicit opt-out, announced on stderr.
const skipIntegration = process.env.KAFKA_HARNESS_SKIP_INTEGRATION === "1";
// The librdkafka client's runs (test/confluent/*.spec.ts) need the client built on this machine
// (`kafka-harness install-client confluent`, about 20 minutes): never part of `npm test`. Only
// `npm run test:confluent` defines the project (KAFKA_HARNESS_CONFLUENT_TESTS=1); its global setup
// fails with what to do when the client is missing.
const confluentTests = process.env.KAFKA_HARNESS_CONFLUENT_TESTS === "1";
if (skipIntegration) console.error("KAFKA_HARNESS_SKIP_INTEGRATION=1: integration tests (real clusters) are NOT run.");

// Every project runs test/setup.ts first: the kafkajs fixes and the Testcontainers settings, as
// the CLI and the package index put them in place.
const setupFiles = ["test/setup.ts"];
const KNOWN_ANSWERS = "test/integration/known-answers.test.ts";

export default defineConfig({
  test: {
    // Integration files first, longest first, so the pure tests fill the workers' tails.
    sequence: { sequencer: IntegrationFirst },
    projects: [
      {
        test: {
          name: "unit",
          setupFiles,
          include: ["test/**/*.test.ts"],
          exclude: ["test/integration/**", "test/browser/**", "test/fixtures/**", "node_modules/**"],
          maxWorkers: 2,
          testTimeout: 120_000,
        },
      },
      {
        // Reports opened from disk in headless Debian chromium (playwright-core).
        test: {
          name: "browser",
          setupFiles,
          include: ["test/browser/**/*.test.ts"],
          globalSetup: ["test/browser/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      ...(skipIntegration
        ? []
        : [
            {
              test: {
                name: "integration",
                setupFiles,
                include: ["test/integration/**/*.test.ts"],
                exclude: [KNOWN_ANSWERS],
                globalSetup: ["test/integration/global-setup.ts"],
                // Each worker runs its files in turn without isolation, so the files that take the
                // shared cluster (shared-cluster.ts) find the one their worker started.
                maxWorkers: 2,
                isolate: false,
                testTimeout: 300_000,
                hookTimeout: 600_000,
              },
            },
            {
              test: {
                name: "known-answers",
                setupFiles,
                include: [KNOWN_ANSWERS],
                globalSetup: ["test/integration/global-setup.ts"],
                fileParallelism: false,
                isolate: false,
                sequence: { groupOrder: 1 },
                testTimeout: 300_000,
                hookTimeout: 600_000,
              },
            },
          ]),
      ...(confluentTests
        ? [
            {
              test: {
                name: "confluent",
                setupFiles,
                include: ["test/confluent/**/*.spec.ts"],
                globalSetup: ["test/confluent/global-setup.ts", "test/integration/global-setup.ts"],
                fileParallelism: false,
                testTimeout: 900_000,
                hookTimeout: 600_000,
              },
            },
          ]
        : []),
    ],
  },
});
