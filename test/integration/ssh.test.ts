// Cluster kind "ssh", mode install, on stand-in hosts (containers of the project's own image plus
// sshd, each its own network namespace on a network of the project's own). The harness reaches
// them over SSH alone: it uploads the distribution, starts every process, injects the faults
// (kill -9, SIGSTOP, iptables in its chain) and removes everything at the end; the clients reach
// the brokers at the hosts' addresses. One set of four hosts for the file: KRaft 4.x on three
// combined hosts, ZooKeeper 3.9 on one ZooKeeper host and three brokers; then mode existing, a
// KRaft cluster the test sets up on three hosts as a user would, started by the user's command.
// What is checked on the hosts afterwards is read over SSH too.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../harness/cluster/kinds/ssh/session.ts";
import { withAdmin } from "../../harness/kafkajs/factory.ts";
import { executeRun } from "../../harness/run/runner.ts";
import type { SshInventoryInput } from "../../harness/spec/ssh-inventory.ts";
import type { TestSpecInput } from "../../harness/spec/test-spec.ts";
import { waitFor } from "../../harness/util/wait.ts";
import { type StandInHosts, startStandInHosts } from "./ssh-hosts.ts";
import "../../harness/api/matchers.ts";

const CLI = "bin/kafka-harness.js";
const log = (m: string) => console.error(`[ssh] ${m}`);
const dir = mkdtempSync(join(tmpdir(), "kh-ssh-"));
let hosts: StandInHosts;
let kraft: SshInventoryInput;
let zookeeper: SshInventoryInput;

beforeAll(async () => {
  hosts = await startStandInHosts(4, dir, log);
  const node = (i: number, role: "combined" | "broker" | "zookeeper") => ({ host: hosts.hosts[i]!.address, role });
  kraft = { destructive: true, keyFile: hosts.keyFile, nodes: [0, 1, 2].map((i) => node(i, "combined")) };
  zookeeper = { destructive: true, keyFile: hosts.keyFile, nodes: [node(3, "zookeeper"), ...[0, 1, 2].map((i) => node(i, "broker"))] };
}, 600_000);
afterAll(async () => {
  await hosts?.[Symbol.asyncDispose]();
}, 120_000);

/** What a host shows of the harness, asked over SSH: its chains' rules, its processes' states
 *  (T: stopped), and what is left in its install folder. Empty when the host is as found. */
async function leftovers(): Promise<string[]> {
  const found: string[] = [];
  for (const h of hosts.hosts) {
    const s = await connect({ name: h.name, host: h.address, port: 22, user: "root", keyFile: hosts.keyFile }, async () => {});
    try {
      const out = await s.run(
        "for v in iptables-nft iptables-legacy; do $v -w -S 2>/dev/null | grep KH- | sed \"s/^/$v: /\"; done; ps -o stat=,args= -C java | cut -c1-40 | sed 's/^/java: /'; ls -A /opt/kafka-harness 2>/dev/null | sed 's/^/folder: /'; true",
      );
      found.push(
        ...out
          .split("\n")
          .filter(Boolean)
          .map((l) => `${h.name}: ${l}`),
      );
    } finally {
      s.close();
    }
  }
  return found;
}

/** `kafka-harness run` on the KRaft hosts in a child process, up to 90 s of workload: the spec file
 *  puts `fault` on the leader of t-0 `at` ms into the workload, for most of the run (a generated
 *  schedule's first fault would come at a time the seed decides), for a test to signal once
 *  `until` has seen it. */
function startRun(name: string, store: string, inventory: string, fault: { at: number; fault: string; topology?: string }) {
  const specFile = join(dir, `${name}.spec.json`);
  writeFileSync(
    specFile,
    JSON.stringify({
      faults: { schedule: [{ duration: 80_000, ...fault, targets: { kind: "leader", of: "t-0" } }] },
    }),
  );
  const child = spawn(
    process.execPath,
    [
      CLI,
      "run",
      "--spec",
      specFile,
      "--name",
      name,
      "--store",
      store,
      "--cluster",
      "ssh",
      "--metadata",
      "kraft",
      "--inventory",
      inventory,
      "--time-limit",
      "90",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    exited,
    stderr: () => stderr,
    async until(line: RegExp) {
      const deadline = Date.now() + 240_000;
      while (!line.test(stderr)) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${line} line:\n${stderr.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}

const spec = (name: string, inventory: SshInventoryInput, rest: Partial<TestSpecInput>): TestSpecInput => ({
  name,
  seed: 11,
  ...rest,
  cluster: { kind: "ssh", inventory, ...rest.cluster },
  recoveryTimeoutSeconds: 60,
  finalReadTimeoutSeconds: 60,
});

describe('cluster kind "ssh", mode install (stand-in hosts over SSH)', () => {
  it("KRaft 4.x on 3 hosts: acks=all, min ISR 2, leaders killed, paused and cut off: valid, faults effective, hosts left as found", async () => {
    const run = await executeRun(
      spec("ssh-kraft-acks-all", kraft, {
        cluster: { metadata: "kraft" },
        producer: { acks: "all" },
        topic: { minInsyncReplicas: 2 },
        workload: { timeLimitSeconds: 36, rate: 80 },
        faults: {
          schedule: [
            { at: 4000, duration: 7000, fault: "kill", targets: { kind: "leader", of: "t-0" } },
            // Past the 6 s broker session: the paused leader is fenced and its partitions move.
            { at: 14_000, duration: 9000, fault: "pause", targets: { kind: "leader", of: "t-1" } },
            { at: 26_000, duration: 8000, fault: "partition", topology: "isolate", targets: { kind: "leader", of: "t-2" } },
          ],
        },
      }),
      { storeRoot: "test-output/store", progress: log },
    );
    expect(run.faults.applied, JSON.stringify(run.faults)).toBe(3);
    expect(run).toHaveEffectiveFaults(2);
    expect(run).toHaveExercised({ acked: 300, read: 300 });
    expect(run).toBeValid();
    // Every command on a host in ssh.log, and each node's log downloaded.
    expect(readdirSync(join(run.dir, "logs")).sort()).toEqual(["kafka1.log", "kafka2.log", "kafka3.log", "ssh.log"]);
    const ssh = readFileSync(join(run.dir, "logs", "ssh.log"), "utf8");
    expect(ssh).toMatch(/\tkafka\d\t0\t\d+ms\t.*kill -KILL \$pid/);
    expect(ssh).toMatch(/\tkafka\d\t0\t\d+ms\t.*kill -STOP \$pid/);
    expect(ssh).toMatch(/\tkafka\d\t0\t\d+ms\t.*-A KH-NEMESIS -s 10\.213\.\d+\.\d+ -j DROP/);
    expect(readFileSync(join(run.dir, "logs", "kafka1.log"), "utf8")).toMatch(
      /Kafka Server started|\[KafkaRaftServer nodeId=1\] Kafka Server started/,
    );
    expect(await leftovers()).toEqual([]);
  }, 400_000);

  it("ZooKeeper 3.9 on 4 hosts: acks=1 with the leader cut off loses acknowledged writes, permitted and reported", async () => {
    const run = await executeRun(
      spec("ssh-zk-acks1-isolated", zookeeper, {
        producer: { acks: 1 },
        topic: { minInsyncReplicas: 1 },
        // 20 s: the cut leader acknowledges from 5 s on, and is truncated when it rejoins at 17 s.
        workload: { timeLimitSeconds: 20, rate: 150 },
        faults: {
          schedule: [{ at: 5000, duration: 12_000, fault: "partition", topology: "isolate", targets: { kind: "leader", of: "t-0" } }],
        },
      }),
      { storeRoot: "test-output/store", progress: log },
    );
    expect(run).toHaveEffectiveFaults(1);
    expect(
      run.results.anomalyTypes.filter((t) => t === "lost-write" || t === "unseen").length,
      JSON.stringify(run.results.loss),
    ).toBeGreaterThan(0);
    expect(run).toBeValid(); // acks=1 permits it
    expect(readdirSync(join(run.dir, "logs")).sort()).toEqual(["kafka1.log", "kafka2.log", "kafka3.log", "ssh.log", "zk1.log"]);
    expect(await leftovers()).toEqual([]);
  }, 400_000);

  it("Ctrl-C while a leader is paused: the run heals, keeps its history and report, and every host is left as found", async () => {
    const inventory = join(dir, "kraft.json");
    writeFileSync(inventory, JSON.stringify(kraft));
    const store = join(dir, "interrupted");
    mkdirSync(store);
    // At 5 s the consumers already read (paused before their first fetch, their close hung for a
    // minute); the clients then take ~30 s to wind down (their requests to the paused broker time
    // out) before the run heals.
    const run = startRun("ssh-interrupted", store, inventory, { at: 5000, fault: "pause" });
    try {
      await run.until(/nemesis: pause .*, ok/);
      run.child.kill("SIGINT");
      expect(await run.exited, run.stderr().slice(-3000)).toBe(130);
    } finally {
      run.stop();
    }
    const stderr = run.stderr();
    expect(stderr).toMatch(/phase 2\/4: healing every fault/);
    const runDir = join(store, "ssh-interrupted", readdirSync(join(store, "ssh-interrupted"))[0]!);
    for (const f of ["history.jsonl", "report.html", join("logs", "ssh.log"), join("logs", "kafka1.log")])
      expect(existsSync(join(runDir, f)), f).toBe(true);
    // The pause was undone over SSH before the processes were stopped.
    expect(readFileSync(join(runDir, "logs", "ssh.log"), "utf8")).toMatch(/\tkafka\d\t0\t\d+ms\t.*kill -CONT \$pid/);
    expect(await leftovers()).toEqual([]);
  }, 400_000);

  it("SIGKILL mid-run (no cleanup can run) leaves processes and a folder behind; clean --ssh heals every host", async () => {
    const inventory = join(dir, "kraft-killed.json");
    writeFileSync(inventory, JSON.stringify(kraft));
    // The leader cut off: the chain and its rules are left behind too, for clean to remove.
    const run = startRun("ssh-killed", join(dir, "killed"), inventory, { at: 1000, fault: "partition", topology: "isolate" });
    try {
      await run.until(/nemesis: partition isolate .*, ok/);
      run.child.kill("SIGKILL");
      await run.exited;
    } finally {
      run.stop();
    }
    const left = await leftovers();
    expect(
      left.filter((l) => / KH-NEMESIS/.test(l)),
      left.join("\n"),
    ).not.toEqual([]);
    expect(
      left.filter((l) => / java: /.test(l)),
      left.join("\n"),
    ).toHaveLength(3);
    expect(
      left.filter((l) => / folder: kh-/.test(l)),
      left.join("\n"),
    ).toHaveLength(3);
    const clean = spawnSync(process.execPath, [CLI, "clean", "--ssh", inventory], { encoding: "utf8", timeout: 120_000 });
    expect(clean.status, clean.stderr).toBe(0);
    expect(clean.stdout.trim().split("\n")).toEqual(
      ["kafka1", "kafka2", "kafka3"].map(
        (n, i) =>
          `${n} (${hosts.hosts[i]!.address}): the harness's iptables chains removed; its processes stopped and /opt/kafka-harness/kh-* removed`,
      ),
    );
    expect(await leftovers()).toEqual([]);
  }, 400_000);

  it("mode existing, KRaft on 3 hosts: the user's own Kafka started by the user's command; a leader killed and restarted; valid; the run's topic deleted and the processes left running", async () => {
    const addresses = hosts.hosts.slice(0, 3).map((h) => h.address);
    const config = (i: number) =>
      [
        "process.roles=broker,controller",
        `node.id=${i + 1}`,
        `controller.quorum.voters=${addresses.map((a, j) => `${j + 1}@${a}:9093`).join(",")}`,
        "listeners=PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093",
        `advertised.listeners=PLAINTEXT://${addresses[i]}:9092`,
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs=/data/kafka",
        "offsets.topic.replication.factor=3",
        "broker.session.timeout.ms=6000",
        "broker.heartbeat.interval.ms=2000",
      ].join("\n");
    // The user's setup, written over SSH as they would have done it; their own start command.
    const onHost = async (i: number, command: string) => {
      const s = await connect(
        { name: `host${i + 1}`, host: addresses[i]!, port: 22, user: "root", keyFile: hosts.keyFile },
        async () => {},
      );
      try {
        return await s.run(command, { timeoutMs: 60_000 });
      } finally {
        s.close();
      }
    };
    for (let i = 0; i < 3; i++) await onHost(i, `printf '%s\\n' '${config(i)}' > /etc/kafka-node.properties`);
    const start =
      'cd /tmp && { KRAFT_CLUSTER_ID=khSshExistingRun00001A ROLE=broker JVM_OPTS="-Xms64m -Xmx384m -XX:+UseSerialGC" NODE_CONFIG="$(cat /etc/kafka-node.properties)" nohup /opt/kafka/entrypoint.sh < /dev/null >> /var/log/kafka.log 2>&1 & echo $! > /run/kafka.pid; }';
    const inventory: SshInventoryInput = {
      destructive: true,
      mode: "existing",
      keyFile: hosts.keyFile,
      existing: { combined: { start, pid: "cat /run/kafka.pid", log: "/var/log/kafka.log", dataDir: "/data/kafka" } },
      nodes: addresses.map((host) => ({ host, role: "combined" as const })),
    };
    try {
      const run = await executeRun(
        spec("ssh-existing-acks-all", inventory, {
          cluster: { metadata: "kraft" },
          producer: { acks: "all" },
          topic: { minInsyncReplicas: 2 },
          workload: { timeLimitSeconds: 20, rate: 80 },
          faults: { schedule: [{ at: 4000, duration: 7000, fault: "kill", targets: { kind: "leader", of: "t-0" } }] },
        }),
        { storeRoot: "test-output/store", progress: log },
      );
      // A topic of its own on a cluster it did not start, the schedule's target following it.
      expect(run.spec.topic.name).toMatch(/^kafka_harness_t_/);
      expect(run).toHaveEffectiveFaults(1);
      expect(run).toHaveExercised({ acked: 100, read: 100 });
      expect(run).toBeValid();
      expect(readdirSync(join(run.dir, "logs")).sort()).toEqual(["kafka1.log", "kafka2.log", "kafka3.log", "ssh.log"]);
      // The user's processes run on (the killed one started again by the user's command); the
      // harness's chain is gone; the run's topic is deleted.
      const found = await leftovers();
      expect(found.filter((l) => !/: java: S/.test(l))).toEqual([]);
      expect(found).toHaveLength(3);
      await waitFor(
        `topic ${run.spec.topic.name} to be gone`,
        async () =>
          !(
            await withAdmin(
              addresses.map((a) => `${a}:9092`),
              (a) => a.listTopics(),
            )
          ).includes(run.spec.topic.name),
        { timeoutMs: 30_000, intervalMs: 500 },
      );
    } finally {
      for (let i = 0; i < 3; i++) await onHost(i, "kill -9 $(cat /run/kafka.pid) 2>/dev/null; rm -rf /data/kafka /run/kafka.pid; true");
    }
  }, 400_000);
});
