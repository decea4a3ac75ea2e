// Needs a real cluster: Kafka 4.x (KRaft) for the new group protocol (KIP-848, group.protocol
// consumer: the broker assigns and owns the session), with the broker's consumer-group session at
// 6 s (KIP848_CLUSTER). @platformatic/kafka members, each in its own process, on a 3-partition
// topic while a producer writes: one killed (no leave heartbeat: its partitions move only when its
// session times out), one leaving (epoch -1: moved at once). Assignments are incremental. Read from the history.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Op } from "../../checkers/history.ts";
import { harnessFixture } from "../../harness/api/index.ts";
import { platformaticGroupClient } from "../../harness/clients/platformatic/group.ts";
import { groupScenario, KIP848_CLUSTER } from "./group-scenario.ts";

const log = (m: string) => console.error(`[group-kip848] ${m}`);
const SESSION_TIMEOUT_MS = KIP848_CLUSTER.brokerConfig["group.consumer.session.timeout.ms"];
const harness = harnessFixture({ cluster: KIP848_CLUSTER, progress: log });
beforeAll(harness.setup, 240_000);
afterAll(harness.teardown, 120_000);

const of = (history: readonly Op[], process: number) => history.filter((op) => op.process === process);

describe("@platformatic/kafka group members, KIP-848 (Kafka 4.x)", () => {
  it("consumer protocol, commit after-sync: incremental assignments; a killed member's partitions move after the session timeout, a leaver's at once", async () => {
    const r = await groupScenario(platformaticGroupClient, harness.cluster.bootstrap(), {
      label: "plt-consumer",
      protocol: "consumer",
      commit: "after-sync",
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      log,
    });
    log(
      `crash -> reassigned ${r.crashToReassignMs} ms; leave -> reassigned ${r.leaveToReassignMs} ms (broker session timeout ${SESSION_TIMEOUT_MS} ms)`,
    );
    expect(of(r.history, r.crashed.process).at(-1)).toMatchObject({ f: "crash", type: "info", value: "now" });
    expect(r.crashToReassignMs).toBeGreaterThanOrEqual(SESSION_TIMEOUT_MS / 2);
    expect(
      of(r.history, r.leaver.process)
        .filter((op) => op.f === "leave")
        .map((op) => op.type),
    ).toEqual(["invoke", "ok"]);
    expect(r.leaveToReassignMs).toBeLessThan(r.crashToReassignMs);
    // Incremental: a survivor taking over is handed only the new partition, never one it already held.
    const last = of(r.history, r.last.process);
    const assigned = last.filter((op) => op.f === "assigned");
    expect(assigned.length).toBeGreaterThan(1);
    for (const [i, op] of assigned.entries()) {
      const before = new Set(assigned.slice(0, i).flatMap((a) => a.value as string[]));
      const revoked = new Set(last.filter((x) => x.f === "revoked" && x.index! < op.index!).flatMap((x) => x.value as string[]));
      for (const k of op.value as string[]) expect(before.has(k) && !revoked.has(k), `${k} handed again at op ${op.index}`).toBe(false);
    }
    for (const p of [r.crashed.process, r.leaver.process, r.last.process]) {
      expect(of(r.history, p).filter((op) => op.f === "commit" && op.type === "ok").length, `process ${p} commits`).toBeGreaterThan(0);
    }
  });
});
