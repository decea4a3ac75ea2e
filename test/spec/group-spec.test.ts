// The group workload's spec: its settings filled in for a group run only, and what cannot run refused
// before anything starts, each naming the field.
import { describe, expect, it } from "vitest";
import * as table from "../../checkers/settings.ts";
import { checkConfigOfSpec } from "../../checkers/spec-config.ts";
import * as member from "../../harness/clients/group-member.ts";
import { specFromFlags } from "../../harness/run/run-flags.ts";
import { GROUP_PROTOCOLS_OF } from "../../harness/spec/client.ts";
import { CHURN_EVENTS, COMMIT_STRATEGIES, GROUP_PROTOCOLS, parseTestSpec } from "../../harness/spec/test-spec.ts";
import { configLabel } from "../../harness/suite/table.ts";
import { specProblems } from "./spec-problems.ts";

const group = (over: Record<string, unknown> = {}, consumer: Record<string, unknown> = {}) => ({
  workload: { kind: "group" as const },
  consumer,
  ...over,
});

describe("group workload spec", () => {
  it("the strategy, protocol and event lists are one list in the spec, the settings table and the member interface", () => {
    expect(COMMIT_STRATEGIES).toEqual(member.COMMIT_STRATEGIES);
    expect(COMMIT_STRATEGIES).toEqual(table.COMMIT_STRATEGIES);
    expect(GROUP_PROTOCOLS).toEqual(member.GROUP_PROTOCOLS);
    expect(GROUP_PROTOCOLS).toEqual(table.GROUP_PROTOCOLS);
    expect(CHURN_EVENTS).toEqual(table.CHURN_EVENTS);
  });

  it("fills in the group settings for a group run, whose members subscribe", () => {
    const s = parseTestSpec(group());
    expect(s.consumer).toMatchObject({
      mode: "subscribe",
      group: { commit: "after-sync", protocol: "classic", sessionTimeoutMs: 6000, maxPollIntervalMs: 10_000, autoCommitIntervalMs: 1000 },
      churn: { events: [], intervalSeconds: 5, stallMs: 12_000, crashWindow: "now" },
    });
    expect(parseTestSpec({}).consumer.group).toBeUndefined();
  });

  it("judges a group run knowing its commit strategy; a queue run has none", () => {
    expect(checkConfigOfSpec(parseTestSpec(group({}, { group: { commit: "before" } })))).toMatchObject({
      commit: "before",
      transactional: false,
      consumerMode: "subscribe",
    });
    expect(checkConfigOfSpec(parseTestSpec({})).commit).toBeUndefined();
    expect(configLabel(parseTestSpec(group({}, { group: { commit: "auto" } })))).toContain("commit=auto");
    expect(configLabel(parseTestSpec({}))).not.toContain("commit");
  });

  it("takes the group settings from flags", () => {
    const s = parseTestSpec(specFromFlags({ workload: "group", commit: "before", churn: "crash,stall", groupProtocol: "classic" }));
    expect(s.consumer.group?.commit).toBe("before");
    expect(s.consumer.churn?.events).toEqual(["crash", "stall"]);
    expect(() => specFromFlags({ workload: "group", commit: "later" })).toThrow(
      /--commit must be after-sync or after-async or auto or before/,
    );
    const b = parseTestSpec(
      specFromFlags({ workload: "group", commit: "before", churnInterval: "3", crashWindow: "after-commit", sessionTimeout: "8000" }),
    );
    expect(b.consumer.churn).toMatchObject({ intervalSeconds: 3, crashWindow: "after-commit" });
    expect(b.consumer.group?.sessionTimeoutMs).toBe(8000);
  });

  it("refuses what cannot run, naming the field", () => {
    // The consumer protocol: not spoken by kafkajs; not on Kafka 3.9 whoever speaks it.
    expect(specProblems(group({}, { group: { protocol: "consumer" } }))).toEqual([
      'consumer.group.protocol: must be classic with client "kafkajs" (the protocols its group members speak) (got "consumer")',
      'consumer.group.protocol: must be classic on Kafka 3.9.1 (the consumer protocol, KIP-848, needs Kafka 4.x) (got "consumer")',
    ]);
    // The other two clients run group members in the group workload, KIP-848 too on Kafka 4.x,
    // while their queue workload's consumers stay manually assigned.
    for (const client of ["platformatic", "confluent"] as const) {
      expect(specProblems({ ...group(), client })).toEqual([]);
      expect(
        specProblems({ ...group({ cluster: { metadata: "kraft", kafkaVersion: "4.4.0" } }, { group: { protocol: "consumer" } }), client }),
      ).toEqual([]);
      expect(specProblems({ client, consumer: { mode: "subscribe" } })).toEqual([
        `consumer.mode: must be "assign" with client "${client}" in a queue workload (its consumers use manual assignment; consumer groups run in workload kind group) (got "subscribe")`,
      ]);
    }
    // Group settings and churn in a run without a group; a commit strategy there is one of them.
    expect(specProblems({ consumer: { group: { commit: "before" } } })).toEqual([
      'consumer.group: needs workload.kind "group" (the settings of its group members) (got {"commit":"before"})',
    ]);
    expect(() => parseTestSpec(specFromFlags({ commit: "before" }))).toThrow(/consumer\.group: needs workload\.kind "group"/);
    expect(specProblems({ workload: { kind: "txn" }, consumer: { churn: { events: ["crash"] } } })).toEqual([
      'consumer.churn: needs workload.kind "group" (the events of its group members) (got {"events":["crash"]})',
    ]);
    // The after-commit window exists only when commits come before processing.
    expect(specProblems(group({}, { churn: { events: ["crash"], crashWindow: "after-commit" } }))).toEqual([
      'consumer.churn.crashWindow: "after-commit" needs consumer.group.commit "before" (the window between a commit and the delivery it covers) (got "after-commit")',
    ]);
    expect(specProblems(group({}, { group: { commit: "before" }, churn: { events: ["crash"], crashWindow: "after-commit" } }))).toEqual([]);
    expect(specProblems(group({}, { count: 0 }))).toEqual(['consumer.count: must be at least 1 with workload.kind "group" (got 0)']);
    expect(specProblems(group({}, { group: { sessionTimeoutMs: 3000 } }))[0]).toMatch(/^consumer\.group\.sessionTimeoutMs/);
  });

  it("lets the group workload's faults aim at its group coordinator, not at a transaction coordinator", () => {
    const faults = (targets: string[]) => ({ faults: { kinds: ["pause"], targets } });
    expect(specProblems(group(faults(["group-coordinator"])))).toEqual([]);
    expect(specProblems(group(faults(["txn-coordinator"])))).toEqual([
      'faults.targets: txn-coordinator needs workload.kind "txn" or "copy" (it targets the coordinator of the workload\'s transactional ids) (got ["txn-coordinator"])',
    ]);
    expect(specProblems(faults(["group-coordinator"]) as never)).toEqual([
      'faults.targets: group-coordinator needs workload.kind "txn", "copy" or "group" (it targets the coordinator of the workload\'s consumer groups) (got ["group-coordinator"])',
    ]);
  });
});
