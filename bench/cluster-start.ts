// `bench cluster` start times: from startCluster to ready, ZooKeeper mode (3.9.1) and KRaft (4.x),
// broken into container start, JVM start, ensemble/quorum formation, broker registration and topic
// ready (start-timings.ts), the median of several starts (the machine is shared: one start says
// little), each figure beside the same breakdown measured before the start was made fast.
// A third line, KRaft combined (3 nodes each a broker and a voter, one JVM each), has no breakdown
// from before: beside it, dedicated KRaft's medians from the same bench run. CLUSTER_STARTS=N sets
// the number of starts per mode (default 3). Prints figures; asserts nothing.
import { type Cluster, startCluster } from "../harness/cluster/cluster.ts";
import { type NodeStart, START_PHASES, type StartBreakdown, serverStartLine, startBreakdown } from "../harness/cluster/start-timings.ts";
import type { ClusterSpecInput } from "../harness/spec/cluster.ts";
import { run } from "../harness/util/exec.ts";

/** Docker's RFC 3339 time with nanoseconds, in epoch ms (Date.parse takes at most milliseconds). */
const epochMs = (t: string) => Date.parse(t.replace(/(\.\d{3})\d*/, "$1"));

/** Each node's container start and its server code's first line, as the engine reports them. */
async function nodeStarts(c: Cluster): Promise<NodeStart[]> {
  const kraft = c.spec.metadata === "kraft";
  return Promise.all(
    [...c.zookeepers, ...(kraft && !c.spec.combined ? c.controllers : []), ...c.brokers].map(async (n) => {
      const name = `${c.runId}-${n.name}`;
      const running = epochMs((await run("docker", ["inspect", "--format", "{{.State.StartedAt}}", name])).trim());
      const line = (await run("docker", ["logs", "--timestamps", name]))
        .split("\n")
        .find((l) => serverStartLine(n.role, kraft, c.spec.combined).test(l));
      return { name: n.name, running, jvmUp: line ? epochMs(line.split(" ")[0]!) : undefined };
    }),
  );
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : Math.round(((s[m - 1]! + s[m]!) / 2) * 10) / 10;
};

/** The same breakdown at commit 6b221c5 (before nodes started at once and mapped class-data
 *  sharing archives), printed beside each figure: per-phase medians of 3 starts each, alternated
 *  start by start with the new code on the same 2-core machine under the same load (load average
 *  12-43, other clusters running), so both saw the same conditions (docs/findings.md). */
const BASELINE: Partial<Record<Mode, StartBreakdown>> = {
  zookeeper: {
    "container start": 3.1,
    "JVM start": 4.9,
    "ensemble/quorum": 2.6,
    "broker registration": 7.4,
    "topic ready": 2.5,
    total: 22.5,
  },
  kraft: { "container start": 8.6, "JVM start": 24.9, "ensemble/quorum": 10.5, "broker registration": 0.5, "topic ready": 1, total: 43 },
};
type Mode = "zookeeper" | "kraft";

/** The medians of `starts` starts, printed beside a baseline: a mode's breakdown at commit 6b221c5,
 *  or another line of this same run (`{ label, figures }`). */
async function measure(
  label: string,
  input: ClusterSpecInput,
  starts: number,
  baseline: Mode | { label: string; figures: StartBreakdown },
): Promise<StartBreakdown> {
  const runs: StartBreakdown[] = [];
  for (let i = 0; i < starts; i++) {
    const c = await startCluster(input);
    try {
      runs.push(startBreakdown(c.startMarks, await nodeStarts(c)));
    } finally {
      await c.stop();
    }
  }
  const [base, baseLabel] =
    typeof baseline === "string" ? [BASELINE[baseline], "baseline (commit 6b221c5)"] : [baseline.figures, baseline.label];
  const phases = [...START_PHASES, "total" as const];
  const medians = Object.fromEntries(phases.map((k) => [k, median(runs.map((r) => r[k]))])) as StartBreakdown;
  console.log(`cluster start, ${label}: median of ${starts} starts (runs: ${runs.map((r) => r.total).join(", ")} s)`);
  for (const k of phases) console.log(`  ${k.padEnd(20)} ${`${medians[k]} s`.padStart(7)}${base ? `   ${baseLabel} ${base[k]} s` : ""}`);
  return medians;
}

export async function benchClusterStart(): Promise<void> {
  const starts = Number(process.env.CLUSTER_STARTS ?? 3);
  await measure("ZooKeeper (3.9.1, 3 ZooKeeper + 3 brokers)", {}, starts, "zookeeper");
  const dedicated = await measure("KRaft (4.4.0, 3 controllers + 3 brokers)", { metadata: "kraft" }, starts, "kraft");
  await measure("KRaft combined (4.4.0, 3 nodes, each broker and voter)", { metadata: "kraft", combined: true }, starts, {
    label: "dedicated KRaft, this run",
    figures: dedicated,
  });
}
