// In-memory stand-ins for the cluster the nemesis drives: nodes whose container state and iptables
// chain are plain fields, and a probe answering from a settable metadata table. No Docker.
import type { ContainerState, ExecResult } from "../../harness/cluster/node-handle.ts";
import type { PartitionMetadata } from "../../harness/nemesis/broker-metadata.ts";
import type { FaultableNode } from "../../harness/nemesis/capabilities.ts";
import type { ClusterProbe } from "../../harness/nemesis/probe.ts";

export interface FakeNode extends FaultableNode {
  status: ContainerState;
  /** Addresses our chain drops. */
  drops: Set<string>;
  calls: string[];
}

export function fakeNode(name: string, ip: string): FakeNode {
  const role = name.startsWith("zk") ? "zookeeper" : "broker";
  const id = Number(name.replace(/\D/g, ""));
  const n: FakeNode = {
    name,
    role,
    id,
    externalPort: role === "broker" ? 9000 + id : undefined,
    status: "running",
    drops: new Set(),
    calls: [],
    async state() {
      return n.status;
    },
    async kill() {
      n.calls.push("kill");
      n.status = "exited";
      n.drops.clear(); // a restarted container has a fresh network namespace
    },
    async stop() {
      n.calls.push("stop");
      n.status = "exited";
      n.drops.clear();
    },
    async start() {
      n.calls.push("start");
      if (n.status === "paused") throw new Error("cannot start a paused container");
      n.status = "running";
    },
    async pause() {
      n.calls.push("pause");
      if (n.status !== "running") throw new Error(`${name} is not running`);
      n.status = "paused";
    },
    async unpause() {
      n.calls.push("unpause");
      if (n.status !== "paused") throw new Error(`${name} is not paused`);
      n.status = "running";
    },
    async address() {
      return ip;
    },
    async exec(cmd): Promise<ExecResult> {
      if (n.status !== "running") throw new Error(`${name} is ${n.status}: cannot exec`);
      const script = cmd.join(" ");
      n.calls.push(`exec ${script.includes("-X KH-NEMESIS") ? "flush" : script.includes("KH-PROBE") ? "probe" : "drop"}`);
      if (script.includes("KH-PROBE")) return { exitCode: 0, output: "" };
      if (script.includes("-X KH-NEMESIS")) {
        const had = n.drops.size > 0;
        n.drops.clear();
        return { exitCode: 0, output: had ? "had-rules\n" : "" };
      }
      for (const m of script.matchAll(/-A KH-NEMESIS -s (\S+) -j DROP/g)) n.drops.add(m[1]!);
      return { exitCode: 0, output: "" };
    },
  };
  return n;
}

export function fakeCluster(brokers = 3, zookeepers = 3) {
  const zks = Array.from({ length: zookeepers }, (_, i) => fakeNode(`zk${i + 1}`, `10.0.0.${i + 2}`));
  const bs = Array.from({ length: brokers }, (_, i) => fakeNode(`kafka${i + 1}`, `10.0.1.${i + 2}`));
  return { zookeepers: zks, brokers: bs, all: [...bs, ...zks] };
}

export const part = (topic: string, partition: number, leader: number, replicas: number[], isr = replicas): PartitionMetadata => ({
  topic,
  partition,
  leader,
  replicas,
  isr,
  errorCode: 0,
});

/** A probe answering from a settable table; brokers count as registered unless their container is down. */
export function fakeProbe(init: { partitions: PartitionMetadata[]; controller?: number; zkLeader?: string; brokers?: FakeNode[] }) {
  const s = { ...init, controller: init.controller ?? 1, zkLeader: init.zkLeader ?? "zk1", asked: [] as string[][] };
  const probe: ClusterProbe = {
    async metadata(o = {}) {
      s.asked.push([...(o.avoid ?? [])]);
      const ps = s.partitions.filter((p) => !o.topics || o.topics.includes(p.topic));
      return { brokers: [1, 2, 3], controller: s.controller, partitions: ps, from: "fake" };
    },
    async metadataAll(o = {}) {
      const md = await probe.metadata(o);
      return ["kafka1", "kafka2", "kafka3"].filter((b) => !o.avoid?.has(b)).map((from) => ({ ...md, from }));
    },
    async controller() {
      return s.controller;
    },
    async registered() {
      const up = (init.brokers ?? []).filter((b) => b.status === "running" || b.status === "paused").map((b) => b.id);
      return new Map((init.brokers ? up : [1, 2, 3]).map((id) => [id, `0x${id}`]));
    },
    async zkLeader() {
      return s.zkLeader;
    },
  };
  return { probe, s };
}

/** A node's files in memory (the files capability): path → bytes, and a log to append to. */
export function fakeFiles(logDir = "/data/kafka", diskControl?: string) {
  const files = new Map<string, Buffer>();
  const f = {
    files,
    logText: "",
    logDir,
    ...(diskControl ? { diskControl } : {}),
    async list(dir: string) {
      return [...files.entries()]
        .filter(([p]) => p.startsWith(`${dir}/`) && !p.slice(dir.length + 1).includes("/"))
        .map(([p, d]) => ({ name: p.slice(dir.length + 1), size: d.length }));
    },
    async read(path: string) {
      const d = files.get(path);
      if (!d) throw new Error(`${path}: no such file`);
      return d;
    },
    async write(path: string, data: Buffer) {
      files.set(path, Buffer.from(data));
      // The disk layer applies what its control file asks at once.
      if (diskControl && path === `${diskControl}/state`) files.set(`${diskControl}/applied`, Buffer.from(data));
    },
    async log() {
      return f.logText;
    },
  };
  return f;
}
