// In-memory stand-ins for the cluster the nemesis drives: nodes whose container state and iptables
// chain are plain fields, and a probe answering from a settable metadata table. No Docker.
import type { ContainerState, ExecResult } from "../../harness/cluster/node-handle.ts";
import type { PartitionMetadata } from "../../harness/nemesis/broker-metadata.ts";
import type { FaultableNode } from "../../harness/nemesis/capabilities.ts";
import { offsetOf } from "../../harness/nemesis/faults/clock.ts";
import type { ClusterProbe } from "../../harness/nemesis/probe.ts";
import type { ReplicaAdmin } from "../../harness/nemesis/replica-admin.ts";

export interface FakeNode extends FaultableNode {
  status: ContainerState;
  /** Addresses our chain drops. */
  drops: Set<string>;
  calls: string[];
  /** libfaketime's control file (faults/clock.ts), when its JVM runs under libfaketime. */
  clock?: string;
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
      if (script.includes("KH-CLOCK")) return clockExec(n, script);
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

/** The clock script on a fake node: the control file as a field, the offset it names as measured. */
function clockExec(n: FakeNode, script: string): ExecResult {
  n.calls.push("exec clock");
  if (n.clock === undefined) return { exitCode: 0, output: "KH-CLOCK none java -Xms128m\n" };
  const was = n.clock;
  const write = /printf '%s\\n' '([^']*)' > "\$f\.kh"/.exec(script);
  if (write) n.clock = write[1]!;
  return {
    exitCode: 0,
    output: `KH-CLOCK file /opt/kafka/run/faketime\nKH-CLOCK was ${was}\nKH-CLOCK offset ${offsetOf(n.clock) ?? "x"}\n`,
  };
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

/**
 * The Admin API's replica moves over a fakeProbe's table: a reassignment stays in progress for
 * `pollsToComplete` ListPartitionReassignments calls, then the partition takes its new list (the
 * leader moves to the first new replica if the old one left), all in sync. Preferred-leader election
 * moves the leader to the first replica when it is in the ISR (error 84 when it already leads).
 */
export function fakeReplicaAdmin(s: { partitions: PartitionMetadata[] }, o: { pollsToComplete?: number } = {}) {
  /** Broker ids UnregisterBroker was asked to forget. */
  const unregistered: number[] = [];
  const pending = new Map<string, { replicas: number[]; polls: number }>();
  const calls: string[] = [];
  const key = (p: { topic: string; partition: number }) => `${p.topic}-${p.partition}`;
  const find = (k: string) => s.partitions.findIndex((p) => key(p) === k);
  const settle = () => {
    for (const [k, m] of pending) {
      if (m.polls-- > 0) continue;
      pending.delete(k);
      const i = find(k);
      const p = s.partitions[i]!;
      const leader = m.replicas.includes(p.leader) ? p.leader : m.replicas[0]!;
      const sorted = [...m.replicas].sort((a, b) => a - b);
      s.partitions[i] = { ...p, leader, replicas: sorted, assigned: [...m.replicas], isr: sorted };
    }
  };
  const admin: ReplicaAdmin = {
    async reassign(moves) {
      calls.push(`reassign ${moves.map((m) => `${key(m)}=${m.replicas === null ? "cancel" : m.replicas.join(",")}`).join(" ")}`);
      return moves.map((m) => {
        const k = key(m);
        if (find(k) < 0) return { ...m, errorCode: 3, message: "unknown" };
        if (m.replicas === null) return pending.delete(k) ? { ...m, errorCode: 0, message: null } : { ...m, errorCode: 85, message: null };
        pending.set(k, { replicas: [...m.replicas], polls: o.pollsToComplete ?? 0 });
        return { topic: m.topic, partition: m.partition, errorCode: 0, message: null };
      });
    },
    async ongoing(partitions) {
      calls.push("ongoing");
      settle();
      return [...pending]
        .filter(([k]) => !partitions || partitions.some((p) => key(p) === k))
        .map(([k, m]) => {
          const p = s.partitions[find(k)]!;
          return {
            topic: p.topic,
            partition: p.partition,
            replicas: [...new Set([...p.replicas, ...m.replicas])],
            adding: m.replicas.filter((r) => !p.replicas.includes(r)),
            removing: p.replicas.filter((r) => !m.replicas.includes(r)),
          };
        });
    },
    async electPreferred(partitions) {
      calls.push(`elect ${partitions.map(key).join(" ")}`);
      return partitions.map((tp) => {
        const i = find(key(tp));
        const p = s.partitions[i]!;
        const preferred = (p.assigned ?? p.replicas)[0]!;
        if (p.leader === preferred) return { ...tp, errorCode: 84, message: null };
        if (!p.isr.includes(preferred)) return { ...tp, errorCode: 80, message: "not in ISR" };
        s.partitions[i] = { ...p, leader: preferred };
        return { ...tp, errorCode: 0, message: null };
      });
    },
    async unregister(brokerId) {
      calls.push(`unregister ${brokerId}`);
      unregistered.push(brokerId);
    },
  };
  return { admin, pending, calls, unregistered };
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
