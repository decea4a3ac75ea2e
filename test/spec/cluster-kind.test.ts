// Cluster kinds in the spec: docker (absent: the default) or attach, and what an attached cluster
// cannot do refused when the spec is read, naming the fault and the kind. The command line's
// --cluster / --bootstrap / --keep-topic reach the same fields.
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../harness/cli.ts";
import { baseTopicName, onSharedCluster, renameTopic } from "../../harness/run/prepare.ts";
import { runSpecFromFlags } from "../../harness/run/run-flags.ts";
import { SpecError } from "../../harness/spec/errors.ts";
import { parseTestSpec, type TestSpecInput } from "../../harness/spec/test-spec.ts";
import { specProblems } from "./spec-problems.ts";

const attach = { kind: "attach" as const, bootstrap: ["k1.example.com:9092"] };

const problems = specProblems;

describe("cluster kind attach in the spec", () => {
  it("docker stays the default: an existing spec parses as it did, without a kind", () => {
    const s = parseTestSpec({});
    expect(s.cluster.kind).toBeUndefined();
    expect(s.cluster.bootstrap).toBeUndefined();
  });

  it("needs a bootstrap address, and only attach takes one", () => {
    expect(problems({ cluster: { kind: "attach" } })).toEqual([
      'cluster.bootstrap: is needed with kind "attach": the cluster\'s host:port addresses (--bootstrap)',
    ]);
    expect(problems({ cluster: { bootstrap: ["a:1"], keepTopic: true } })).toEqual([
      'cluster.bootstrap: is for kind "attach" only (a docker cluster is the harness\'s own) (got ["a:1"])',
      'cluster.keepTopic: is for kind "attach" only (a docker cluster is the harness\'s own) (got true)',
    ]);
    expect(problems({ cluster: { kind: "attach", bootstrap: ["no-port"] } })[0]).toMatch(/cluster.bootstrap.0: must be host:port/);
    expect(problems({ cluster: { kind: "k8s" as "attach" } })[0]).toMatch(/cluster.kind: must be one of docker, attach, ssh/);
  });

  it("without faults an attached cluster needs nothing more; its replication factor is Kafka's to judge", () => {
    expect(problems({ cluster: attach })).toEqual([]);
    expect(problems({ cluster: { ...attach, brokers: 1 }, topic: { replicationFactor: 3 } })).toEqual([]);
    expect(problems({ cluster: { brokers: 1 }, topic: { replicationFactor: 3, minInsyncReplicas: 1 } })[0]).toMatch(
      /must not exceed cluster.brokers/,
    );
  });

  it("a fault a hook can do needs its hook; any other fault is refused, naming the fault and the kind", () => {
    expect(problems({ cluster: attach, faults: { kinds: ["pause"], targets: ["leader"], hooks: { pause: "./pause.sh" } } })).toEqual([]);
    expect(
      problems({ cluster: attach, faults: { kinds: ["kill", "partition", "zk"], targets: ["leader"], hooks: { pause: "./p.sh" } } }),
    ).toEqual([
      'faults.kinds.0: kill on cluster kind "attach" needs a hook: faults.hooks.kill, a command that does it to the broker at $KH_TARGET_HOST (and undoes it when KH_PHASE=stop) (got "kill")',
      'faults.kinds.1: partition cannot run on cluster kind "attach": the harness touches no broker process or network there, and a hook (faults.hooks) can carry out only kill, stop, pause (got "partition")',
      'faults.kinds.2: zk cannot run on cluster kind "attach": the harness touches no broker process or network there, and a hook (faults.hooks) can carry out only kill, stop, pause (got "zk")',
    ]);
  });

  it("only brokers can be aimed at: ZooKeeper and controller targets are refused, in the targets and in a schedule", () => {
    const hooks = { kill: "./kill.sh" };
    expect(problems({ cluster: attach, faults: { kinds: ["kill"], targets: ["leader", "active-controller"], hooks } })).toEqual([
      'faults.targets.1: active-controller cannot be aimed at on cluster kind "attach": only brokers are known there (from Kafka\'s metadata), not ZooKeeper nodes or controllers (got "active-controller")',
    ]);
    const schedule = [
      { at: 0, duration: 1000, fault: "kill", targets: { kind: "zk-leader" } },
      { at: 0, duration: 0, fault: "bounce" },
    ] as const;
    const refused = problems({ cluster: attach, faults: { schedule: [...schedule], hooks } });
    expect(refused).toEqual([
      expect.stringMatching(/^faults.schedule.0.targets: zk-leader cannot be aimed at on cluster kind "attach"/),
      expect.stringMatching(/^faults.schedule.1.fault: bounce cannot run on cluster kind "attach"/),
    ]);
    // Targets unused without faults are no problem (they are the defaults).
    expect(problems({ cluster: attach, faults: { targets: ["active-controller"] } })).toEqual([]);
  });

  it("hooks are for attach only: a docker cluster's faults are the harness's own", () => {
    expect(problems({ faults: { kinds: ["pause"], hooks: { pause: "./p.sh" } } })).toEqual([
      'faults.hooks: run only on cluster kind "attach" (a docker cluster\'s faults are the harness\'s own) (got {"pause":"./p.sh"})',
    ]);
    expect(problems({ cluster: attach, faults: { hooks: { reboot: "./r.sh" } as never } })[0]).toBe("faults.hooks.reboot: unknown field");
  });
});

describe("the run command's cluster flags", () => {
  const flagsOf = (words: string[]) => {
    const c = buildProgram(() => {}).commands.find((x) => x.name() === "run")!;
    c.parseOptions(words);
    return c.opts();
  };

  it("--cluster attach --bootstrap a,b --keep-topic set the spec's cluster", () => {
    const s = runSpecFromFlags(flagsOf(["--cluster", "attach", "--bootstrap", "k1:9092,k2:9092", "--keep-topic"]));
    expect(s.cluster).toMatchObject({ kind: "attach", bootstrap: ["k1:9092", "k2:9092"], keepTopic: true });
  });

  it("a fault refused on attach names the flag it came from", () => {
    expect(() => runSpecFromFlags(flagsOf(["--cluster", "attach", "--bootstrap", "k1:9092", "--faults", "partition"]))).toThrow(
      /--faults partition cannot run on cluster kind "attach"/,
    );
  });
});

describe("a run's own topic on an attached cluster", () => {
  it("an explicit schedule's leader targets follow the topic's new name; other targets stay", () => {
    const spec = parseTestSpec({
      cluster: attach,
      faults: {
        hooks: { pause: "p" },
        schedule: [
          { at: 0, duration: 10, fault: "pause", targets: { kind: "leader", of: "t-1" } },
          { at: 20, duration: 10, fault: "pause", targets: { kind: "random-broker" } },
        ],
      },
    });
    const renamed = renameTopic(spec, "kafka_harness_t_x");
    expect(renamed.topic.name).toBe("kafka_harness_t_x");
    expect(renamed.faults.schedule!.map((f) => ("targets" in f ? f.targets : undefined))).toEqual([
      { kind: "leader", of: "kafka_harness_t_x-1" },
      { kind: "random-broker" },
    ]);
  });

  it("a run on a shared cluster renames its explicit schedule's leader targets with its fresh topic", () => {
    const spec = parseTestSpec({
      faults: { schedule: [{ at: 0, duration: 10, fault: "kill", targets: { kind: "leader", of: "t-0" } }] },
      cluster: { brokers: 3 },
    });
    const shared = parseTestSpec({ cluster: { brokers: 4 } }).cluster;
    const run = onSharedCluster(spec, shared, "tmx01");
    expect(run.topic.name).toBe("tmx01");
    expect(run.cluster).toBe(shared);
    expect(run.faults.schedule).toEqual([{ at: 0, duration: 10, fault: "kill", targets: { kind: "leader", of: "tmx01-0" } }]);
  });

  it("a replayed attached run gets a fresh topic of the name its spec first asked for, not a prefix on a prefix", () => {
    expect(baseTopicName("t")).toBe("t");
    expect(baseTopicName("kafka_harness_t_mxd01hss0")).toBe("t");
    expect(baseTopicName("kafka_harness_my_topic_mxd01hss0")).toBe("my_topic");
  });
});

describe("membership faults in the spec", () => {
  it("an explicit schedule takes reassign and elect-leaders (no duration) and shrink-replicas (undone by grow-replicas)", () => {
    const spec = parseTestSpec({
      faults: {
        schedule: [
          { at: 1000, duration: 0, fault: "reassign", of: "t-0", targets: { kind: "leader", of: "t-0" } },
          { at: 2000, duration: 0, fault: "elect-leaders" },
          { at: 3000, duration: 5000, fault: "shrink-replicas", of: "t-1" },
        ],
      },
    });
    expect(spec.faults.schedule!.map((f) => f.fault)).toEqual(["reassign", "elect-leaders", "shrink-replicas"]);
    expect(problems({ faults: { schedule: [{ at: 0, duration: 10, fault: "reassign" } as never] } })[0]).toMatch(/faults.schedule.0/);
    expect(problems({ faults: { schedule: [{ at: 0, duration: 0, fault: "elect-leaders", of: "t" }] } })[0]).toMatch(/faults.schedule.0/);
  });

  it("an explicit schedule takes add-broker and decommission-broker (lasting: undone by remove-broker and recommission-broker)", () => {
    const spec = parseTestSpec({
      cluster: { brokers: 4 },
      faults: {
        schedule: [
          { at: 1000, duration: 9000, fault: "decommission-broker", targets: { kind: "leader", of: "t-0" } },
          { at: 12000, duration: 9000, fault: "add-broker", of: "t-1" },
        ],
      },
    });
    expect(spec.faults.schedule!.map((f) => f.fault)).toEqual(["decommission-broker", "add-broker"]);
    expect(problems({ faults: { schedule: [{ at: 0, duration: 10, fault: "decommission-broker", of: "t-0" } as never] } })[0]).toMatch(
      /faults.schedule.0/,
    );
    expect(problems({ cluster: attach, faults: { kinds: ["add-broker"] } })[0]).toMatch(/add-broker cannot run on cluster kind "attach"/);
  });

  it("on an attached cluster they move the owner's replicas: refused unless cluster.alterReplicas says so", () => {
    expect(problems({ cluster: attach, faults: { kinds: ["reassign"] } })).toEqual([
      'faults.kinds.0: reassign moves the topic\'s replicas: on cluster kind "attach" only with cluster.alterReplicas: true (the cluster is not the harness\'s own) (got "reassign")',
    ]);
    expect(problems({ cluster: { ...attach, alterReplicas: true }, faults: { kinds: ["reassign", "shrink-replicas"] } })).toEqual([]);
    expect(problems({ cluster: { alterReplicas: true } })[0]).toMatch(/cluster.alterReplicas: is for kind "attach" only/);
  });

  it("a renamed topic renames the partition a membership fault names", () => {
    const spec = parseTestSpec({
      cluster: { ...attach, alterReplicas: true },
      faults: { schedule: [{ at: 0, duration: 10, fault: "shrink-replicas", of: "t-1", targets: { kind: "leader", of: "t-1" } }] },
    });
    expect(renameTopic(spec, "kafka_harness_t_x").faults.schedule).toEqual([
      { at: 0, duration: 10, fault: "shrink-replicas", of: "kafka_harness_t_x-1", targets: { kind: "leader", of: "kafka_harness_t_x-1" } },
    ]);
  });
});
