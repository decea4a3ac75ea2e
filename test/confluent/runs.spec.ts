// Needs a real cluster and the librdkafka client (`kafka-harness install-client confluent`); run by
// `npm run test:confluent` only, never by `npm test`. The two known answers through librdkafka:
// acks=all with min.insync.replicas=2 keeps every acknowledged write under leader faults, and
// acks=1 with the leader isolated loses acknowledged writes (permitted there), found within 3 runs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../../harness/cluster/cluster.ts";
import { runSuite } from "../../harness/suite/run-suite.ts";
import { parseSuite } from "../../harness/suite/suite-file.ts";
import { formatSuiteTable } from "../../harness/suite/table.ts";

const suite = parseSuite(
  {
    name: "confluent-known-answers",
    seed: 20261129,
    clients: ["confluent"],
    defaults: {
      workload: { rate: 80, producers: 6, maxBurst: 4 },
      faults: { intervalSeconds: 10, minDurationSeconds: 8, maxDurationSeconds: 12, targets: ["leader"] },
    },
    scenarios: [
      {
        name: "acks-all-minisr2",
        description: "acks=all, min.insync.replicas=2, leader kill/pause/isolation: nothing acknowledged is lost.",
        spec: {
          producer: { acks: "all", idempotent: false, retries: 5, maxInFlight: 5 },
          topic: { minInsyncReplicas: 2, uncleanLeaderElection: false },
          faults: { kinds: ["kill", "pause", "isolate"] },
          workload: { timeLimitSeconds: 25 },
        },
        expect: { verdict: "valid", never: ["lost-write", "unseen", "inconsistent-offsets", "G1a", "poll-skip", "nonmonotonic-poll"], faultsApplied: { min: 1 } },
      },
      {
        name: "acks1-leader-isolated",
        description: "acks=1 with the leader isolated: acknowledged writes are lost (permitted), found within 3 runs.",
        spec: { producer: { acks: 1 }, topic: { minInsyncReplicas: 1 }, faults: { kinds: ["isolate"] }, workload: { timeLimitSeconds: 30 } },
        runs: 1,
        maxRuns: 3,
        expect: { verdict: "valid", finds: ["lost-write", "unseen"], faultsApplied: { kinds: { partition: 1 } } },
      },
    ],
  },
  "test/confluent/runs.spec.ts",
);

describe("the confluent client (librdkafka) on a real cluster", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({}, { progress: (m) => console.error(m) });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  for (const scenario of suite.scenarios) {
    it(`${scenario.name}: ${scenario.description}`, async () => {
      const [outcome] = await runSuite(suite, { storeRoot: "test-output/store", only: [scenario.name], cluster, progress: (m) => console.error(m) });
      console.error(formatSuiteTable([outcome!]));
      expect(outcome!.runs.length).toBeGreaterThan(0);
      for (const r of outcome!.runs) expect(r.sendsOk).toBeGreaterThan(100);
      expect(outcome!.problems).toEqual([]);
      expect(outcome!.met).toBe(true);
    }, 900_000);
  }
});
