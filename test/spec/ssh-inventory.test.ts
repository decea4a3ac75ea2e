// Cluster kind "ssh" in the spec: the inventory (roles, mode, login), the consent, and what the
// nodes cannot make refused when the spec is read; the command line's simple case and an
// inventory file reach the same field.
import { describe, expect, it, vi } from "vitest";
import { buildProgram } from "../../harness/cli.ts";
import { formatPreview, previewOf } from "../../harness/run/dry-run.ts";
import { runSpecFromFlags } from "../../harness/run/run-flags.ts";
import { inlineInventory } from "../../harness/run/ssh-inventory-file.ts";
import { SpecError } from "../../harness/spec/errors.ts";
import type { SshInventoryInput } from "../../harness/spec/ssh-inventory.ts";
import { parseTestSpec, type TestSpecInput } from "../../harness/spec/test-spec.ts";
import { specProblems } from "./spec-problems.ts";

const zkNodes = (): SshInventoryInput["nodes"] => [
  { host: "zk1", role: "zookeeper" },
  { host: "b1", role: "broker" },
  { host: "b2", role: "broker" },
  { host: "b3", role: "broker" },
];
const ssh = (inv: Partial<SshInventoryInput> = {}) => ({
  kind: "ssh" as const,
  inventory: { destructive: true, nodes: zkNodes(), ...inv },
});

const problems = specProblems;

describe("cluster kind ssh in the spec", () => {
  it("an inventory makes the cluster: its roles are the node counts the rest of the harness reads", () => {
    const s = parseTestSpec({ cluster: ssh({ keyFile: "~/.ssh/id_ed25519" }) });
    expect(s.cluster).toMatchObject({ kind: "ssh", brokers: 3, zookeepers: 1, combined: false, kafkaVersion: "3.9.1" });
    expect(s.cluster.inventory).toMatchObject({ mode: "install", user: "root", port: 22, keyFile: "~/.ssh/id_ed25519" });
    const k = parseTestSpec({
      cluster: { metadata: "kraft", ...ssh({ nodes: [1, 2, 3, 4].map((i) => ({ host: `n${i}`, role: "combined" as const })) }) },
    });
    expect(k.cluster).toMatchObject({ brokers: 4, controllers: 4, combined: true });
    // The stored spec parses again (a replay): no count of 0 against bounds that start at 1.
    expect(parseTestSpec(JSON.parse(JSON.stringify(k))).cluster).toMatchObject({ brokers: 4, controllers: 4 });
    expect(parseTestSpec(JSON.parse(JSON.stringify(s))).cluster).toMatchObject({ brokers: 3, zookeepers: 1 });
  });

  it("adds no broker (add-broker is the docker kind's); decommissioning one it may", () => {
    expect(problems({ cluster: ssh(), faults: { kinds: ["add-broker", "decommission-broker"] } })).toEqual([
      'faults.kinds.0: add-broker starts one more broker: only on cluster kind "docker" (an ssh cluster\'s hosts are its inventory\'s) (got "add-broker")',
    ]);
    expect(problems({ cluster: ssh(), faults: { schedule: [{ at: 0, duration: 1000, fault: "add-broker" }] } })[0]).toMatch(
      /^faults.schedule.0.fault: add-broker starts one more broker: only on cluster kind "docker"/,
    );
  });

  it("needs an inventory, and only ssh takes one", () => {
    expect(problems({ cluster: { kind: "ssh" } })).toEqual([
      'cluster.inventory: is needed with kind "ssh": the hosts and their roles (--inventory FILE, or --ssh-hosts a,b,c)',
    ]);
    expect(problems({ cluster: { inventory: ssh().inventory } })[0]).toMatch(/^cluster.inventory: is for kind "ssh" only/);
  });

  it("is refused without the explicit consent, saying what the harness will do to the hosts", () => {
    expect(problems({ cluster: ssh({ destructive: undefined }) })).toEqual([
      "cluster.inventory.destructive: must be true: the harness kills, pauses and cuts off these hosts' processes (and in mode install removes what it put there); say so with destructive: true or --i-own-these-nodes",
    ]);
    expect(problems({ cluster: ssh({ destructive: false }) })[0]).toMatch(/^cluster.inventory.destructive: must be true/);
  });

  it("roles must make the metadata mode's cluster, one process per host", () => {
    const rf1 = { replicationFactor: 1, minInsyncReplicas: 1 };
    expect(problems({ cluster: ssh({ nodes: [{ host: "b1", role: "broker" }] }), topic: rf1 })).toEqual([
      'cluster.inventory.nodes: has no zookeeper node, and this is ZooKeeper mode (got [{"host":"b1","role":"broker"}])',
    ]);
    expect(problems({ cluster: ssh({ nodes: [...zkNodes(), { host: "c1", role: "controller" }] }) })[0]).toBe(
      'cluster.inventory.nodes.4.role: controller is a KRaft role, and this is ZooKeeper mode (cluster.metadata "kraft" for it) (got "controller")',
    );
    expect(problems({ cluster: { metadata: "kraft", ...ssh() } })).toEqual([
      'cluster.inventory.nodes.0.role: zookeeper is no role in a KRaft cluster (cluster.metadata is kraft) (got "zookeeper")',
      expect.stringMatching(/^cluster.inventory.nodes: has no controller \(role controller or combined\), and this is KRaft mode \(got \[/),
    ]);
    expect(
      problems({
        cluster: {
          metadata: "kraft",
          ...ssh({
            nodes: [
              { host: "n1", role: "combined" },
              { host: "n2", role: "controller" },
            ],
          }),
        },
        topic: rf1,
      }),
    ).toEqual([
      expect.stringMatching(
        /^cluster.inventory.nodes: mixes combined nodes with dedicated controllers: the quorum is either every combined node or every controller node/,
      ),
    ]);
    expect(problems({ cluster: ssh({ nodes: [...zkNodes(), { host: "b1", role: "broker" }] }) })).toEqual([
      'cluster.inventory.nodes.4.host: b1 is also nodes.1: one process per host (a network fault cuts a whole host) (got "b1")',
    ]);
    // The same host on another sshd port is another node (containers behind one address).
    expect(problems({ cluster: ssh({ nodes: [...zkNodes(), { host: "b1", port: 2222, role: "broker" }] }) })).toEqual([]);
    expect(problems({ cluster: ssh({ nodes: [{ host: "b1", role: "leader" as "broker" }] }) })[0]).toMatch(
      /nodes.0.role: must be one of zookeeper, controller, broker, combined/,
    );
  });

  it("mode existing needs each node's start command, pid, log and data directory; mode install takes none", () => {
    const broker = {
      start: "systemctl start kafka",
      pid: "cat /run/kafka.pid",
      log: "/var/log/kafka/server.log",
      dataDir: "/var/lib/kafka",
    };
    const zk = { start: "systemctl start zookeeper", pid: "pgrep -f QuorumPeerMain", log: "/var/log/zk.log", dataDir: "/var/lib/zk" };
    expect(problems({ cluster: ssh({ mode: "existing", existing: { broker, zookeeper: zk } }) })).toEqual([]);
    const nodes = zkNodes();
    nodes[3] = { ...nodes[3]!, existing: { log: "/opt/kafka/logs/server.log" } };
    expect(problems({ cluster: ssh({ mode: "existing", existing: { broker: { start: "s", pid: "p" } }, nodes }) })).toEqual([
      "cluster.inventory.nodes.0.existing: mode existing needs start, pid, log, dataDir for zk1 (in nodes.0.existing or existing.zookeeper)",
      "cluster.inventory.nodes.1.existing: mode existing needs log, dataDir for b1 (in nodes.1.existing or existing.broker)",
      "cluster.inventory.nodes.2.existing: mode existing needs log, dataDir for b2 (in nodes.2.existing or existing.broker)",
      'cluster.inventory.nodes.3.existing: mode existing needs dataDir for b3 (in nodes.3.existing or existing.broker) (got {"log":"/opt/kafka/logs/server.log"})',
    ]);
    expect(problems({ cluster: ssh({ existing: { broker } }) })[0]).toMatch(
      /^cluster.inventory.existing: is for mode existing only \(mode install starts its own processes\)/,
    );
  });

  it("the topic's replication is judged against the inventory's brokers, and hooks are the attach kind's", () => {
    expect(problems({ cluster: ssh(), topic: { replicationFactor: 3, minInsyncReplicas: 2 } })).toEqual([]);
    const two = zkNodes().slice(0, 3);
    expect(problems({ cluster: ssh({ nodes: two }), topic: { replicationFactor: 3 } })[0]).toBe(
      "topic.replicationFactor: must not exceed the inventory's brokers (2) (got 3)",
    );
    expect(problems({ cluster: ssh(), faults: { kinds: ["pause"], hooks: { pause: "./p.sh" } } })).toEqual([
      'faults.hooks: run only on cluster kind "attach" (a ssh cluster\'s faults are the harness\'s own) (got {"pause":"./p.sh"})',
    ]);
  });
});

describe("the run command's ssh flags", () => {
  const flagsOf = (words: string[]) => {
    const c = buildProgram(() => {}).commands.find((x) => x.name() === "run")!;
    c.parseOptions(words);
    return c.opts();
  };
  const specOf = async (words: string[], base = {}, read?: (p: string) => Promise<string>) => {
    const o = flagsOf(words);
    return runSpecFromFlags(o, await inlineInventory(base, o, { specFile: "/specs/s.json", read }));
  };

  it("--ssh-hosts a,b,c: every host a combined KRaft node, installed by the harness, with the login given", async () => {
    const s = await specOf(
      "--cluster ssh --metadata kraft --ssh-hosts a,b,c --ssh-user kafka --ssh-key /k/id --ssh-port 2222 --i-own-these-nodes".split(" "),
    );
    expect(s.cluster.inventory).toEqual({
      destructive: true,
      mode: "install",
      user: "kafka",
      keyFile: "/k/id",
      port: 2222,
      nodes: ["a", "b", "c"].map((host) => ({ host, role: "combined" })),
    });
    expect(s.cluster).toMatchObject({ brokers: 3, controllers: 3, combined: true });
    expect(formatPreview(previewOf(s))).toContain(
      "cluster   over SSH (mode install) on a (combined), b (combined), c (combined): Kafka 4.4.0, KRaft (3 controllers, combined), 3 brokers",
    );
  });

  it("without --i-own-these-nodes the run is refused; a wrong mix of flags says what to give", async () => {
    await expect(specOf("--cluster ssh --metadata kraft --ssh-hosts a,b,c".split(" "))).rejects.toThrow(
      /cluster.inventory.destructive: must be true/,
    );
    await expect(specOf("--cluster ssh --ssh-user u".split(" "))).rejects.toThrow(
      /--ssh-user, --ssh-key and --ssh-port need --ssh-hosts a,b,c/,
    );
    await expect(specOf("--cluster ssh --inventory i.yaml --ssh-hosts a".split(" "))).rejects.toThrow(/give one/);
    await expect(specOf(["--i-own-these-nodes"])).rejects.toThrow(/--i-own-these-nodes needs the nodes/);
    await expect(specOf("--cluster ssh --ssh-hosts a --ssh-port x".split(" "))).rejects.toThrow(
      /--ssh-port must be a whole number \(got "x"\)/,
    );
  });

  it("an inventory file (YAML) is read and stored inline; a spec file's names it relative to the spec", async () => {
    const yaml =
      "destructive: false\nuser: ops\nnodes:\n  - {host: zk1, role: zookeeper}\n  - {host: b1, role: broker}\n  - {host: b2, role: broker}\n  - {host: b3, role: broker}\n";
    const read = vi.fn(async () => yaml);
    const s = await specOf("--cluster ssh --inventory nodes.yaml --i-own-these-nodes".split(" "), {}, read);
    expect(read).toHaveBeenCalledWith(`${process.cwd()}/nodes.yaml`);
    expect(s.cluster.inventory).toMatchObject({
      destructive: true,
      user: "ops",
      nodes: [{ host: "zk1" }, { host: "b1" }, { host: "b2" }, { host: "b3" }],
    });
    const fromSpec = await specOf(["--i-own-these-nodes"], { cluster: { kind: "ssh", inventory: "inv/nodes.yaml" } }, read);
    expect(read).toHaveBeenLastCalledWith("/specs/inv/nodes.yaml");
    expect(fromSpec.cluster.kind).toBe("ssh");
    // Without the flag, the file's own `destructive: false` stands, and is refused.
    await expect(specOf("--cluster ssh --inventory nodes.yaml".split(" "), {}, read)).rejects.toThrow(/destructive: must be true/);
    await expect(specOf("--cluster ssh --inventory nodes.yaml".split(" "), {}, async () => "- a\n- b\n")).rejects.toThrow(
      /must hold an object/,
    );
  });
});
