// Cluster kind "attach" on a real cluster (needs Docker): the integration files' shared docker
// cluster (shared-cluster.ts, already running: no start of its own), which the run reaches only by
// its bootstrap address, as a team would a cluster the harness does not own. The one fault is a
// user hook: a small script that pauses the target broker (`docker pause` of that cluster's
// container, found by KH_TARGET_ID) at the fault's start and resumes it at its stop. Expected: valid, the fault recorded and applied (and effective), the
// run's topic deleted at the end, no node logs downloaded, every container running again.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "../../harness/cluster/cluster.ts";
import { withAdmin } from "../../harness/kafkajs/factory.ts";
import { executeRun } from "../../harness/run/runner.ts";
import type { TestSpecInput } from "../../harness/spec/test-spec.ts";
import { waitFor } from "../../harness/util/wait.ts";
import { pauseHookScript, pauseLeaderSpec } from "./pause-hook.ts";
import { sharedCluster } from "./shared-cluster.ts";
import "../../harness/api/matchers.ts";

let cluster: Cluster;
const log = (m: string) => console.error(`[attach] ${m}`);

// The global teardown removes it.
beforeAll(async () => {
  cluster = await sharedCluster();
}, 300_000);

/** The hook: pauses / resumes the broker KH_TARGET_ID names, and notes what it was given. */
const pauseScript = (dir: string) =>
  pauseHookScript(dir, cluster.brokers, "$KH_FAULT $KH_PHASE $KH_TARGET_NODE $KH_TARGET_ID $KH_TARGET_HOST:$KH_TARGET_PORT $KH_TOPIC");

describe('cluster kind "attach"', () => {
  it("a hook that pauses the leader: valid, the fault recorded, applied and effective; the topic is deleted", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kh-attach-"));
    const spec = pauseLeaderSpec("attach-pause-leader", 7, cluster.bootstrap(), pauseScript(dir)) satisfies TestSpecInput;
    const run = await executeRun(spec, { storeRoot: "test-output/store", progress: log });

    // The run's own topic, with the harness's prefix, and the schedule's "leader of t-0" aimed at it.
    const topic = run.spec.topic.name;
    expect(topic).toMatch(/^kafka_harness_t_/);
    const nemesis = run.history.filter((o) => o.process === "nemesis" && (o.f === "pause" || o.f === "resume"));
    expect(
      nemesis.map((o) => `${o.type} ${o.f}`),
      JSON.stringify(nemesis),
    ).toEqual(["invoke pause", "ok pause", "invoke resume", "ok resume"]);
    const paused = (nemesis[1]!.value as { targets: string[]; leaderOf?: string }).targets;
    expect((nemesis[1]!.value as { leaderOf?: string }).leaderOf).toBe(`${topic}-0`);

    // The hook ran twice for that broker, with the fault and the target in its environment.
    const calls = readFileSync(join(dir, "calls.txt"), "utf8").trim().split("\n");
    const b = cluster.brokers.find((x) => x.name === paused[0])!;
    const target = `${b.name} ${b.id} 127.0.0.1:${b.externalPort} ${topic}`;
    expect(calls).toEqual([`pause start ${target}`, `pause stop ${target}`]);
    expect(readFileSync(join(run.dir, "logs", "hooks.log"), "utf8")).toMatch(/pause start kafka\d .* exit 0/);

    expect(run.faults.byKind.pause?.applied, JSON.stringify(run.faults)).toBe(1);
    expect(run).toHaveEffectiveFaults(1);
    expect(run).toHaveExercised({ acked: 30, read: 30 });
    expect(run).toBeValid();

    // Nothing downloaded from the nodes (hooks.log is the run's own); the report's meta says so.
    expect(readdirSync(join(run.dir, "logs"))).toEqual(["hooks.log"]);
    const meta = JSON.parse(readFileSync(join(run.dir, "spec.json"), "utf8")).meta;
    expect(meta.cluster.nodeLogs).toMatch(/not downloaded/);
    // The topic is gone, and every broker of the cluster runs (none left paused).
    // (The controller deletes in the background: the metadata forgets it within seconds.)
    await waitFor(`topic ${topic} to be gone`, async () => !(await withAdmin(cluster.bootstrap(), (a) => a.listTopics())).includes(topic), {
      timeoutMs: 30_000,
      intervalMs: 500,
    });
    for (const n of cluster.brokers) expect(await n.state()).toBe("running");
  }, 300_000);
});
