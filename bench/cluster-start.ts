// `bench cluster` start times: from startCluster to ready, ZooKeeper mode (3.9.1) and KRaft (4.x),
// broken into container start, JVM start, ensemble/quorum formation, broker registration and topic
// ready (start-timings.ts), the median of several starts (the machine is shared: one start says
// little), each figure beside the same breakdown measured before the start was made fast.
// CLUSTER_STARTS=N sets the number of starts per mode (default 3). Prints figures; asserts nothing.
import { type Cluster, startCluster, upLine } from "../harness/cluster/cluster.ts";
import { type NodeStart, START_PHASES, type StartBreakdown, startBreakdown } from "../harness/cluster/start-timings.ts";
import type { ClusterSpecInput } from "../harness/spec/cluster.ts";
import { run } from "../harness/util/exec.ts";

/** Docker's RFC 3339 time with nanoseconds, in epoch ms (Date.parse takes at most milliseconds). */
const epochMs = (t: string) => Date.parse(t.replace(/(\.\d{3})\d*/, "$1"));

/** Each node's container start and its JVM's "up" line, as the engine reports them. */
async function nodeStarts(c: Cluster): Promise<NodeStart[]> {
  const kraft = c.spec.metadata === "kraft";
  return Promise.all(
    [...c.zookeepers, ...(kraft && !c.spec.combined ? c.controllers : []), ...c.brokers].map(async (n) => {
      const name = `${c.runId}-${n.name}`;
      const running = epochMs((await run("docker", ["inspect", "--format", "{{.State.StartedAt}}", name])).trim());
      const line = (await run("docker", ["logs", "--timestamps", name])).split("\n").find((l) => upLine(n.role, kraft).test(l));
      return { name: n.name, running, jvmUp: line ? epochMs(line.split(" ")[0]!) : undefined };
    }),
  );
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : Math.round(((s[m - 1]! + s[m]!) / 2) * 10) / 10;
};

/** The breakdown measured at the commit before the start was made fast (median of 3 starts each,
 *  same machine, under the same kind of load), printed beside each figure. */
const BASELINE: Record<string, StartBreakdown> = {};

async function measure(label: string, input: ClusterSpecInput, starts: number): Promise<void> {
  const runs: StartBreakdown[] = [];
  for (let i = 0; i < starts; i++) {
    const c = await startCluster(input);
    try {
      runs.push(startBreakdown(c.startMarks, await nodeStarts(c)));
    } finally {
      await c.stop();
    }
  }
  const base = BASELINE[label];
  const row = (k: keyof StartBreakdown) => {
    const figure = `${median(runs.map((r) => r[k]))} s`.padStart(7);
    return `  ${k.padEnd(20)} ${figure}${base ? `   baseline (commit 6b221c5) ${base[k]} s` : ""}`;
  };
  console.log(`cluster start, ${label}: median of ${starts} starts (runs: ${runs.map((r) => r.total).join(", ")} s)`);
  for (const p of [...START_PHASES, "total" as const]) console.log(row(p));
}

export async function benchClusterStart(): Promise<void> {
  const starts = Number(process.env.CLUSTER_STARTS ?? 3);
  await measure("ZooKeeper (3.9.1, 3 ZooKeeper + 3 brokers)", {}, starts);
  await measure("KRaft (4.4.0, 3 controllers + 3 brokers)", { metadata: "kraft" }, starts);
  if (process.env.CLUSTER_COMBINED)
    await measure("KRaft combined (4.4.0, 3 brokers voting)", { metadata: "kraft", combined: true }, starts);
}
