// Needs a real cluster and the librdkafka client (`kafka-harness install-client confluent`); run by
// `npm run test:confluent` only, never by `npm test`. The two known answers through librdkafka:
// acks=all with min.insync.replicas=2 keeps every acknowledged write under leader faults, and
// acks=1 with the leader isolated loses acknowledged writes (permitted there), found within 3 runs.
import { parseSuite } from "../../harness/suite/suite-file.ts";
import { suiteCases } from "../integration/suite-cases.ts";

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
          // 40 s as in the known-answer suite: a fresh cluster on a loaded machine can take 10 s to
          // answer acks=all quickly (25 s once gave 78 acknowledged sends, under the 100 a run must reach).
          workload: { timeLimitSeconds: 40 },
        },
        expect: {
          verdict: "valid",
          never: ["lost-write", "unseen", "inconsistent-offsets", "G1a", "poll-skip", "nonmonotonic-poll"],
          faultsApplied: { min: 1 },
        },
      },
      {
        name: "acks1-leader-isolated",
        description: "acks=1 with the leader isolated: acknowledged writes are lost (permitted), found within 3 runs.",
        spec: {
          producer: { acks: 1 },
          topic: { minInsyncReplicas: 1 },
          faults: { kinds: ["isolate"] },
          workload: { timeLimitSeconds: 30 },
        },
        runs: 1,
        maxRuns: 3,
        expect: { verdict: "valid", finds: ["lost-write", "unseen"], faultsApplied: { kinds: { partition: 1 } } },
      },
    ],
  },
  "test/confluent/runs.spec.ts",
);

suiteCases("the confluent client (librdkafka) on a real cluster", suite);
