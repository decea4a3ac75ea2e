// The fault injector on a real cluster (needs Docker): each fault takes effect, hits the node it
// aims at, is recorded, and its undo brings every replica back in sync. One cluster for the whole
// file; after each test heal-all runs and the cluster is awaited whole again.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Cluster, createTopic, startCluster } from "../../harness/cluster/cluster.ts";
import { zkMode } from "../../harness/cluster/zookeeper-words.ts";
import { createRecorder, type Recorder } from "../../harness/history/recorder.ts";
import { newKafka } from "../../harness/kafkajs/factory.ts";
import { allWhole } from "../../harness/nemesis/failover-watch.ts";
import {
  type FaultValue,
  fetchBrokerMetadata,
  filterRules,
  generateSchedule,
  runSchedule,
  type Schedule,
  seededRng,
} from "../../harness/nemesis/index.ts";
import { type ClusterNemesis, clusterNemesis } from "../../harness/nemesis/nemesis.ts";
import { type ClusterProbe, clusterProbe } from "../../harness/nemesis/probe.ts";
import { waitFor } from "../../harness/util/wait.ts";
import { sharedCluster } from "./shared-cluster.ts";

const TOPIC = "t";
let cluster: Cluster;
let probe: ClusterProbe;
let recorder: Recorder;
let nemesis: ClusterNemesis;
const started = performance.now();

const log = (m: string) => console.error(`[nemesis ${((performance.now() - started) / 1000).toFixed(1)} s] ${m}`);
const byId = (id: number) => cluster.brokerById(id).name;
const idOf = (name: string) => cluster.node(name).id;

/** t-0 as every answering broker sees it, once every one of them knows it led and they agree on its
 *  leader: a broker still catching up on metadata would otherwise read as "no leader". */
async function partition0(avoid: string[] = []) {
  return waitFor(
    "every answering broker to agree on t-0's leader",
    async () => {
      const views = await probe.metadataAll({ avoid: new Set(avoid), topics: [TOPIC] });
      const ps = views.flatMap((v) => v.partitions.filter((p) => p.partition === 0).map((p) => ({ from: v.from, ...p })));
      if (ps.length === 0 || ps.length < views.length) throw new Error(`t-0 known to ${ps.length} of ${views.length} answering brokers`);
      if (ps.some((p) => p.leader < 0)) throw new Error(`t-0 leaderless as seen by ${ps.filter((p) => p.leader < 0).map((p) => p.from)}`);
      if (new Set(ps.map((p) => p.leader)).size > 1)
        throw new Error(`leaders disagree: ${ps.map((p) => `${p.from}:${p.leader}`).join(", ")}`);
      return ps;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
}

async function waitRecovered(): Promise<void> {
  await waitFor(
    "the cluster whole again (ZooKeeper serving, brokers registered, every ISR whole in every view)",
    async () => {
      const modes = await Promise.all(cluster.zookeepers.map((z) => zkMode(z)));
      if (modes.some((m) => !m)) throw new Error(`ZooKeeper modes ${modes.join(",")}`);
      const reg = await probe.registered();
      if (reg.size !== cluster.brokers.length) throw new Error(`registered: ${[...reg.keys()].join(",")}`);
      const views = await probe.metadataAll();
      if (views.length !== cluster.brokers.length) throw new Error(`answering: ${views.map((v) => v.from).join(",")}`);
      const lagging = views.filter((v) => !allWhole(v.partitions)).map((v) => v.from);
      if (lagging.length) throw new Error(`not whole as seen by ${lagging.join(",")}`);
      return true;
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
}

const opsOf = (f: string) => recorder.ops.filter((o) => o.f === f);
const waitOp = (f: string, after: number, timeoutMs = 60_000) =>
  waitFor(`a ${f} op after #${after}`, async () => recorder.ops.find((o) => o.f === f && o.index > after), { timeoutMs, intervalMs: 200 });

beforeAll(async () => {
  cluster = await sharedCluster();
  probe = clusterProbe(cluster);
  await createTopic(cluster.bootstrap(), TOPIC, { partitions: 2, replicationFactor: 3, config: { "min.insync.replicas": "2" } });
  await waitRecovered();
});

beforeEach(() => {
  recorder = createRecorder();
  nemesis = clusterNemesis(cluster, { recorder, rng: seededRng(20261125), watch: { topics: [TOPIC] } });
});

afterEach(async () => {
  try {
    await nemesis.healAll();
    await nemesis.close();
  } finally {
    await waitRecovered();
  }
});

describe("nemesis on a real cluster", () => {
  it("kill hits the leader of t-0, which leaves metadata; a new leader takes over; start brings every replica back", async () => {
    const before = await partition0();
    const leader = before[0]!.leader;
    expect(new Set(before.map((p) => p.leader))).toEqual(new Set([leader]));

    const r = await nemesis.invoke({ fault: "kill", targets: { kind: "leader", of: "t-0" } });
    expect(r).toMatchObject({ type: "ok", f: "kill", value: { targets: [byId(leader)], leaderOf: "t-0" } });
    expect(await cluster.node(byId(leader)).state()).toBe("exited");
    await waitFor(
      `broker ${leader} gone from metadata and t-0 led by another`,
      async () => {
        const md = await probe.metadata({ avoid: new Set([byId(leader)]), topics: [TOPIC] });
        if (md.brokers.includes(leader)) throw new Error(`${md.from} still lists ${md.brokers}`);
        const p = md.partitions.find((x) => x.partition === 0)!;
        return p.leader >= 0 && p.leader !== leader && !p.isr.includes(leader);
      },
      { timeoutMs: 30_000 },
    );
    const failover = await waitOp("failover", r.index!);
    expect(failover.value).toMatchObject({ fault: r.index, leaderless: ["t-0"], ended: "settled" });
    log(`kill failover: ${JSON.stringify(failover.value)}`);

    const u = await nemesis.invoke(r.undo!);
    expect(u).toMatchObject({ type: "ok", f: "start", value: { targets: [byId(leader)] } });
    const recovery = await waitOp("recovery", u.index!, 90_000);
    expect(recovery.value).toMatchObject({ fault: u.index, ended: "settled" });
    expect((recovery.value as { isrWholeAfterMs: number }).isrWholeAfterMs).toBeGreaterThanOrEqual(0);
    log(`kill recovery: ${JSON.stringify(recovery.value)}`);
    expect(recorder.ops.filter((o) => o.process === "nemesis").map((o) => `${o.type} ${o.f}`)).toEqual([
      "invoke kill",
      "ok kill",
      "info failover",
      "invoke start",
      "ok start",
      "info recovery",
    ]);
  });

  it("pause freezes a broker: it stops answering; resume brings it back in sync", async () => {
    const r = await nemesis.invoke({ fault: "pause", targets: { kind: "random-broker" } });
    expect(r.type).toBe("ok");
    const node = cluster.node(r.value.targets[0]!);
    expect(await node.state()).toBe("paused");
    await expect(fetchBrokerMetadata(node.externalPort!, [TOPIC], 1500)).rejects.toThrow(/did not answer/);
    const u = await nemesis.invoke(r.undo!);
    expect(u).toMatchObject({ type: "ok", f: "resume" });
    expect((await fetchBrokerMetadata(node.externalPort!, [TOPIC], 3000)).brokers.length).toBeGreaterThan(0);
  });

  it("isolating the leader with iptables: the rest elect a new leader and drop it from the ISR; heal removes every rule", async () => {
    const leader = (await partition0())[0]!.leader;
    const r = await nemesis.invoke({ fault: "partition", topology: "isolate", targets: { kind: "leader", of: "t-0" } });
    expect(r).toMatchObject({ type: "ok", value: { targets: [byId(leader)], leaderOf: "t-0", topology: "isolate" } });
    expect((await filterRules(cluster.node(byId(leader)))).join("\n")).toMatch(/KH-NEMESIS/);
    await waitFor(
      "a new leader of t-0 without the isolated broker in its ISR, in every other broker's view",
      async () => (await partition0([byId(leader)])).every((p) => p.leader >= 0 && p.leader !== leader && !p.isr.includes(leader)),
      { timeoutMs: 30_000 },
    );
    const failover = await waitOp("failover", r.index!);
    log(`isolate failover: ${JSON.stringify(failover.value)}`);
    const h = await nemesis.invoke(r.undo!);
    expect(h).toMatchObject({ type: "ok", f: "heal" });
    for (const n of [...cluster.brokers, ...cluster.zookeepers]) expect(await filterRules(n)).toEqual([]);
  });

  // Kafka 3.x (ZooKeeper mode) no longer lets a leader shrink the ISR on its own: it asks the
  // controller (AlterPartition, KIP-497). So the 2013 hazard needs the cut leader to be the
  // controller too; a leader cut from a controller elsewhere keeps its ISR and stops acknowledging.
  it("the 2013 cut: a leader cut from the other brokers keeps its ZooKeeper session; as controller it shrinks the ISR to itself and acks=all goes on", async () => {
    const topic = "t2013";
    await createTopic(cluster.bootstrap(), topic, { partitions: 3, replicationFactor: 3, config: { "min.insync.replicas": "1" } });
    await waitFor(`${topic} in sync`, async () => (await probe.metadataAll({ topics: [topic] })).every((v) => allWhole(v.partitions)), {
      timeoutMs: 30_000,
    });
    const controller = await probe.controller();
    const led = (await probe.metadata({ topics: [topic] })).partitions.find((p) => p.leader === controller);
    expect(led, `a partition of ${topic} led by the controller ${controller}`).toBeDefined();
    const key = `${topic}-${led!.partition}`;
    const sessionBefore = (await probe.registered()).get(controller);

    const r = await nemesis.invoke({ fault: "partition", topology: "cut-from-brokers", targets: { kind: "leader", of: key } });
    expect(r).toMatchObject({ type: "ok", value: { targets: [byId(controller)], leaderOf: key, topology: "cut-from-brokers" } });
    expect(Object.keys(r.value.grudge!).some((n) => n.startsWith("zk"))).toBe(false);
    const cutAt = performance.now();
    const producer = newKafka(cluster.bootstrap(), "nemesis-2013").producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      // acks=all waits for the followers until the leader drops them from the ISR (replica.lag.time.max.ms).
      await producer.send({ topic, acks: -1, timeout: 30_000, messages: [{ partition: led!.partition, value: "acked-alone" }] });
      // The acknowledgement came once the leader's ISR shrank; its own metadata cache learns it a
      // moment later (the controller's UpdateMetadata), so it is read until it agrees (or 10 s).
      const ownPartition = async () =>
        (await fetchBrokerMetadata(cluster.node(byId(controller)).externalPort!, [topic])).partitions.find(
          (p) => p.partition === led!.partition,
        )!;
      const own = await waitFor(
        `${key}'s ISR shrunk to ${controller} in its leader's metadata`,
        async () => {
          const p = await ownPartition();
          return p.isr.length === 1 && p;
        },
        { timeoutMs: 10_000, intervalMs: 200 },
      ).catch(ownPartition);
      expect(own).toMatchObject({ leader: controller, isr: [controller] });
      const wait = cluster.spec.zkSessionTimeoutMs + 2000 - (performance.now() - cutAt);
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      expect((await probe.registered()).get(controller)).toBe(sessionBefore);
      log(`2013 cut: ${key} ISR [${own.isr}], acks=all acknowledged by the lone leader, ZooKeeper session ${sessionBefore} kept`);
    } finally {
      await producer.disconnect();
    }
    expect((await nemesis.invoke(r.undo!)).type).toBe("ok");
  });

  it("a leader cut from the other brokers (not the controller) stops replication: acks=1 is acknowledged, acks=all is not", async () => {
    // A fresh topic of 3 partitions: its preferred leaders are spread over the 3 brokers, so one
    // is not the controller (earlier faults may have moved both leaders of TOPIC to it).
    const topic = "tcut";
    await createTopic(cluster.bootstrap(), topic, { partitions: 3, replicationFactor: 3, config: { "min.insync.replicas": "2" } });
    await waitFor(`${topic} in sync`, async () => (await probe.metadataAll({ topics: [topic] })).every((v) => allWhole(v.partitions)), {
      timeoutMs: 30_000,
    });
    const controller = await probe.controller();
    const md = await probe.metadata({ topics: [topic] });
    const p = md.partitions.find((x) => x.leader !== controller);
    expect(p, `a partition of ${topic} not led by the controller ${controller}`).toBeDefined();
    const r = await nemesis.invoke({
      fault: "partition",
      topology: "cut-from-brokers",
      targets: { kind: "leader", of: `${topic}-${p!.partition}` },
    });
    expect(r).toMatchObject({ type: "ok", value: { targets: [byId(p!.leader)] } });
    const producer = newKafka(cluster.bootstrap(), "nemesis-cut", { retry: { retries: 0 } }).producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({ topic, acks: 1, messages: [{ partition: p!.partition, value: "one" }] });
      await expect(
        producer.send({ topic, acks: -1, timeout: 2000, messages: [{ partition: p!.partition, value: "all" }] }),
      ).rejects.toThrow();
    } finally {
      await producer.disconnect();
    }
    expect((await nemesis.invoke(r.undo!)).type).toBe("ok");
  });

  it("cut from ZooKeeper: the controller's session expires, it leaves /brokers/ids and another broker becomes controller", async () => {
    const controllerBefore = await probe.controller();
    const r = await nemesis.invoke({ fault: "partition", topology: "cut-from-zookeeper", targets: { kind: "controller" } });
    expect(r).toMatchObject({ type: "ok", value: { targets: [byId(controllerBefore)], selector: "controller" } });
    expect(Object.keys(r.value.grudge!).filter((n) => n.startsWith("kafka"))).toEqual([byId(controllerBefore)]);
    await waitFor(
      `broker ${controllerBefore} unregistered and a new controller`,
      async () => !(await probe.registered()).has(controllerBefore) && (await probe.controller()) !== controllerBefore,
      { timeoutMs: 30_000 },
    );
    expect((await nemesis.invoke(r.undo!)).type).toBe("ok");
    await waitFor(`broker ${controllerBefore} registered again`, async () => (await probe.registered()).has(controllerBefore), {
      timeoutMs: 60_000,
    });
  });

  it("stop (SIGTERM) of the controller: clean shutdown hands control over at once; start brings it back", async () => {
    const controllerBefore = await probe.controller();
    const t0 = performance.now();
    const r = await nemesis.invoke({ fault: "stop", targets: { kind: "controller" } });
    expect(r).toMatchObject({ type: "ok", f: "stop", value: { targets: [byId(controllerBefore)] } });
    expect(await cluster.node(byId(controllerBefore)).state()).toBe("exited");
    const logs = await cluster.node(byId(controllerBefore)).logs();
    expect(logs).toMatch(/shut down completed|Shutdown completed|shutting down/i);
    const moved = await waitFor(
      "a new controller",
      async () => {
        const c = await probe.controller();
        return c !== controllerBefore ? c : undefined;
      },
      { timeoutMs: 20_000 },
    );
    log(`stop: controller ${controllerBefore} → ${moved} within ${Math.round(performance.now() - t0)} ms of SIGTERM`);
    expect((await nemesis.invoke(r.undo!)).type).toBe("ok");
  });

  it("ZooKeeper faults: the ensemble survives a killed minority; a node cut off with a minority stops serving", async () => {
    const k = await nemesis.invoke({ fault: "kill", targets: { kind: "zk-minority" } });
    expect(k.type).toBe("ok");
    const killed = k.value.targets;
    expect(killed).toHaveLength(1);
    const others = cluster.zookeepers.filter((z) => !killed.includes(z.name));
    await waitFor("the other ZooKeeper nodes to serve", async () => (await Promise.all(others.map((z) => zkMode(z)))).every(Boolean), {
      timeoutMs: 30_000,
    });
    expect((await nemesis.invoke(k.undo!)).type).toBe("ok");
    await waitFor(`${killed[0]} serving again`, async () => zkMode(cluster.node(killed[0]!)), { timeoutMs: 60_000 });

    const iso = await nemesis.invoke({ fault: "partition", topology: "isolate", targets: { kind: "zk-majority" } });
    expect(iso.type).toBe("ok");
    const left = cluster.zookeepers.filter((z) => !iso.value.targets.includes(z.name));
    expect(left).toHaveLength(1);
    await waitFor(`${left[0]!.name} (cut off from the majority) to stop serving`, async () => (await zkMode(left[0]!)) === undefined, {
      timeoutMs: 30_000,
    });
    await waitFor(
      "the isolated majority to serve",
      async () => (await Promise.all(iso.value.targets.map((z) => zkMode(cluster.node(z))))).every(Boolean),
      {
        timeoutMs: 30_000,
      },
    );
    expect((await nemesis.invoke(iso.undo!)).type).toBe("ok");
  });

  it("bounce restarts every broker in turn and ends with every replica in sync", async () => {
    const b = await nemesis.invoke({ fault: "bounce" });
    expect(b).toMatchObject({ type: "ok", f: "bounce", value: { targets: ["kafka1", "kafka2", "kafka3"] } });
    const steps = b.value.steps as { node: string; stopMs: number; backMs: number }[];
    expect(steps.map((s) => s.node)).toEqual(["kafka1", "kafka2", "kafka3"]);
    log(`bounce: ${JSON.stringify(steps)}`);
    const views = await probe.metadataAll();
    expect(views.every((v) => allWhole(v.partitions))).toBe(true);
  });

  it("heal-all after an interrupted schedule leaves no iptables rule and no paused or stopped container", async () => {
    const schedule: Schedule = [
      { at: 0, fault: "partition", topology: "cut-from-brokers", targets: { kind: "random-broker" }, duration: 60_000 },
      { at: 200, fault: "pause", targets: { kind: "zk-random" }, duration: 60_000 },
      { at: 400, fault: "kill", targets: { kind: "zk-random" }, duration: 60_000 },
    ];
    const ctl = new AbortController();
    const run = runSchedule(schedule, nemesis, { signal: ctl.signal, progress: log });
    await waitFor("three faults in force", async () => recorder.ops.filter((o) => o.type === "ok").length >= 3, {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    const states = await Promise.all([...cluster.zookeepers].map((z) => z.state()));
    expect(states.sort()).toEqual(["exited", "paused", "running"]);
    ctl.abort();
    const out = await run;
    expect(out.interrupted).toBe(true);
    expect(out.steps.every((s) => s.undo === undefined)).toBe(true);
    expect(out.healAll).toMatchObject({ type: "ok", f: "heal-all" });
    const v = out.healAll.value as FaultValue & { started: string[]; resumed: string[]; removedFrom: string[] };
    expect(v.started).toHaveLength(1);
    expect(v.resumed).toHaveLength(1);
    expect(v.removedFrom.sort()).toEqual(["kafka1", "kafka2", "kafka3"]);
    for (const n of [...cluster.brokers, ...cluster.zookeepers]) {
      expect(await n.state()).toBe("running");
      expect(await filterRules(n)).toEqual([]);
    }
    expect(opsOf("heal-all").map((o) => o.type)).toEqual(["invoke", "ok"]);
  });

  it("SIGINT while faults are in force: the shutdown hook heals everything before the process exits", async () => {
    const history = join(mkdtempSync(join(tmpdir(), "nemesis-sigint-")), "history.jsonl");
    const shape = {
      network: cluster.network,
      nodes: [...cluster.brokers, ...cluster.zookeepers].map(({ name, role, id, containerId, externalPort }) => ({
        name,
        role,
        id,
        containerId,
        externalPort,
      })),
    };
    const child = spawn(process.execPath, ["bin/run-ts.js", "test/nemesis/sigint-child.ts"], {
      env: { ...process.env, NEMESIS_CLUSTER: JSON.stringify(shape), NEMESIS_HISTORY: history },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((res) => child.on("close", (code) => res(code)));
    try {
      await waitFor("the child to put its faults in force", async () => out.includes("in-force") || undefined, {
        timeoutMs: 60_000,
        intervalMs: 200,
      });
      expect(out).toContain("in-force ok,ok,ok");
      expect(await cluster.node("kafka2").state()).toBe("paused");
      child.kill("SIGINT");
      expect(await exited).toBe(130);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    for (const n of [...cluster.brokers, ...cluster.zookeepers]) {
      expect(await n.state()).toBe("running");
      expect(await filterRules(n)).toEqual([]);
    }
    const ops = readFileSync(history, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; f: string });
    expect(ops.slice(-2).map((o) => `${o.type} ${o.f}`)).toEqual(["invoke heal-all", "ok heal-all"]);
  });

  it("a generated schedule runs end to end: every fault is an op pair, every fault in force is undone, heal-all ends it", async () => {
    // Seed 7 draws a pause, a kill and a partition, each 2-4 s, the last undone at 13.6 s.
    const schedule = generateSchedule(7, {
      faults: ["kill", "pause", "partition"],
      timeLimitMs: 16_000,
      meanIntervalMs: 4000,
      durationMs: { min: 2000, max: 4000 },
      partitions: ["t-0", "t-1"],
      quietMs: 1000,
    });
    log(`schedule: ${JSON.stringify(schedule)}`);
    expect(schedule.length).toBeGreaterThanOrEqual(2);
    const out = await runSchedule(schedule, nemesis, { progress: log });
    expect(out.interrupted).toBe(false);
    expect(out.healAll.type).toBe("ok");
    const actions = recorder.ops.filter((o) => o.f !== "failover" && o.f !== "recovery");
    // One nemesis op at a time: each invoke is followed by its completion.
    for (let i = 0; i < actions.length; i += 2) {
      expect(actions[i]!.type).toBe("invoke");
      expect(actions[i + 1]).toMatchObject({ f: actions[i]!.f, type: expect.stringMatching(/^(ok|info|fail)$/) });
    }
    for (const step of out.steps) {
      expect(step.fault, `${JSON.stringify(step.entry)} was applied`).toBeDefined();
      if (step.fault!.type === "fail") expect(step.fault!.value.reason).toBeTruthy();
      else expect(step.undo, `${JSON.stringify(step.entry)} was undone`).toMatchObject({ type: "ok" });
    }
    expect(out.steps.filter((s) => s.fault?.type === "ok").length).toBeGreaterThanOrEqual(1);
    expect(actions.slice(-2).map((o) => `${o.type} ${o.f}`)).toEqual(["invoke heal-all", "ok heal-all"]);
    log(`schedule outcome: ${out.steps.map((s) => `${s.entry.fault}:${s.fault?.type}/${s.undo?.type ?? "-"}`).join(" ")}`);
  });
});
