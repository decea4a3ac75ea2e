// Needs a real cluster and the librdkafka client (`kafka-harness install-client confluent`); run by
// `npm run test:confluent` only. The librdkafka client on an attached cluster that asks for TLS and
// SASL (SASL_SSL, SCRAM-SHA-256: test/integration/sasl-cluster.ts): its producers and consumers
// connect with security.protocol sasl_ssl, ssl.ca.pem and the sasl.* keys, and the run is valid.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRun } from "../../harness/run/runner.ts";
import type { TestSpecInput } from "../../harness/spec/test-spec.ts";
import { saslClusterForFile } from "../integration/sasl-cluster.ts";
import "../../harness/api/matchers.ts";

const PASSWORD_ENV = "KH_TEST_SCRAM_PASSWORD";
const log = (m: string) => console.error(`[confluent-attach-sasl] ${m}`);
const sc = saslClusterForFile(log, PASSWORD_ENV);

describe("librdkafka on an attached cluster with TLS and SASL", () => {
  it("SCRAM-SHA-256 over TLS: valid", async () => {
    const run = await executeRun(
      {
        name: "attach-sasl-confluent",
        seed: 13,
        client: "confluent",
        cluster: {
          kind: "attach",
          bootstrap: sc().cluster.bootstrap(),
          security: {
            tls: { ca: sc().caFile! },
            sasl: { mechanism: "scram-sha-256", username: sc().scram.username, passwordEnv: PASSWORD_ENV },
          },
        },
        producer: { acks: "all" },
        topic: { minInsyncReplicas: 2 },
        workload: { timeLimitSeconds: 10, rate: 50, producers: 2 },
        finalReadTimeoutSeconds: 60,
      } satisfies TestSpecInput,
      { storeRoot: "test-output/store", progress: log },
    );
    expect(run).toHaveExercised({ acked: 30, read: 30 });
    expect(run).toBeValid();
  }, 240_000);
});
