// Child process for the SIGINT integration test: drives the nemesis against an existing cluster
// (handles rebuilt from NEMESIS_CLUSTER), puts faults in force, prints "in-force" and waits to be
// interrupted; heal-all must then run from the shutdown hook before the process exits.
import { nodeHandle } from "../../harness/cluster/node-handle.ts";
import { createRecorder } from "../../harness/history/recorder.ts";
import { clusterNemesis } from "../../harness/nemesis/nemesis.ts";
import { seededRng } from "../../harness/nemesis/rng.ts";

interface Shape {
  network: string;
  nodes: { name: string; role: "zookeeper" | "broker"; id: number; containerId: string; externalPort?: number }[];
}

const shape = JSON.parse(process.env.NEMESIS_CLUSTER ?? "") as Shape;
const nodes = await Promise.all(shape.nodes.map((n) => nodeHandle(n, shape.network)));
const cluster = { brokers: nodes.filter((n) => n.role === "broker"), zookeepers: nodes.filter((n) => n.role === "zookeeper") };
const recorder = createRecorder({ path: process.env.NEMESIS_HISTORY });
const nemesis = clusterNemesis(cluster, { recorder, rng: seededRng(5), watch: false });
const a = await nemesis.invoke({ fault: "partition", topology: "cut-from-zookeeper", targets: { kind: "nodes", names: ["kafka1"] } });
const b = await nemesis.invoke({ fault: "pause", targets: { kind: "nodes", names: ["kafka2"] } });
const c = await nemesis.invoke({ fault: "kill", targets: { kind: "nodes", names: ["kafka3"] } });
console.log(`in-force ${[a.type, b.type, c.type].join(",")}`);
setInterval(() => {}, 1000);
