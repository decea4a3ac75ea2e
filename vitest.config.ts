import { defineConfig } from "vitest/config";
import { IntegrationFirst } from "./test/sequencer.ts";

// Pure tests (checkers, specs, generators) and integration tests (real clusters) run side by side
// on two workers: an integration file partly waits on its workload's clock, so two of them, and the
// pure tests after them, share 2 cores. Each worker holds one cluster at a time (and the shared
// one), so at most two work at once. Two sets of files then get the machine alone, one after the
// other (sequence.groupOrder): the ssh kind's stand-in hosts, whose Kafka (no class-data sharing,
// started over SSH) starved beside another cluster, and the known-answer suite, which runs its two
// lanes on two clusters of its own. Their setup file removes the shared clusters left idle.
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
const SSH_HOSTS = ["test/integration/ssh.test.ts", "test/integration/ssh-existing.test.ts"];
/** A project of integration files that runs after the others, alone, in one worker. */
const alone = (name: string, include: string[], groupOrder: number) => ({
  test: {
    name,
    setupFiles: [...setupFiles, "test/integration/alone.ts"],
    include,
    globalSetup: ["test/integration/global-setup.ts"],
    fileParallelism: false,
    isolate: false,
    sequence: { groupOrder },
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});

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
                exclude: [KNOWN_ANSWERS, ...SSH_HOSTS],
                globalSetup: ["test/integration/global-setup.ts"],
                // Each worker runs its files in turn without isolation, so the files that take the
                // shared cluster (shared-cluster.ts) find the one their worker started.
                maxWorkers: 2,
                isolate: false,
                testTimeout: 300_000,
                hookTimeout: 600_000,
              },
            },
            alone("ssh-hosts", SSH_HOSTS, 1),
            alone("known-answers", [KNOWN_ANSWERS], 2),
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
