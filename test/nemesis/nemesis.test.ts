// The cluster nemesis on fake nodes: what it records, what it refuses, what heal-all undoes.
import { describe, expect, it } from "vitest";
import { createRecorder } from "../../harness/history/recorder.ts";
import { clusterNemesis } from "../../harness/nemesis/nemesis.ts";
import { noopNemesis } from "../../harness/nemesis/noop.ts";
import { seededRng } from "../../harness/nemesis/rng.ts";
import type { FaultResult } from "../../harness/nemesis/types.ts";
import { NemesisContractError, validateNemesis } from "../../harness/nemesis/validate.ts";
import { fakeCluster, fakeProbe, part } from "./fakes.ts";

function setup(o: { watch?: boolean } = {}) {
  const c = fakeCluster();
  const fp = fakeProbe({ partitions: [part("t", 0, 2, [1, 2, 3]), part("t", 1, 3, [1, 2, 3])], controller: 1, brokers: c.brokers });
  const recorder = createRecorder();
  const nemesis = clusterNemesis(c, {
    recorder,
    rng: seededRng(3),
    probe: fp.probe,
    watch: o.watch ? { pollMs: 5, timeoutMs: 2000 } : false,
    healOnShutdown: false,
    bounceTimeoutMs: 2000,
    sessionWaitMs: 1000,
  });
  const ops = () => recorder.ops.map((op) => ({ type: op.type, f: op.f, ...(op.value as object) }));
  return { c, fp, recorder, nemesis, ops };
}

describe("cluster nemesis (fake nodes)", () => {
  it("kill of a partition leader: invoke then ok with the resolved target and leaderOf; the undo is its own op pair", async () => {
    const { c, nemesis, recorder } = setup();
    const r = await nemesis.invoke({ fault: "kill", targets: { kind: "leader", of: "t-0" } });
    expect(r).toMatchObject({ type: "ok", f: "kill", value: { targets: ["kafka2"], leaderOf: "t-0" } });
    expect(c.brokers[1]!.status).toBe("exited");
    expect(r.undo).toEqual({ fault: "start", targets: { kind: "nodes", names: ["kafka2"] } });
    const u = await nemesis.invoke(r.undo!);
    expect(u).toMatchObject({ type: "ok", f: "start", value: { targets: ["kafka2"] } });
    expect(c.brokers[1]!.status).toBe("running");
    expect(recorder.ops.map((o) => [o.process, o.type, o.f])).toEqual([
      ["nemesis", "invoke", "kill"],
      ["nemesis", "ok", "kill"],
      ["nemesis", "invoke", "start"],
      ["nemesis", "ok", "start"],
    ]);
    expect(recorder.ops[0]!.value).toEqual({ targets: ["kafka2"], selector: "leader", leaderOf: "t-0" });
    await nemesis.close();
  });

  it("start of a killed broker waits until ZooKeeper has dropped its old registration (else it dies with NodeExists)", async () => {
    const { c, nemesis, fp } = setup();
    const k = await nemesis.invoke({ fault: "kill", targets: { kind: "nodes", names: ["kafka2"] } });
    // Simulate ZooKeeper still holding kafka2's session for 300 ms after the kill.
    const real = fp.probe.registered;
    const until = performance.now() + 300;
    fp.probe.registered = async () => (performance.now() < until ? new Map([[2, "0xold"]]) : real());
    const u = await nemesis.invoke(k.undo!);
    expect(u.type).toBe("ok");
    expect(u.value.waitedForSessionMs).toBeGreaterThanOrEqual(250);
    expect(c.brokers[1]!.status).toBe("running");
    await nemesis.close();
  });

  it("refuses contradictory faults with a fail that says why: no pause of a killed node, no second partition", async () => {
    const { nemesis, ops } = setup();
    await nemesis.invoke({ fault: "kill", targets: { kind: "nodes", names: ["kafka1"] } });
    const pause = await nemesis.invoke({ fault: "pause", targets: { kind: "nodes", names: ["kafka1"] } });
    expect(pause).toMatchObject({ type: "fail", value: { reason: "kafka1 is under kill" } });
    const p1 = await nemesis.invoke({ fault: "partition", topology: "cut-from-brokers", targets: { kind: "nodes", names: ["kafka2"] } });
    expect(p1.type).toBe("fail"); // kafka1 is down: the partition needs every node it names running
    await nemesis.invoke({ fault: "start", targets: { kind: "nodes", names: ["kafka1"] } });
    expect(
      (await nemesis.invoke({ fault: "partition", topology: "cut-from-brokers", targets: { kind: "nodes", names: ["kafka2"] } })).type,
    ).toBe("ok");
    const p2 = await nemesis.invoke({ fault: "partition", topology: "isolate", targets: { kind: "random-broker" } });
    expect(p2).toMatchObject({ type: "fail", value: { reason: expect.stringMatching(/already in force/) } });
    expect(
      ops()
        .filter((o) => o.type === "fail")
        .map((o) => o.f),
    ).toEqual(["pause", "partition", "partition"]);
    await nemesis.close();
  });

  it("random targets skip faulted nodes", async () => {
    const { nemesis } = setup();
    await nemesis.invoke({ fault: "pause", targets: { kind: "nodes", names: ["kafka1", "kafka2"] } });
    for (let i = 0; i < 5; i++) {
      const r = await nemesis.invoke({ fault: "kill", targets: { kind: "random-broker" } });
      if (r.type === "ok") {
        expect(r.value.targets).toEqual(["kafka3"]);
        await nemesis.invoke(r.undo!);
      }
    }
    await nemesis.close();
  });

  it("a refused target (the leader is already faulted) records invoke + fail, nothing happens", async () => {
    const { c, nemesis, recorder } = setup();
    await nemesis.invoke({ fault: "pause", targets: { kind: "nodes", names: ["kafka2"] } });
    const r = await nemesis.invoke({ fault: "kill", targets: { kind: "leader", of: "t-0" } });
    expect(r).toMatchObject({
      type: "fail",
      f: "kill",
      value: { targets: [], reason: expect.stringMatching(/kafka2, already under a fault/) },
    });
    expect(c.brokers[1]!.calls).toEqual(["pause"]);
    expect(recorder.ops.slice(-2).map((o) => o.type)).toEqual(["invoke", "fail"]);
    await nemesis.close();
  });

  it("partition: rules in every container of the grudge, with the other side's addresses; heal removes them", async () => {
    const { c, nemesis } = setup();
    const r = await nemesis.invoke({ fault: "partition", topology: "isolate", targets: { kind: "controller" } });
    expect(r).toMatchObject({ type: "ok", value: { targets: ["kafka1"], topology: "isolate" } });
    expect([...c.brokers[0]!.drops].sort()).toEqual(["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.1.3", "10.0.1.4"]);
    for (const n of c.all.slice(1)) expect([...n.drops]).toEqual(["10.0.1.2"]);
    const h = await nemesis.invoke(r.undo!);
    expect(h).toMatchObject({ type: "ok", f: "heal" });
    expect((h.value.removedFrom as string[]).sort()).toEqual(c.all.map((n) => n.name).sort());
    for (const n of c.all) expect(n.drops.size).toBe(0);
    await nemesis.close();
  });

  it("an action failing midway is recorded as info (may have happened), and heal-all still undoes it", async () => {
    const { c, nemesis } = setup();
    c.brokers[2]!.pause = async () => {
      throw new Error("docker: conflict");
    };
    const r = await nemesis.invoke({ fault: "pause", targets: { kind: "all-brokers" } });
    expect(r).toMatchObject({ type: "info", value: { reason: "docker: conflict" } });
    expect(r.undo).toBeDefined();
    const h = await nemesis.healAll();
    expect(h).toMatchObject({ type: "ok", f: "heal-all", value: { resumed: ["kafka1", "kafka2"] } });
    expect(c.all.every((n) => n.status === "running")).toBe(true);
  });

  it("heal-all asks every container: starts stopped ones, resumes paused ones, removes every rule", async () => {
    const { c, nemesis, ops } = setup();
    await nemesis.invoke({ fault: "partition", topology: "cut-from-brokers", targets: { kind: "nodes", names: ["kafka3"] } });
    await nemesis.invoke({ fault: "kill", targets: { kind: "zk-minority" } });
    c.brokers[0]!.status = "paused"; // something the bookkeeping does not know about
    const h = await nemesis.healAll();
    expect(h.type).toBe("ok");
    expect(h.value).toMatchObject({ resumed: ["kafka1"], removedFrom: expect.arrayContaining(["kafka2", "kafka3"]) });
    expect((h.value.started as string[]).length).toBe(1);
    expect(c.all.every((n) => n.status === "running" && n.drops.size === 0)).toBe(true);
    expect(
      ops()
        .slice(-2)
        .map((o) => `${o.type} ${o.f}`),
    ).toEqual(["invoke heal-all", "ok heal-all"]);
    expect(nemesis.state.faulted().size).toBe(0);
  });

  it("bounce restarts every broker in turn, waiting for each, and is refused while a fault is in force", async () => {
    const { c, nemesis } = setup();
    await nemesis.invoke({ fault: "pause", targets: { kind: "nodes", names: ["kafka1"] } });
    expect((await nemesis.invoke({ fault: "bounce" })).type).toBe("fail");
    await nemesis.invoke({ fault: "resume", targets: { kind: "nodes", names: ["kafka1"] } });
    const b = await nemesis.invoke({ fault: "bounce" });
    expect(b).toMatchObject({ type: "ok", f: "bounce", value: { targets: ["kafka1", "kafka2", "kafka3"] } });
    expect((b.value.steps as { node: string }[]).map((s) => s.node)).toEqual(["kafka1", "kafka2", "kafka3"]);
    for (const n of c.brokers) expect(n.calls.filter((x) => x === "stop" || x === "start")).toEqual(["stop", "start"]);
    expect(b.undo).toBeUndefined();
  });

  it("records failover after a fault and recovery after its undo, from the probe's metadata", async () => {
    const { fp, nemesis, recorder } = setup({ watch: true });
    const r = await nemesis.invoke({ fault: "kill", targets: { kind: "leader", of: "t-0" } });
    setTimeout(() => (fp.s.partitions = [part("t", 0, 3, [1, 2, 3], [1, 3]), part("t", 1, 3, [1, 2, 3], [1, 3])]), 30);
    await new Promise((res) => setTimeout(res, 150));
    const failover = recorder.ops.find((o) => o.f === "failover")!;
    expect(failover).toMatchObject({
      process: "nemesis",
      type: "info",
      value: { fault: r.index, partitions: ["t-0", "t-1"], leaderless: ["t-0"], leaders: { "t-0": 3, "t-1": 3 }, ended: "settled" },
    });
    expect((failover.value as { leaderAfterMs: number }).leaderAfterMs).toBeGreaterThanOrEqual(20);
    expect(fp.s.asked.at(-1)).toEqual(["kafka2"]); // never the broker the fault hit
    const u = await nemesis.invoke(r.undo!);
    setTimeout(() => (fp.s.partitions = [part("t", 0, 3, [1, 2, 3]), part("t", 1, 3, [1, 2, 3])]), 30);
    await nemesis.close({ waitMs: 1000 });
    const recovery = recorder.ops.find((o) => o.f === "recovery")!;
    expect(recovery).toMatchObject({
      type: "info",
      value: { fault: u.index, partitions: ["t-0", "t-1"], leaderAfterMs: 0, ended: "settled" },
    });
    expect((recovery.value as { isrWholeAfterMs: number }).isrWholeAfterMs).toBeGreaterThanOrEqual(20);
  });

  it("an undo ends the fault's failover watch early, and says so", async () => {
    const { nemesis, recorder } = setup({ watch: true });
    const r = await nemesis.invoke({ fault: "pause", targets: { kind: "leader", of: "t-1" } });
    await nemesis.invoke(r.undo!);
    await nemesis.close();
    expect(recorder.ops.find((o) => o.f === "failover")?.value).toMatchObject({ leaderAfterMs: null, ended: "undone" });
  });
});

describe("noop and validate", () => {
  it("noop does nothing and says ok", async () => {
    const n = noopNemesis();
    expect(await n.invoke({ fault: "kill", targets: { kind: "controller" } })).toMatchObject({
      type: "ok",
      f: "kill",
      value: { targets: [] },
    });
    expect((await n.healAll()).f).toBe("heal-all");
  });

  it("validate rejects a completion that names another fault, lacks targets or an undo", async () => {
    const bad = (r: Partial<FaultResult>) =>
      validateNemesis({ invoke: async () => r as FaultResult, healAll: async () => r as FaultResult, close: async () => {} });
    await expect(
      bad({ type: "ok", f: "pause", value: { targets: [] } }).invoke({ fault: "kill", targets: { kind: "controller" } }),
    ).rejects.toThrow(NemesisContractError);
    await expect(
      bad({ type: "ok", f: "kill", value: {} as never, undo: { fault: "heal" } }).invoke({
        fault: "kill",
        targets: { kind: "controller" },
      }),
    ).rejects.toThrow(/targets/);
    await expect(
      bad({ type: "ok", f: "kill", value: { targets: ["kafka1"] } }).invoke({ fault: "kill", targets: { kind: "controller" } }),
    ).rejects.toThrow(/no undo/);
    await expect(bad({ type: "fail", f: "heal-all", value: { targets: [] } }).healAll()).rejects.toThrow(/no reason/);
    const good = validateNemesis(noopNemesis(), { needsUndo: false });
    expect((await good.invoke({ fault: "kill", targets: { kind: "controller" } })).type).toBe("ok");
  });
});
