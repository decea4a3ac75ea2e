// The ssh kind's plan of a cluster from an inventory (pure): names and ids as the docker kind's,
// each node's configuration naming the hosts, install mode's start command and folder, mode
// existing's user commands; the distribution's name from its inputs; the host check's text.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { RunNode } from "../../harness/cluster/kinds/kind.ts";
import { firstExit, preflightCommand } from "../../harness/cluster/kinds/ssh/cluster.ts";
import { distributionName } from "../../harness/cluster/kinds/ssh/distribution.ts";
import { namedHosts, SSH_EXTERNAL_PORT, sshLayout } from "../../harness/cluster/kinds/ssh/layout.ts";
import { sshNote } from "../../harness/run/finish.ts";
import { runVersions } from "../../harness/run/versions.ts";
import { parseClusterSpec } from "../../harness/spec/cluster.ts";

const zk = {
  destructive: true,
  nodes: [
    { host: "10.0.0.4", role: "zookeeper" },
    { host: "10.0.0.1", role: "broker" },
    { host: "10.0.0.2", role: "broker", user: "kafka", port: 2222 },
    { host: "10.0.0.3", role: "broker" },
  ],
} as const;

describe("an ssh cluster's layout", () => {
  it("ZooKeeper mode: zk1 and kafka1..3 on the inventory's hosts, each configuration naming the hosts, install's folder per run", () => {
    const spec = parseClusterSpec({ kind: "ssh", inventory: zk });
    expect([spec.brokers, spec.zookeepers]).toEqual([3, 1]);
    const l = sshLayout(spec, spec.inventory!, "kh-20261207T100000-abcdef", "id");
    expect(l.runRoot).toBe("/opt/kafka-harness/kh-20261207T100000-abcdef");
    expect(l.nodes.map((n) => `${n.name}@${n.host}:${n.login.port} ${n.login.user}`)).toEqual([
      "zk1@10.0.0.4:22 root",
      "kafka1@10.0.0.1:22 root",
      "kafka2@10.0.0.2:2222 kafka",
      "kafka3@10.0.0.3:22 root",
    ]);
    const k2 = l.nodes.find((n) => n.name === "kafka2")!;
    expect(k2.config).toContain("zookeeper.connect=10.0.0.4:2181");
    expect(k2.config).toContain(`advertised.listeners=INTERNAL://10.0.0.2:9092,EXTERNAL://10.0.0.2:${SSH_EXTERNAL_PORT}`);
    expect(k2.config).toContain(`log.dirs=${l.runRoot}/data/kafka`);
    expect(k2.externalPort).toBe(SSH_EXTERNAL_PORT);
    expect(l.nodes[0]!.config).toContain(`dataDir=${l.runRoot}/data/zookeeper`);
    expect(k2.process).toMatchObject({ mode: "install", pidFile: `${l.runRoot}/node.pid`, log: `${l.runRoot}/node.log`, dir: l.runRoot });
    const cmd = (k2.process as { command: string }).command;
    expect(cmd).toContain(`'KH_HOME=${l.runRoot}/kafka' 'KH_DATA=${l.runRoot}/data' 'ROLE=broker'`);
    expect(cmd).toContain(`NODE_CONFIG="$(cat '${l.runRoot}/node.properties')" '${l.runRoot}/kafka/entrypoint.sh'`);
    expect(cmd).not.toContain("KRAFT_CLUSTER_ID");
    expect((l.nodes[0]!.process as { command: string }).command).toContain("'ZK_MYID=1'");
  });

  it("KRaft: combined hosts are the first brokers and the quorum's voters, one cluster id for all", () => {
    const inv = {
      destructive: true,
      nodes: [
        { host: "b4", role: "broker" },
        { host: "c1", role: "combined" },
        { host: "c2", role: "combined" },
        { host: "c3", role: "combined" },
      ],
    };
    const spec = parseClusterSpec({ kind: "ssh", metadata: "kraft", inventory: inv });
    expect([spec.brokers, spec.controllers, spec.combined]).toEqual([4, 3, true]);
    expect(namedHosts(spec.inventory!).map((h) => `${h.name}=${h.node.host}`)).toEqual([
      "kafka1=c1",
      "kafka2=c2",
      "kafka3=c3",
      "kafka4=b4",
    ]);
    const l = sshLayout(spec, spec.inventory!, "kh-x", "AAAAAAAAAAAAAAAAAAAAAA");
    for (const n of l.nodes) {
      expect(n.config).toContain("controller.quorum.voters=1@c1:9093,2@c2:9093,3@c3:9093");
      expect((n.process as { command: string }).command).toContain("'KRAFT_CLUSTER_ID=AAAAAAAAAAAAAAAAAAAAAA'");
    }
    expect(l.nodes[0]!.config).toContain("process.roles=broker,controller");
    expect(l.nodes[3]!.config).toContain("process.roles=broker\n");
  });

  it("mode existing: the user's start and pid commands and log, nothing installed", () => {
    const spec = parseClusterSpec({
      kind: "ssh",
      metadata: "kraft",
      inventory: {
        destructive: true,
        mode: "existing",
        existing: {
          combined: {
            start: "systemctl start kafka",
            pid: "pgrep -f kafka.Kafka",
            log: "/var/log/kafka/server.log",
            dataDir: "/var/lib/kafka",
          },
        },
        nodes: [{ host: "h1", role: "combined" }],
      },
    });
    const l = sshLayout(spec, spec.inventory!, "kh-x", "id");
    expect(l.runRoot).toBeUndefined();
    expect(l.nodes).toMatchObject([
      {
        name: "kafka1",
        host: "h1",
        log: "/var/log/kafka/server.log",
        process: { mode: "existing", start: "systemctl start kafka", pid: "pgrep -f kafka.Kafka" },
      },
    ]);
    expect(l.nodes[0]!.config).toBeUndefined();
  });

  it("the distribution's name changes with the version and with any input, and only then", () => {
    const a = distributionName("3.9.1", ["pom", "entry"]);
    expect(a).toMatch(/^kafka-3\.9\.1-[0-9a-f]{12}\.tgz$/);
    expect(distributionName("3.9.1", ["pom", "entry"])).toBe(a);
    expect(distributionName("3.9.1", ["pom", "entry2"])).not.toBe(a);
    expect(distributionName("4.4.0", ["pom", "entry"])).not.toBe(a);
  });

  it("the host check names what is missing, and install mode also asks for java and tar", () => {
    expect(preflightCommand("existing")).not.toContain("java");
    for (const tool of ["java", "tar", "bash", "ps", "timeout", "iptables"])
      expect(preflightCommand("install")).toContain(`missing: ${tool}`);
  });
});

describe("what a run's report says of an ssh cluster", () => {
  it("the mode, which host ran which node with its login, where install put it; the user's own Kafka's version is not claimed", () => {
    const spec = parseClusterSpec({ kind: "ssh", inventory: zk });
    expect(sshNote(spec.inventory!, "kh-x")).toEqual({
      kind: "ssh",
      mode: "install",
      hosts: [
        "zk1: root@10.0.0.4:22 (zookeeper)",
        "kafka1: root@10.0.0.1:22 (broker)",
        "kafka2: kafka@10.0.0.2:2222 (broker)",
        "kafka3: root@10.0.0.3:22 (broker)",
      ],
      installedIn: "/opt/kafka-harness/kh-x (removed at the end)",
      nodeLogs: expect.stringMatching(/logs\/<node>\.log .*logs\/ssh\.log/),
    });
    expect(runVersions(undefined, spec).kafka).toBe("3.9.1 (ZooKeeper mode)");
    const existing = { ...spec, inventory: { ...spec.inventory!, mode: "existing" as const } };
    expect(runVersions(undefined, existing).kafka).toBe("the hosts' own Kafka, version not read (ZooKeeper mode)");
    expect(sshNote(existing.inventory, "kh-x")).not.toHaveProperty("installedIn");
  });
});

describe("an ssh cluster's start", () => {
  it("fails as soon as a node's process is gone, with the end of its log", async () => {
    let calls = 0;
    const node = (name: string, exitAfter: number) =>
      ({ name, state: async () => (++calls > exitAfter ? "exited" : "running") }) as unknown as RunNode;
    const plans = [
      { name: "kafka1", host: "10.0.0.1", log: "/k/node.log", login: { name: "kafka1", host: "10.0.0.1", port: 22, user: "root" } },
    ];
    const sent: string[] = [];
    const session = {
      exec: async (command: string) => {
        sent.push(command);
        return { code: 0, stdout: "kafka-storage: error: argument --cluster-id/-t: expected one argument\n", stderr: "", timedOut: false };
      },
    };
    const watching = { on: true };
    await expect(firstExit([node("kafka1", 2)], plans, new Map([["kafka1", session]]), watching, 1)).rejects.toThrow(
      /kafka1 \(10\.0\.0\.1\) exited during the start; the end of \/k\/node\.log:\nkafka-storage: error: argument --cluster-id/,
    );
    expect(sent).toEqual(["tail -n 12 '/k/node.log'"]);
    // Once the cluster is ready the watch stops asking.
    watching.on = false;
    const before = calls;
    const settled = await Promise.race([
      firstExit([node("kafka1", 0)], plans, new Map([["kafka1", session]]), watching, 1).then(() => "settled"),
      new Promise((r) => setTimeout(() => r("pending"), 20)),
    ]);
    expect(settled).toBe("pending");
    expect(calls).toBe(before);
  });
});
