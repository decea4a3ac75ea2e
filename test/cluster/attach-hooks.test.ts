// Faults on an attached cluster are the user's hooks (harness/cluster/kinds): a shell command run
// for the target broker at the fault's start and at its stop, with the fault and the target in its
// environment, applied only if it exits 0; recorded as the nemesis's usual op pairs. A tiny shell
// script stands in for a team's chaos tool; the probe is a fake (no Kafka here).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hookedBroker } from "../../harness/cluster/kinds/attach.ts";
import { HookError, hookRunner } from "../../harness/cluster/kinds/hooks.ts";
import { createRecorder } from "../../harness/history/recorder.ts";
import type { FaultableNode } from "../../harness/nemesis/capabilities.ts";
import { clusterNemesis } from "../../harness/nemesis/nemesis.ts";
import { seededRng } from "../../harness/nemesis/rng.ts";
import { fakeProbe, part } from "../nemesis/fakes.ts";

/** A run folder with the hook script: it notes its environment in calls.txt and fails a phase
 *  while fail-<phase> exists, saying why on stderr. */
function setup() {
  const runDir = mkdtempSync(join(tmpdir(), "kh-hooks-"));
  const script = join(runDir, "hook.sh");
  writeFileSync(
    script,
    [
      'echo "$KH_FAULT $KH_PHASE $KH_TARGET_NODE $KH_TARGET_ID $KH_TARGET_HOST:$KH_TARGET_PORT $KH_BOOTSTRAP $KH_TOPIC" >> "$KH_RUN_DIR/calls.txt"',
      'if [ -e "$KH_RUN_DIR/fail-$KH_PHASE" ]; then echo "cannot $KH_FAULT $KH_TARGET_NODE" >&2; exit 3; fi',
    ].join("\n"),
  );
  const hooks = hookRunner(
    { pause: `sh ${script}`, kill: `sh ${script}` },
    { runDir, bootstrap: ["b1:9092", "b2:9092"], topic: "kafka_harness_t_x" },
  );
  const calls = () => (existsSync(join(runDir, "calls.txt")) ? readFileSync(join(runDir, "calls.txt"), "utf8").trim().split("\n") : []);
  const fail = (phase: "start" | "stop") => writeFileSync(join(runDir, `fail-${phase}`), "");
  return { runDir, hooks, calls, fail };
}

const target = { name: "kafka2", id: 2, host: "b2", port: 9092 };

describe("the hook runner", () => {
  it("runs the command with the fault and the target in its environment, and logs each run", async () => {
    const { hooks, calls, runDir } = setup();
    const r = await hooks.run("pause", "start", target);
    expect(r.exitCode).toBe(0);
    expect(calls()).toEqual(["pause start kafka2 2 b2:9092 b1:9092,b2:9092 kafka_harness_t_x"]);
    expect(readFileSync(join(runDir, "logs", "hooks.log"), "utf8")).toMatch(/ pause start kafka2 \(b2:9092\) exit 0 \d+ ms\n$/);
  });

  it("a command that exits non-zero is an error carrying its exit status and stderr", async () => {
    const { hooks, fail, runDir } = setup();
    fail("start");
    await expect(hooks.run("pause", "start", target)).rejects.toThrow(
      new HookError("hook pause start on kafka2 exit 3: cannot pause kafka2"),
    );
    expect(readFileSync(join(runDir, "logs", "hooks.log"), "utf8")).toMatch(/exit 3 \d+ ms: cannot pause kafka2/);
  });

  it("a command that outlives the hook timeout is killed, with its children, and is an error", async () => {
    const runDir = mkdtempSync(join(tmpdir(), "kh-hooks-"));
    const hooks = hookRunner({ stop: "sleep 30 & wait", timeoutSeconds: 0.3 }, { runDir, bootstrap: [], topic: "t" });
    await expect(hooks.run("stop", "start", target)).rejects.toThrow(/hook stop start on kafka2 killed after 0.3 s/);
  });

  it("a fault without a hook is an error, not a silent success", async () => {
    const { hooks } = setup();
    await expect(hooks.run("stop", "start", target)).rejects.toThrow(/no hook for stop/);
  });
});

describe("the nemesis on an attached cluster's brokers", () => {
  function attached() {
    const s = setup();
    const brokers = [1, 2, 3].map((id) => hookedBroker({ nodeId: id, host: `b${id}`, port: 9092 }, s.hooks)) as FaultableNode[];
    const fp = fakeProbe({ partitions: [part("t", 0, 2, [1, 2, 3])] });
    const recorder = createRecorder();
    const nemesis = clusterNemesis(
      { brokers, zookeepers: [], controllers: [], networkFaults: false },
      { recorder, rng: seededRng(1), probe: fp.probe, watch: false, healOnShutdown: false, sessionWaitMs: 0 },
    );
    const ops = () =>
      recorder.ops.filter((o) => o.process === "nemesis").map((o) => `${o.type} ${o.f} ${(o.value as { targets: string[] }).targets}`);
    return { ...s, brokers, nemesis, recorder, ops };
  }

  it("pause of the leader runs the hook for the broker Kafka names, and resume runs its stop phase", async () => {
    const a = attached();
    const paused = await a.nemesis.invoke({ fault: "pause", targets: { kind: "leader", of: "t-0" } });
    expect(paused.type).toBe("ok");
    expect(await a.brokers[1]!.state()).toBe("paused");
    await a.nemesis.invoke(paused.undo!);
    expect(a.calls()).toEqual([
      "pause start kafka2 2 b2:9092 b1:9092,b2:9092 kafka_harness_t_x",
      "pause stop kafka2 2 b2:9092 b1:9092,b2:9092 kafka_harness_t_x",
    ]);
    expect(a.ops()).toEqual(["invoke pause kafka2", "ok pause kafka2", "invoke resume kafka2", "ok resume kafka2"]);
    expect(await a.brokers[1]!.state()).toBe("running");
  });

  it("a hook that fails leaves the fault uncertain (info, with its stderr), and heal-all runs the stop phase", async () => {
    const a = attached();
    a.fail("start");
    const r = await a.nemesis.invoke({ fault: "kill", targets: { kind: "nodes", names: ["kafka3"] } });
    expect(r.type).toBe("info");
    expect(r.value.reason).toBe("hook kill start on kafka3 exit 3: cannot kill kafka3");
    const healed = await a.nemesis.healAll();
    expect(healed.type).toBe("ok");
    expect(healed.value.started).toEqual(["kafka3"]);
    expect(a.calls().map((c) => c.split(" ").slice(0, 3).join(" "))).toEqual(["kill start kafka3", "kill stop kafka3"]);
  });

  it("heal-all with nothing in force runs no hook and looks for no network rules: ok", async () => {
    const a = attached();
    const healed = await a.nemesis.healAll();
    expect(healed.type, healed.value.reason).toBe("ok");
    expect(a.calls()).toEqual([]);
  });

  it("a failed undo is heal-all's problem too: the node stays faulted until a stop phase exits 0", async () => {
    const a = attached();
    const paused = await a.nemesis.invoke({ fault: "pause", targets: { kind: "nodes", names: ["kafka1"] } });
    expect(paused.type).toBe("ok");
    a.fail("stop");
    expect((await a.nemesis.invoke(paused.undo!)).type).toBe("info");
    expect(await a.brokers[0]!.state()).toBe("paused");
    const healed = await a.nemesis.healAll();
    expect(healed.type).toBe("info");
    expect(healed.value.reason).toMatch(/kafka1: hook pause stop on kafka1 exit 3/);
  });
});
