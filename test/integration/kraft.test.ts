// Needs a real cluster: a KRaft cluster (3 dedicated controllers + 3 brokers, Kafka 4.x) comes up
// ready, serves a short run in which the leader of a partition is killed, survives the KRaft faults
// (a killed active controller is replaced; a killed partition leader rejoins the ISR; each KRaft
// topology is applied and undone, recorded with its targets), and leaves nothing behind.
// The cluster also has the broker settings KIP-848 groups need here (KIP848_CLUSTER: the broker's
// consumer-group session at 6 s; nothing else reads them), so the KIP-848 group test runs on it
// too instead of starting a KRaft cluster of its own.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { harnessFixture, previewRun, type TestSpecInput } from "../../index.ts";
import "../../harness/api/matchers.ts";
import type { Op } from "../../checkers/history.ts";
import { produceValues } from "../../harness/clients/kafkajs/round-trip.ts";
import { platformaticGroupClient } from "../../harness/clients/platformatic/group.ts";
import { findLeftovers } from "../../harness/cluster/cleanup.ts";
import { createTopic } from "../../harness/cluster/cluster.ts";
import { saveNodeLogs } from "../../harness/cluster/node-logs.ts";
import { quorumState, waitQuorumReady } from "../../harness/cluster/readiness.ts";
import { createRecorder, type Recorder } from "../../harness/history/recorder.ts";
import { allWhole } from "../../harness/nemesis/failover-watch.ts";
import { type FaultResult, type FaultValue, seededRng } from "../../harness/nemesis/index.ts";
import { type ClusterNemesis, clusterNemesis } from "../../harness/nemesis/nemesis.ts";
import { clusterProbe } from "../../harness/nemesis/probe.ts";
import { waitFor } from "../../harness/util/wait.ts";
import { groupScenario, KIP848_CLUSTER } from "./group-scenario.ts";

const harness = harnessFixture({ cluster: KIP848_CLUSTER, storeRoot: "test-output/store", progress: (m) => console.error(m) });
beforeAll(harness.setup, 240_000);
afterAll(harness.teardown, 120_000);

describe("KRaft cluster (Kafka 4.x)", () => {
  it("comes up with a quorum leader, every voter caught up and every broker fetching", async () => {
    const c = harness.cluster;
    expect(c.spec).toMatchObject({ metadata: "kraft", kafkaVersion: "4.4.0", controllers: 3 });
    expect(c.zookeepers).toEqual([]);
    expect(c.controllers.map((n) => n.name)).toEqual(["c1", "c2", "c3"]);
    const q = await quorumState(c.brokers);
    expect(c.controllers.map((n) => n.id)).toContain(q.leaderId);
    expect(q.voters.map((v) => v.id).sort()).toEqual([101, 102, 103]);
    expect(q.observers.map((o) => o.id).sort()).toEqual([1, 2, 3]);
  });

  it("acks=all, min.insync.replicas=2: killing the partition leader loses no acknowledged write", async () => {
    const spec = {
      name: "kraft-kill-leader",
      seed: 18,
      producer: { acks: "all" },
      topic: { minInsyncReplicas: 2 },
      // 20 s: the seed's one kill ends at 15.4 s; the run waits for recovery before its final reads.
      workload: { timeLimitSeconds: 20, rate: 60, producers: 4, maxBurst: 4 },
      // Kills longer than the broker session timeout (6 s): a KRaft broker is restarted at once
      // (no ZooKeeper session to outlive), so a shorter kill ends before the controller fences the
      // leader, no failover happens, and the producers just wait for the JVM to come back.
      faults: { kinds: ["kill"], targets: ["leader"], intervalSeconds: 10, minDurationSeconds: 8, maxDurationSeconds: 9 },
      recoveryTimeoutSeconds: 40,
      finalReadTimeoutSeconds: 30,
    } satisfies TestSpecInput;
    const planned = previewRun(spec).faults;
    expect(planned.length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...planned.map((f) => f.at + f.duration))).toBeLessThan(18_000);
    const run = await harness.run(spec);
    expect(run.results.faults?.byKind.kill?.applied, JSON.stringify(run.results.faults)).toBeGreaterThanOrEqual(1);
    // A loaded 2-core machine acknowledges few sends while a leader is down (12 seen with 4.5 s kills).
    expect(run.results.stats.sends.ok).toBeGreaterThan(20);
    expect(run.results.stats.valuesRead).toBeGreaterThan(20);
    expect(run).toKeepAcknowledgedWrites();
    expect(run).toBeValid();
    // Every node's log is kept with the run, the controllers' too.
    expect(readdirSync(join(run.dir, "logs")).sort()).toEqual(["c1.log", "c2.log", "c3.log", "kafka1.log", "kafka2.log", "kafka3.log"]);
  });

  // Kafka 4.x (KRaft) for the new group protocol (KIP-848, group.protocol consumer: the broker
  // assigns and owns the session), with the broker's consumer-group session at 6 s
  // (KIP848_CLUSTER). @platformatic/kafka members, each in its own process, on a 3-partition
  // topic while a producer writes: one killed (no leave heartbeat: its partitions move only when its
  // session times out), one leaving (epoch -1: moved at once). Assignments are incremental. Read from the history.
  describe("@platformatic/kafka group members, KIP-848 (Kafka 4.x)", () => {
    const log = (m: string) => console.error(`[group-kip848] ${m}`);
    const SESSION_TIMEOUT_MS = KIP848_CLUSTER.brokerConfig["group.consumer.session.timeout.ms"];
    const of = (history: readonly Op[], process: number) => history.filter((op) => op.process === process);

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

  describe("KRaft faults (the nemesis on the same cluster)", () => {
    const TOPIC = "kt";
    let recorder: Recorder;
    let nemesis: ClusterNemesis;
    const ops = (f: string, after = -1) => recorder.ops.filter((o) => o.f === f && o.index > after);
    const waitOp = (f: string, after: number, timeoutMs = 60_000): Promise<Op> =>
      waitFor(`a ${f} op after #${after}`, async () => ops(f, after)[0], { timeoutMs, intervalMs: 200 });
    const voterIds = () => harness.cluster.controllers.map((c) => c.id);
    /** Every voter back in the quorum, every broker unfenced and every ISR whole in every view. */
    const waitWhole = async () => {
      try {
        await waitWholeOnce();
      } catch (err) {
        const dir = "test-output/kraft-faults-logs";
        await saveNodeLogs(harness.cluster, dir);
        throw new Error(`${(err as Error).message} (node logs in ${dir})`);
      }
    };
    const waitWholeOnce = async () => {
      const c = harness.cluster;
      await waitQuorumReady(c.brokers, voterIds(), 90_000);
      const probe = clusterProbe(c);
      await waitFor(
        "every broker unfenced and every ISR whole in every view",
        async () => {
          const views = await probe.metadataAll({ topics: [TOPIC] });
          if (views.length !== c.brokers.length || views.some((v) => v.brokers.length !== c.brokers.length || !allWhole(v.partitions))) {
            throw new Error(JSON.stringify(views.map((v) => ({ from: v.from, brokers: v.brokers, isr: v.partitions.map((p) => p.isr) }))));
          }
          return true;
        },
        { timeoutMs: 90_000, intervalMs: 500 },
      );
    };
    const undo = async (r: FaultResult) => {
      const u = await nemesis.invoke(r.undo!);
      expect(u.type, JSON.stringify(u.value)).toBe("ok");
      return u;
    };

    beforeAll(async () => {
      const c = harness.cluster;
      await createTopic(c.bootstrap(), TOPIC, { partitions: 2, replicationFactor: 3, config: { "min.insync.replicas": "2" } });
      recorder = createRecorder();
      nemesis = clusterNemesis(c, {
        recorder,
        rng: seededRng(14),
        healOnShutdown: false,
        watch: { topics: [TOPIC], pollMs: 250, timeoutMs: 40_000 },
      });
      await waitWhole();
    }, 120_000);

    afterAll(async () => {
      await nemesis?.healAll();
      await nemesis?.close();
    }, 90_000);

    it("a killed active controller is replaced (quorum-failover recorded) and the cluster keeps acknowledging acks=all writes", async () => {
      const r = await nemesis.invoke({ fault: "kill", targets: { kind: "active-controller" } });
      expect(r, JSON.stringify(r.value)).toMatchObject({ type: "ok", f: "kill", value: { selector: "active-controller" } });
      const [old] = r.value.targets;
      expect(harness.cluster.controllers.map((c) => c.name)).toContain(old);
      const q = (await waitOp("quorum-failover", r.index!)).value as Record<string, unknown>;
      expect(q).toMatchObject({ fault: r.index, from: old, ended: "settled" });
      expect(q.to).not.toBe(old);
      expect(q.quorumLeaderAfterMs).toEqual(expect.any(Number));
      // While the old leader is down: acks=all writes (min ISR 2) are acknowledged, so the brokers
      // still replicate and commit.
      const values = Array.from({ length: 30 }, (_, i) => 1000 + i);
      expect(await produceValues(harness.cluster.bootstrap(), TOPIC, values)).toBe(values.length);
      await undo(r);
      // A controller kill touches no broker: the quorum whole again is enough.
      await waitQuorumReady(harness.cluster.brokers, voterIds(), 90_000);
    }, 150_000);

    it("a killed partition leader fails over once fenced and rejoins the ISR after its start", async () => {
      const r = await nemesis.invoke({ fault: "kill", targets: { kind: "leader", of: `${TOPIC}-0` } });
      expect(r, JSON.stringify(r.value)).toMatchObject({ type: "ok", value: { leaderOf: `${TOPIC}-0` } });
      const killed = harness.cluster.node(r.value.targets[0]!).id;
      // Fenced after the broker session timeout (6 s), then a new leader from the ISR.
      const f = (await waitOp("failover", r.index!)).value as {
        leaderAfterMs: number | null;
        leaders: Record<string, number>;
        ended: string;
      };
      expect(f.ended, JSON.stringify(f)).toBe("settled");
      expect(f.leaderAfterMs).toEqual(expect.any(Number));
      expect(f.leaders[`${TOPIC}-0`]).not.toBe(killed);
      const u = await undo(r);
      const rec = (await waitOp("recovery", u.index!)).value as { isrWholeAfterMs: number | null; ended: string };
      expect(rec.ended, JSON.stringify(rec)).toBe("settled");
      expect(rec.isrWholeAfterMs).toEqual(expect.any(Number));
      const md = await clusterProbe(harness.cluster).metadata({ topics: [TOPIC] });
      expect(md.partitions.find((p) => p.partition === 0)!.isr).toContain(killed);
    }, 150_000);

    it("each KRaft topology is applied and undone, recorded with its targets", async () => {
      const c = harness.cluster;
      const voters = c.controllers.map((x) => x.name);
      const brokers = c.brokers.map((x) => x.name);
      const partition = (v: FaultValue) => v.grudge as Record<string, string[]>;

      // The active controller cut from the other voters; brokers still reach it.
      const iso = await nemesis.invoke({ fault: "partition", topology: "isolate-controller", targets: { kind: "active-controller" } });
      expect(iso, JSON.stringify(iso.value)).toMatchObject({
        type: "ok",
        value: { topology: "isolate-controller", selector: "active-controller" },
      });
      const [active] = iso.value.targets;
      expect(partition(iso.value)[active!]!.sort()).toEqual(voters.filter((v) => v !== active));
      expect(Object.keys(partition(iso.value)).some((n) => brokers.includes(n))).toBe(false);
      expect((await waitOp("quorum-failover", iso.index!)).value).toMatchObject({ from: active, ended: "settled" });
      expect(await undo(iso)).toMatchObject({ f: "heal", value: { removedFrom: voters } });
      await waitQuorumReady(c.brokers, voterIds(), 90_000);

      // One broker cut from the quorum (clients and brokers still reach it): the controller fences it.
      const cut = await nemesis.invoke({ fault: "partition", topology: "cut-from-quorum", targets: { kind: "leader", of: `${TOPIC}-1` } });
      expect(cut, JSON.stringify(cut.value)).toMatchObject({ type: "ok", value: { topology: "cut-from-quorum", leaderOf: `${TOPIC}-1` } });
      const [zombie] = cut.value.targets;
      expect(partition(cut.value)[zombie!]!.sort()).toEqual(voters);
      const zombieId = c.node(zombie!).id;
      const probe = clusterProbe(c);
      await waitFor(
        `${zombie} fenced (gone from a healthy broker's metadata)`,
        async () => {
          const md = await probe.metadata({ avoid: new Set([zombie!]), topics: [] });
          if (md.brokers.includes(zombieId)) throw new Error(`${md.from} still lists brokers ${md.brokers}`);
          return true;
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      await undo(cut);
      await waitWhole();

      // The 2013 scenario in KRaft terms: the leader cut from the other brokers, not from the controllers.
      const lone = await nemesis.invoke({
        fault: "partition",
        topology: "cut-from-brokers",
        targets: { kind: "leader", of: `${TOPIC}-0` },
      });
      expect(lone, JSON.stringify(lone.value)).toMatchObject({
        type: "ok",
        value: { topology: "cut-from-brokers", leaderOf: `${TOPIC}-0` },
      });
      expect(Object.keys(partition(lone.value)).some((n) => voters.includes(n))).toBe(false);
      await undo(lone);

      // A controller majority killed (no quorum: metadata frozen) and started again.
      const maj = await nemesis.invoke({ fault: "kill", targets: { kind: "controller-majority" } });
      expect(maj, JSON.stringify(maj.value)).toMatchObject({ type: "ok", value: { selector: "controller-majority" } });
      expect(maj.value.targets).toHaveLength(2);
      expect(maj.value.targets.every((n) => voters.includes(n))).toBe(true);
      await undo(maj);
      // Each comes back on its own fixed address (with addresses Docker hands out, they could swap,
      // and the voter left running would fetch from the wrong one).
      for (const c of harness.cluster.controllers.filter((n) => maj.value.targets.includes(n.name)))
        expect(await c.address(), c.name).toBe(c.lastAddress());
      await waitWhole();

      // Every fault and undo is an invoke/completion pair in the history, with its targets.
      const pairs = recorder.ops.filter(
        (o) => o.process === "nemesis" && ["partition", "heal", "kill", "start"].includes(String(o.f)) && o.index > iso.index! - 1,
      );
      expect(pairs.filter((o) => o.type === "ok").map((o) => o.f)).toEqual([
        "partition",
        "heal",
        "partition",
        "heal",
        "partition",
        "heal",
        "kill",
        "start",
      ]);
      for (const o of pairs) expect((o.value as FaultValue).targets.length, JSON.stringify(o)).toBeGreaterThan(0);
    }, 240_000);
  });

  it("stop removes every container and the network", async () => {
    const runId = harness.cluster.runId;
    await harness.teardown();
    expect(await findLeftovers(runId)).toEqual({ containers: [], networks: [] });
  });
});
