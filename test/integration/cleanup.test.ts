// Needs a real engine: nothing the harness starts outlives it, whichever way it ends.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { findLeftovers } from "../../harness/cluster/cleanup.ts";
import { startCluster } from "../../harness/cluster/cluster.ts";
import { newRunId } from "../../harness/cluster/labels.ts";

function startAndSignal(signal: NodeJS.Signals, runId: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/run-ts.js", "test/fixtures/start-cluster-and-wait.ts", runId], { stdio: ["ignore", "pipe", "inherit"] });
    child.stdout.on("data", (d: Buffer) => {
      if (d.toString().includes(`READY ${runId}`)) {
        void findLeftovers(runId).then((l) => {
          expect(l.containers).toHaveLength(2); // it really was running
          child.kill(signal);
        });
      }
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve(code));
  });
}

describe("cleanup (real engine)", () => {
  it.each(["SIGINT", "SIGTERM"] as const)("%s removes the run's containers and network", async (signal) => {
    const runId = newRunId();
    const code = await startAndSignal(signal, runId);
    expect(code).toBe(signal === "SIGINT" ? 130 : 143);
    expect(await findLeftovers(runId)).toEqual({ containers: [], networks: [] });
  });

  it("an error during start removes what was started", async () => {
    const runId = newRunId();
    // A broker config Kafka rejects: the broker exits at once and never becomes ready.
    const start = startCluster({ zookeepers: 1, brokers: 1, startTimeoutSeconds: 20, brokerConfig: { "broker.id": "not-a-number" } }, { runId });
    await expect(start).rejects.toThrow();
    expect(await findLeftovers(runId)).toEqual({ containers: [], networks: [] });
  });
});
