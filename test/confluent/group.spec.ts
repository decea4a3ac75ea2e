// Needs a real cluster and the librdkafka client (`kafka-harness install-client confluent`); run by
// `npm run test:confluent` only. librdkafka consumer-group members (harness/clients/confluent/
// group.ts), each in its own process: librdkafka's close always leaves the group, so a crash is the
// member's process killed. One Kafka 4.x cluster (KRaft, the broker's KIP-848 session at 6 s) for
// both protocols: three members on a 3-partition topic while a producer writes; one killed (the
// group moves its partitions only when its session times out), one leaving cleanly (moved at once),
// the last leaving at the end. Read from the history.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Op } from "../../checkers/history.ts";
import { harnessFixture } from "../../harness/api/index.ts";
import { loadConfluentGroupClient } from "../../harness/clients/confluent/group.ts";
import type { GroupProtocol } from "../../harness/clients/group-member.ts";
import { groupScenario, KIP848_CLUSTER } from "../integration/group-scenario.ts";

const log = (m: string) => console.error(`[confluent-group] ${m}`);
const SESSION_TIMEOUT_MS = 6000;
const harness = harnessFixture({ cluster: KIP848_CLUSTER, progress: log });
beforeAll(harness.setup, 240_000);
afterAll(harness.teardown, 120_000);

const of = (history: readonly Op[], process: number) => history.filter((op) => op.process === process);

describe("librdkafka group members (Kafka 4.x)", () => {
  it.each(["classic", "consumer"] as GroupProtocol[])(
    "%s protocol, commit after-sync: a killed member's partitions move after the session timeout, a leaver's at once",
    async (protocol) => {
      const r = await groupScenario(loadConfluentGroupClient(), harness.cluster.bootstrap(), {
        label: `rdk-${protocol}`,
        protocol,
        commit: "after-sync",
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
        log,
      });
      log(
        `${protocol}: crash -> reassigned ${r.crashToReassignMs} ms; leave -> reassigned ${r.leaveToReassignMs} ms (session timeout ${SESSION_TIMEOUT_MS} ms)`,
      );
      const crashed = of(r.history, r.crashed.process);
      expect(crashed.at(-1)).toMatchObject({ f: "crash", type: "info", value: "now" });
      expect(crashed.some((op) => op.f === "leave")).toBe(false);
      expect(r.crashToReassignMs).toBeGreaterThanOrEqual(SESSION_TIMEOUT_MS / 2);
      // A clean leave revokes what the member held (librdkafka's close runs the rebalance callback) and is ok.
      const leaver = of(r.history, r.leaver.process);
      expect(leaver.filter((op) => op.f === "leave").map((op) => op.type)).toEqual(["invoke", "ok"]);
      const leaveAt = leaver.find((op) => op.f === "leave")!.index!;
      expect(leaver.some((op) => op.f === "revoked" && op.index! > leaveAt)).toBe(true);
      expect(r.leaveToReassignMs).toBeLessThan(r.crashToReassignMs);
      for (const p of [r.crashed.process, r.leaver.process, r.last.process]) {
        expect(of(r.history, p).filter((op) => op.f === "commit" && op.type === "ok").length, `process ${p} commits`).toBeGreaterThan(0);
      }
    },
  );
});
