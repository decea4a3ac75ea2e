// Needs a real cluster (the shared one, Kafka 3.9: the classic protocol): @platformatic/kafka
// consumer-group members (harness/clients/platformatic/group.ts), each in its own process. Three
// members on a 3-partition topic while a producer writes; one is killed (SIGKILL: no LeaveGroup, so
// the group moves its partitions only when its session times out), one leaves cleanly (the group
// moves them at once), the last leaves at the end. Read from the history.
import { describe, expect, it } from "vitest";
import type { Op } from "../../checkers/history.ts";
import { platformaticGroupClient } from "../../harness/clients/platformatic/group.ts";
import { groupScenario } from "./group-scenario.ts";
import { sharedCluster } from "./shared-cluster.ts";

const log = (m: string) => console.error(`[group-platformatic] ${m}`);
const SESSION_TIMEOUT_MS = 6000;

const of = (history: readonly Op[], process: number) => history.filter((op) => op.process === process);

describe("@platformatic/kafka group members (a real cluster)", () => {
  it("classic, commit after-sync: a killed member's partitions move after the session timeout, a leaver's at once", async () => {
    const cluster = await sharedCluster();
    const r = await groupScenario(platformaticGroupClient, cluster.bootstrap(), {
      label: "plt-classic",
      protocol: "classic",
      commit: "after-sync",
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      log,
    });
    log(
      `crash -> reassigned ${r.crashToReassignMs} ms; leave -> reassigned ${r.leaveToReassignMs} ms (session timeout ${SESSION_TIMEOUT_MS} ms)`,
    );

    // The killed member: a crash op, no leave, nothing recorded after it.
    const crashed = of(r.history, r.crashed.process);
    expect(crashed.at(-1)).toMatchObject({ f: "crash", type: "info", value: "now" });
    expect(crashed.some((op) => op.f === "leave")).toBe(false);
    // No LeaveGroup went out: the group waited for the session to time out before moving its partitions.
    expect(r.crashToReassignMs).toBeGreaterThanOrEqual(SESSION_TIMEOUT_MS / 2);
    // The leaver: a clean leave (ok), and its partitions moved sooner than the crashed member's.
    const leaver = of(r.history, r.leaver.process);
    expect(leaver.filter((op) => op.f === "leave").map((op) => op.type)).toEqual(["invoke", "ok"]);
    expect(r.leaveToReassignMs).toBeLessThan(r.crashToReassignMs);
    // Every member committed after its deliveries, each commit answered ok by the broker, with the generation's assignments recorded.
    for (const p of [r.crashed.process, r.leaver.process, r.last.process]) {
      const ops = of(r.history, p);
      expect(ops.filter((op) => op.f === "commit" && op.type === "ok").length, `process ${p} commits`).toBeGreaterThan(0);
      expect(ops.find((op) => op.f === "assigned")).toHaveProperty("generation");
    }
    // Each commit's invocation follows the poll it commits (after-sync).
    const polls = r.history.filter((op) => op.f === "poll" && op.type === "ok");
    const firstCommit = r.history.find((op) => op.f === "commit" && op.type === "invoke")!;
    expect(polls.some((op) => op.process === firstCommit.process && op.index! < firstCommit.index!)).toBe(true);
  });
});
