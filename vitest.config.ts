import { defineConfig } from "vitest/config";

// Two projects: fast pure tests (checkers, specs, generators) run in parallel; integration tests
// start real clusters, so they run one file at a time with long timeouts on a 2-core machine.
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

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          setupFiles,
          include: ["test/**/*.test.ts"],
          exclude: ["test/integration/**", "test/browser/**", "test/fixtures/**", "node_modules/**"],
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
                globalSetup: ["test/integration/global-setup.ts"],
                fileParallelism: false,
                // One worker runs the files in turn without isolation, so the files that take the
                // shared cluster (shared-cluster.ts) find it running: one start instead of five.
                isolate: false,
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
