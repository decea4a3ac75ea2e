// Needs a real engine: nothing the harness starts outlives it, whichever way it ends.
import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { findLeftovers, type Leftovers, removeLeftovers } from "../../harness/cluster/cleanup.ts";
import { startCluster } from "../../harness/cluster/cluster.ts";
import { newRunId } from "../../harness/cluster/labels.ts";

const EXIT_WAIT_MS = 60_000;

/** Starts a cluster in a child process, waits for READY, records what runs, sends `signal` and
 *  waits for the child to exit. Every step is awaited, so a failure rejects (the test fails)
 *  instead of throwing in a callback nobody awaits; the child never outlives the call. */
async function startAndSignal(signal: NodeJS.Signals, runId: string): Promise<{ running: Leftovers; code: number | null }> {
  const child = spawn(process.execPath, ["bin/run-ts.js", "test/fixtures/start-cluster-and-wait.ts", runId], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => resolve(code));
  });
  const ready = new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes(`READY ${runId}`)) resolve();
    });
    void exited.then((code) => reject(new Error(`the child exited (code ${code}) before printing READY ${runId}`)), reject);
  });
  try {
    await ready;
    const running = await findLeftovers(runId);
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the child did not exit within ${EXIT_WAIT_MS / 1000} s of ${signal}`)), EXIT_WAIT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    return { running, code };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

describe("cleanup (real engine)", () => {
  const runIds: string[] = [];
  const track = (id: string) => (runIds.push(id), id);

  // A failing test must not leave its cluster behind either (the assertions below are what it tests).
  afterEach(async () => {
    for (const id of runIds.splice(0)) await removeLeftovers(id);
  });

  it.each(["SIGINT", "SIGTERM"] as const)("%s removes the run's containers and network", async (signal) => {
    const runId = track(newRunId());
    const { running, code } = await startAndSignal(signal, runId);
    expect(running.containers, "the cluster really was running before the signal").toHaveLength(2);
    expect(code).toBe(signal === "SIGINT" ? 130 : 143);
    expect(await findLeftovers(runId)).toEqual({ containers: [], networks: [] });
  });

  it("an error during start removes what was started", async () => {
    const runId = track(newRunId());
    // A broker config Kafka rejects: the broker exits at once and never becomes ready.
    const start = startCluster(
      { zookeepers: 1, brokers: 1, startTimeoutSeconds: 20, brokerConfig: { "broker.id": "not-a-number" } },
      { runId },
    );
    await expect(start).rejects.toThrow();
    expect(await findLeftovers(runId)).toEqual({ containers: [], networks: [] });
  });
});
