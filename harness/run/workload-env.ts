// What a workload may ask of the run's cluster (harness/workload/workload.ts WorkloadEnv), built
// from the cluster's bootstrap addresses.

import { keyOf } from "../clients/context.ts";
import { waitTopicInSync } from "../cluster/readiness.ts";
import { withAdmin } from "../kafkajs/factory.ts";
import { OFFSETS_TOPIC, TXN_STATE_TOPIC } from "../nemesis/coordinator.ts";
import type { ClientSecurity } from "../protocol/security.ts";
import { waitFor } from "../util/wait.ts";
import type { WorkloadEnv } from "../workload/workload.ts";

export function workloadEnv(bootstrap: () => string[], progress: (m: string) => void, security?: ClientSecurity): WorkloadEnv {
  return {
    bootstrap,
    ...(security ? { security } : {}),
    progress,
    // Fetching a group's offsets finds the group's coordinator (creating __consumer_offsets).
    waitGroupCoordinator: (groupId, timeoutMs) =>
      waitFor(
        `the coordinator of ${groupId}`,
        () => withAdmin(bootstrap(), (a) => a.fetchOffsets({ groupId }).then(() => true), security),
        {
          timeoutMs,
          intervalMs: 1000,
        },
      ).then(() => undefined),
    committedOffsets: (groupId, topic) =>
      withAdmin(
        bootstrap(),
        async (a) => {
          const out: Record<string, number> = {};
          for (const t of await a.fetchOffsets({ groupId, topics: [topic] }))
            for (const p of t.partitions) if (Number(p.offset) >= 0) out[keyOf({ topic, partition: p.partition })] = Number(p.offset);
          return out;
        },
        security,
      ),
    endOffsets: (topic) =>
      withAdmin(
        bootstrap(),
        async (a) =>
          Object.fromEntries((await a.fetchTopicOffsets(topic)).map((p) => [keyOf({ topic, partition: p.partition }), Number(p.high)])),
        security,
      ),
    async waitCoordinatorTopicsInSync(timeoutMs, only) {
      if (only !== "offsets") await waitTopicInSync(bootstrap(), TXN_STATE_TOPIC, timeoutMs, security);
      await waitTopicInSync(bootstrap(), OFFSETS_TOPIC, timeoutMs, security);
    },
  };
}
