// The link family on fake nodes: the commands packet-loss and slow-link issue, what they refuse,
// how they sit with other faults, what restore-link measures and heal-all removes; the scripts and
// their parsers on their own; the generated and explicit schedules' link faults.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ExecResult } from "../../harness/cluster/node-handle.ts";
import { createRecorder } from "../../harness/history/recorder.ts";
import { linkFamily, peerMatch } from "../../harness/nemesis/families/link.ts";
import { lossScript, parseLossCounters, parseShapeStats, shapeScript } from "../../harness/nemesis/faults/link.ts";
import { clusterNemesis } from "../../harness/nemesis/nemesis.ts";
import { seededRng } from "../../harness/nemesis/rng.ts";
import { generateSchedule, scheduleArbitrary } from "../../harness/nemesis/schedule.ts";
import { conflicts } from "../../harness/nemesis/schedule-rules.ts";
import { ScheduledFaultSchema } from "../../harness/spec/faults.ts";
import { type FakeNode, fakeCluster, fakeProbe, part } from "./fakes.ts";

/** A fake node that also keeps link rules and a qdisc, and answers the link scripts. */
interface LinkNode extends FakeNode {
  loss?: string[];
  qdisc?: string;
  /** Counters the fake reports: packets per counting rule and per DROP rule. */
  counters: { seen: number; dropped: number };
  tools: { tc: boolean; netem: boolean; iptables: boolean };
  scripts: string[];
}

function linkable(n: FakeNode): LinkNode {
  const base = n.exec.bind(n);
  const l = n as LinkNode;
  l.counters = { seen: 100, dropped: 30 };
  l.tools = { tc: true, netem: false, iptables: true };
  l.scripts = [];
  const ok = (output = ""): ExecResult => ({ exitCode: 0, output });
  l.exec = async (cmd) => {
    const s = cmd.join(" ");
    if (l.status !== "running") throw new Error(`${l.name} is ${l.status}: cannot exec`);
    if (s.includes("KH-PROBE")) return l.tools.iptables ? ok() : { exitCode: 127, output: "iptables: command not found" };
    if (s.includes("command -v $t")) return ok(l.tools.tc ? "" : "tc\n");
    if (s.includes("netem delay 1ms")) return l.tools.netem ? ok() : { exitCode: 2, output: "Error: Specified qdisc kind is unknown." };
    if (!s.includes("KH-LINK") && !s.includes("4b48")) return base(cmd);
    l.scripts.push(s);
    if (s.includes("-N KH-LINK-IN")) {
      if (l.loss) return { exitCode: 1, output: "iptables: Chain already exists." };
      l.loss = s.split("\n").filter((x) => x.includes("-A KH-LINK"));
      return ok();
    }
    if (s.includes("-v -S KH-LINK")) {
      const lines = (l.loss ?? []).map((x) => {
        const rule = x.replace(/^\S+ -w /, "");
        const c = rule.includes("-j DROP") ? l.counters.dropped : rule.includes("-j RETURN") ? 5 : l.counters.seen;
        return rule.replace(/( -m| -j|$)/, ` -c ${c} 999$1`);
      });
      return ok(lines.join("\n"));
    }
    if (s.includes("-X KH-LINK-IN")) {
      const had = l.loss !== undefined;
      l.loss = undefined;
      return ok(had ? "had-link-rules\n" : "");
    }
    if (s.includes("root handle 4b48:")) {
      if (l.qdisc) return { exitCode: 1, output: "a link fault is already shaping eth0" };
      if (s.includes("netem") && !l.tools.netem) return { exitCode: 2, output: "Error: Specified qdisc kind is unknown." };
      l.qdisc = s;
      return ok();
    }
    if (s.includes("tc -s")) return ok(l.qdisc ? " Sent 52000 bytes 40 pkt (dropped 2, overlimits 17 requeues 0)\n" : "");
    if (s.includes("had-link-qdisc")) {
      const had = l.qdisc !== undefined;
      l.qdisc = undefined;
      return ok(had ? "had-link-qdisc\n" : "");
    }
    throw new Error(`unexpected script: ${s}`);
  };
  return l;
}

function setup(o: { networkFaults?: false; watch?: boolean } = {}) {
  const c = fakeCluster();
  const all = c.all.map(linkable);
  const brokers = all.filter((n) => n.role === "broker");
  const zookeepers = all.filter((n) => n.role === "zookeeper");
  const fp = fakeProbe({ partitions: [part("t", 0, 2, [1, 2, 3])], controller: 1, brokers });
  const recorder = createRecorder();
  const nemesis = clusterNemesis(
    { brokers, zookeepers, ...(o.networkFaults === false ? { networkFaults: false as const } : {}) },
    {
      recorder,
      rng: seededRng(3),
      probe: fp.probe,
      watch: o.watch ? { pollMs: 5, timeoutMs: 5000 } : false,
      healOnShutdown: false,
      sessionWaitMs: 0,
    },
  );
  const byName = (name: string) => all.find((n) => n.name === name)!;
  return { brokers, zookeepers, all, byName, nemesis, recorder, fp };
}

const nodes = (...names: string[]) => ({ kind: "nodes" as const, names });

describe("packet-loss", () => {
  it("drops a share of the packets to and from the other brokers in the leader, in chains of its own", async () => {
    const { nemesis, byName } = setup();
    const r = await nemesis.invoke({ fault: "packet-loss", targets: { kind: "leader", of: "t-0" }, probability: 0.3, between: "brokers" });
    expect(r).toMatchObject({
      type: "ok",
      f: "packet-loss",
      value: { targets: ["kafka2"], leaderOf: "t-0", probability: 0.3, between: "brokers" },
    });
    expect(r.undo).toEqual({ fault: "restore-link", targets: nodes("kafka2") });
    expect(byName("kafka2").loss).toEqual([
      "iptables-nft -w -A KH-LINK-IN -s 10.0.1.2",
      "iptables-nft -w -A KH-LINK-IN -s 10.0.1.2 -m statistic --mode random --probability 0.3 -j DROP",
      "iptables-nft -w -A KH-LINK-IN -s 10.0.1.4",
      "iptables-nft -w -A KH-LINK-IN -s 10.0.1.4 -m statistic --mode random --probability 0.3 -j DROP",
      "iptables-nft -w -A KH-LINK-OUT -d 10.0.1.2",
      "iptables-nft -w -A KH-LINK-OUT -d 10.0.1.2 -m statistic --mode random --probability 0.3 -j DROP",
      "iptables-nft -w -A KH-LINK-OUT -d 10.0.1.4",
      "iptables-nft -w -A KH-LINK-OUT -d 10.0.1.4 -m statistic --mode random --probability 0.3 -j DROP",
    ]);
    expect(byName("kafka1").loss).toBeUndefined();
    expect(byName("kafka2").drops.size).toBe(0); // the partition chain is untouched
    await nemesis.close();
  });

  it("restore-link records the packets each node's rules saw and dropped, then removes them", async () => {
    const { nemesis, byName } = setup();
    const r = await nemesis.invoke({ fault: "packet-loss", targets: nodes("kafka1", "kafka3"), probability: 0.5, between: "all" });
    byName("kafka3").counters = { seen: 400, dropped: 210 };
    const u = await nemesis.invoke(r.undo!);
    // Each node has two counting rules and two DROP rules (in and out).
    expect(u).toMatchObject({
      type: "ok",
      f: "restore-link",
      value: { targets: ["kafka1", "kafka3"], seen: { kafka1: 200, kafka3: 800 }, dropped: { kafka1: 60, kafka3: 420 } },
    });
    expect(byName("kafka1").loss).toBeUndefined();
    expect(byName("kafka3").loss).toBeUndefined();
    expect(nemesis.state.linked()).toEqual([]);
    await nemesis.close();
  });
});

describe("what a link fault did to Kafka", () => {
  it("each follower behind a degraded link gets a watch of its own: a follower dropped from the ISR makes the fault effective", async () => {
    const { nemesis, recorder, fp } = setup({ watch: true });
    // t-0 led by kafka2 (ISR 1,2,3), t-1 led by kafka1 (ISR 1,3): loss on kafka2's broker links
    // degrades t-0's followers kafka1 and kafka3, and nothing of t-1.
    fp.s.partitions = [part("t", 0, 2, [1, 2, 3]), part("t", 1, 1, [1, 3], [1, 3])];
    const r = await nemesis.invoke({ fault: "packet-loss", targets: nodes("kafka2"), probability: 0.3, between: "brokers" });
    expect(r.type).toBe("ok");
    fp.s.partitions = [part("t", 0, 2, [1, 2, 3], [2, 3]), part("t", 1, 1, [1, 3], [1, 3])];
    const failovers = () => recorder.ops.filter((o) => o.f === "failover").map((o) => o.value as Record<string, unknown>);
    await expect.poll(failovers).toHaveLength(1);
    expect(failovers()[0]).toMatchObject({ fault: r.index, partitions: ["t-0"], leaderless: [], ended: "settled" });
    expect(failovers()[0]!.isrShrunkAfterMs).toEqual(expect.any(Number));
    // The undo ends the watch of kafka3, which stayed in sync.
    await nemesis.invoke(r.undo!);
    await expect.poll(failovers).toHaveLength(2);
    expect(failovers()[1]).toMatchObject({ fault: r.index, partitions: ["t-0"], isrShrunkAfterMs: null, ended: "undone" });
    await nemesis.close();
  });

  it("watches only followers in the ISR as ZooKeeper has it, not as a broker's stale metadata does", async () => {
    const { nemesis, recorder, fp } = setup({ watch: true });
    fp.s.partitions = [part("t", 0, 2, [1, 2, 3])];
    // kafka1 is still catching up after an earlier fault: out of the ISR in ZooKeeper.
    fp.probe.partitionStates = async () => new Map([["t-0", { leader: 2, isr: [2, 3], leaderEpoch: 4, controllerEpoch: 1 }]]);
    const r = await nemesis.invoke({ fault: "packet-loss", targets: nodes("kafka2"), probability: 0.3, between: "brokers" });
    await nemesis.invoke(r.undo!);
    const failovers = () => recorder.ops.filter((o) => o.f === "failover").map((o) => o.value);
    await expect.poll(failovers).toHaveLength(1);
    expect(failovers()).toEqual([
      expect.objectContaining({ fault: r.index, partitions: ["t-0"], isrShrunkAfterMs: null, ended: "undone" }),
    ]);
    await nemesis.close();
  });

  it("a follower killed under a bad link drops out of the ISR by the kill's doing: the link's watch of it ends first", async () => {
    const { nemesis, recorder, fp } = setup({ watch: true });
    fp.s.partitions = [part("t", 0, 2, [1, 2, 3])];
    const r = await nemesis.invoke({ fault: "slow-link", targets: nodes("kafka2"), rateKbit: 64, between: "brokers" });
    const k = await nemesis.invoke({ fault: "kill", targets: nodes("kafka3") });
    fp.s.partitions = [part("t", 0, 2, [1, 2, 3], [1, 2])];
    const of = (i: number) => recorder.ops.filter((o) => o.f === "failover" && (o.value as { fault: number }).fault === i);
    await expect.poll(() => of(k.index!)).toHaveLength(1); // the kill's own record
    await nemesis.invoke(r.undo!);
    await expect.poll(() => of(r.index!)).toHaveLength(2);
    expect(of(r.index!).map((o) => o.value)).toEqual([
      expect.objectContaining({ partitions: ["t-0"], isrShrunkAfterMs: null, ended: "undone" }),
      expect.objectContaining({ partitions: ["t-0"], isrShrunkAfterMs: null, ended: "undone" }),
    ]);
    await nemesis.close();
  });
});

describe("slow-link", () => {
  it("all: a tbf on the interface; brokers: an htb class for the other brokers only; restore records what the shaping sent", async () => {
    const { nemesis, byName } = setup();
    const a = await nemesis.invoke({ fault: "slow-link", targets: nodes("kafka1"), rateKbit: 64, between: "all" });
    expect(a).toMatchObject({ type: "ok", value: { rateKbit: 64, between: "all" } });
    expect(byName("kafka1").qdisc).toMatch(/root handle 4b48: tbf rate 64kbit burst 4096 latency 400ms/);
    const b = await nemesis.invoke({ fault: "slow-link", targets: nodes("kafka2"), rateKbit: 1024, between: "brokers" });
    const q = byName("kafka2").qdisc!;
    expect(q).toMatch(/root handle 4b48: htb default 10\n/);
    expect(q).toMatch(/classid 4b48:20 htb rate 1024kbit ceil 1024kbit burst 12800/);
    expect(q.match(/u32 match ip dst (\S+) flowid 4b48:(\d+)/g)).toEqual([
      "u32 match ip dst 10.0.1.2/32 flowid 4b48:20",
      "u32 match ip dst 10.0.1.4/32 flowid 4b48:20",
    ]);
    const u = await nemesis.invoke(b.undo!);
    expect(u).toMatchObject({
      type: "ok",
      value: { targets: ["kafka2"], shaped: { kafka2: { sentBytes: 52000, sentPackets: 40, dropped: 2, overlimits: 17 } } },
    });
    expect(byName("kafka2").qdisc).toBeUndefined();
    expect(byName("kafka1").qdisc).toBeDefined();
    await nemesis.close();
  });

  it("a delay needs netem: refused where the probe finds none, added under the limit where it does", async () => {
    const { nemesis, byName } = setup();
    const refused = await nemesis.invoke({ fault: "slow-link", targets: nodes("kafka1"), rateKbit: 256, between: "all", delayMs: 50 });
    expect(refused).toMatchObject({
      type: "fail",
      value: { reason: "kafka1's kernel has no netem qdisc: a delay cannot be added there (drop delayMs)" },
    });
    expect(byName("kafka1").qdisc).toBeUndefined();
    byName("kafka2").tools.netem = true;
    const ok = await nemesis.invoke({ fault: "slow-link", targets: nodes("kafka2"), rateKbit: 256, between: "all", delayMs: 50 });
    expect(ok).toMatchObject({ type: "ok", value: { delayMs: 50 } });
    expect(byName("kafka2").qdisc).toMatch(/parent 4b48:1 handle 4b49: netem delay 50ms/);
    await nemesis.close();
  });
});

describe("link faults refuse what they cannot do", () => {
  it("an attached cluster, a node without tc, a node without iptables, parameters out of range", async () => {
    const attached = setup({ networkFaults: false });
    expect(
      await attached.nemesis.invoke({ fault: "packet-loss", targets: nodes("kafka1"), probability: 0.2, between: "all" }),
    ).toMatchObject({ type: "fail", value: { reason: expect.stringMatching(/attached cluster/) } });
    await attached.nemesis.close();

    const { nemesis, byName } = setup();
    byName("kafka1").tools.tc = false;
    expect(await nemesis.invoke({ fault: "slow-link", targets: nodes("kafka1"), rateKbit: 64, between: "all" })).toMatchObject({
      type: "fail",
      value: { reason: "kafka1 has no tc (iproute2): no bandwidth limit there" },
    });
    byName("kafka3").tools.iptables = false;
    expect(await nemesis.invoke({ fault: "packet-loss", targets: nodes("kafka3"), probability: 0.2, between: "all" })).toMatchObject({
      type: "fail",
      value: { reason: expect.stringMatching(/^kafka3: no working iptables/) },
    });
    expect(await nemesis.invoke({ fault: "packet-loss", targets: nodes("kafka2"), probability: 0, between: "all" })).toMatchObject({
      type: "fail",
      value: { reason: "probability must be above 0 (a probability of losing each packet)" },
    });
    expect(byName("kafka2").scripts).toEqual([]);
    await nemesis.close();
  });

  it("one link fault per node; none on a node down or paused; a lossy node may be killed or partitioned but not paused", async () => {
    const { nemesis, byName } = setup();
    await nemesis.invoke({ fault: "kill", targets: nodes("kafka1") });
    expect(await nemesis.invoke({ fault: "packet-loss", targets: nodes("kafka1"), probability: 0.2, between: "all" })).toMatchObject({
      type: "fail",
      value: { reason: "kafka1 is under kill" },
    });
    await nemesis.invoke({ fault: "start", targets: nodes("kafka1") });
    expect((await nemesis.invoke({ fault: "packet-loss", targets: nodes("kafka2"), probability: 0.2, between: "all" })).type).toBe("ok");
    expect(await nemesis.invoke({ fault: "slow-link", targets: nodes("kafka2"), rateKbit: 64, between: "all" })).toMatchObject({
      type: "fail",
      value: { reason: "kafka2 is under packet-loss (restore-link first)" },
    });
    // A random target skips the nodes down or already on a bad link.
    await nemesis.invoke({ fault: "slow-link", targets: nodes("kafka1"), rateKbit: 64, between: "all" });
    expect(await nemesis.invoke({ fault: "slow-link", targets: { kind: "random-broker" }, rateKbit: 64, between: "all" })).toMatchObject({
      type: "ok",
      value: { targets: ["kafka3"] },
    });
    expect(await nemesis.invoke({ fault: "pause", targets: nodes("kafka2") })).toMatchObject({
      type: "fail",
      value: { reason: "kafka2 is under packet-loss" },
    });
    // A partition over a lossy node: its heal removes its own chain only.
    const p = await nemesis.invoke({ fault: "partition", topology: "cut-from-brokers", targets: nodes("kafka2") });
    expect(p.type).toBe("ok");
    await nemesis.invoke(p.undo!);
    expect(byName("kafka2").loss).toHaveLength(4);
    // A kill: the node comes back in a fresh namespace, and restore-link says it found nothing.
    expect((await nemesis.invoke({ fault: "kill", targets: nodes("kafka3") })).type).toBe("ok");
    byName("kafka3").qdisc = undefined; // what the restart does
    await nemesis.invoke({ fault: "start", targets: nodes("kafka3") });
    const u = await nemesis.invoke({ fault: "restore-link", targets: nodes("kafka3") });
    expect(u).toMatchObject({ type: "ok", value: { targets: ["kafka3"], nothingFound: ["kafka3"] } });
    await nemesis.close();
  });

  it("restore-link of a paused node cannot reach it: info, and heal-all restores it after resuming", async () => {
    const { nemesis, byName } = setup();
    await nemesis.invoke({ fault: "packet-loss", targets: nodes("kafka1"), probability: 0.2, between: "brokers" });
    byName("kafka1").status = "paused"; // paused behind the nemesis's back
    const u = await nemesis.invoke({ fault: "restore-link", targets: nodes("kafka1") });
    expect(u).toMatchObject({ type: "info", value: { reason: "kafka1 paused: link not restored" } });
    expect(nemesis.state.linked()).toEqual(["kafka1"]);
    const h = await nemesis.healAll();
    expect(h).toMatchObject({ type: "ok", value: { resumed: ["kafka1"], healed: { link: ["kafka1"] } } });
    expect(byName("kafka1").loss).toBeUndefined();
    await nemesis.close();
  });
});

describe("heal-all and the link family", () => {
  it("asks every running node and removes link rules and qdiscs the state does not know of", async () => {
    const { nemesis, byName } = setup();
    byName("zk2").loss = ["iptables-nft -w -A KH-LINK-IN ! -i lo"];
    byName("kafka3").qdisc = "tc qdisc replace dev eth0 root handle 4b48: tbf";
    byName("kafka1").status = "exited";
    const h = await nemesis.healAll();
    expect(h).toMatchObject({ type: "ok", value: { started: ["kafka1"], healed: { link: ["kafka3", "zk2"] } } });
    expect(h.value.targets).toEqual(["kafka1", "kafka3", "zk2"]);
    expect(byName("zk2").loss).toBeUndefined();
    expect(byName("kafka3").qdisc).toBeUndefined();
    await nemesis.close();
  });
});

describe("which packets", () => {
  const groups = { brokers: ["kafka1", "kafka2", "kafka3"], zookeepers: ["zk1", "zk2"], voters: [] };
  const address = new Map([
    ["kafka1", "10.0.1.2"],
    ["kafka2", "10.0.1.3"],
    ["kafka3", "10.0.1.4"],
    ["zk1", "10.0.0.2"],
    ["zk2", "10.0.0.3"],
  ]);
  it("brokers: the other brokers; quorum: the metadata quorum; clients: all but cluster nodes; all", () => {
    expect(peerMatch("kafka1", "brokers", { groups }, address)).toEqual({ peers: ["10.0.1.3", "10.0.1.4"] });
    expect(peerMatch("kafka1", "quorum", { groups }, address)).toEqual({ peers: ["10.0.0.2", "10.0.0.3"] });
    expect(peerMatch("zk1", "quorum", { groups }, address)).toEqual({ peers: ["10.0.0.3"] });
    expect(peerMatch("kafka1", "clients", { groups }, address)).toEqual({ except: [...address.values()] });
    expect(peerMatch("kafka1", "all", { groups }, address)).toBe("all");
    // KRaft: combined voters are brokers, and part of the quorum too.
    const kraft = { brokers: ["kafka1", "kafka2", "kafka3"], zookeepers: [], voters: ["kafka1", "kafka2", "kafka3"] };
    expect(peerMatch("kafka1", "quorum", { groups: kraft }, address)).toEqual({ peers: ["10.0.1.3", "10.0.1.4"] });
  });

  it("clients: cluster nodes return before the coin flip; loopback is never dropped", () => {
    const s = lossScript("iptables", { except: ["10.0.1.2", "10.0.0.2"] }, 0.25);
    expect(s.split("\n").filter((l) => l.includes("KH-LINK-IN"))).toEqual([
      "iptables -w -N KH-LINK-IN",
      "iptables -w -A KH-LINK-IN -s 10.0.1.2 -j RETURN",
      "iptables -w -A KH-LINK-IN -s 10.0.0.2 -j RETURN",
      "iptables -w -A KH-LINK-IN ! -i lo",
      "iptables -w -A KH-LINK-IN ! -i lo -m statistic --mode random --probability 0.25 -j DROP",
      "iptables -w -I INPUT 1 -j KH-LINK-IN",
    ]);
    expect(s).toContain("iptables -w -A KH-LINK-OUT ! -o lo -m statistic --mode random --probability 0.25 -j DROP");
    expect(() => lossScript("iptables", "all", 1.5)).toThrow(/probability/);
    expect(() => lossScript("iptables", { peers: ["10.0.0.2; reboot"] }, 0.5)).toThrow(/not an IPv4/);
  });

  it("clients (slow-link): everything goes to the limited class but the cluster nodes", () => {
    const s = shapeScript({ except: ["10.0.1.2"] }, 128);
    expect(s).toMatch(/htb default 20\n/);
    expect(s).toContain("u32 match ip dst 10.0.1.2/32 flowid 4b48:10");
  });
});

describe("parsers", () => {
  it("iptables -v -S counters: counting rules are seen, DROP rules dropped, RETURN rules neither", () => {
    const out = [
      "-N KH-LINK-IN",
      "-A KH-LINK-IN -s 10.0.1.2/32 -c 5 300 -j RETURN",
      "-A KH-LINK-IN ! -i lo -c 1200 90000",
      "-A KH-LINK-IN ! -i lo -m statistic --mode random --probability 0.29999999981 -c 371 27000 -j DROP",
      "-N KH-LINK-OUT",
      "-A KH-LINK-OUT ! -o lo -c 800 60000",
      "-A KH-LINK-OUT ! -o lo -m statistic --mode random --probability 0.29999999981 -c 250 1 -j DROP",
    ].join("\n");
    expect(parseLossCounters(out)).toEqual({ seen: 2000, dropped: 621 });
  });

  it("tc -s: bytes, packets, drops and overlimits of the qdisc or class", () => {
    const out = `class htb 4b48:20 root prio 0 rate 64Kbit ceil 64Kbit burst 4Kb cburst 1600b
 Sent 1811904 bytes 1432 pkt (dropped 12, overlimits 2931 requeues 0)
 backlog 0b 0p requeues 0`;
    expect(parseShapeStats(out)).toEqual({ sentBytes: 1811904, sentPackets: 1432, dropped: 12, overlimits: 2931 });
    expect(parseShapeStats("")).toBeUndefined();
  });
});

describe("link faults in schedules", () => {
  const base = { timeLimitMs: 120_000, meanIntervalMs: 5000, durationMs: { min: 1000, max: 4000 }, partitions: ["t-0"] };

  it("generated: loss 0.1-0.5 and rates 64-1024 kbit, between any of the four, on the usual targets", () => {
    fc.assert(
      fc.property(scheduleArbitrary({ ...base, faults: ["packet-loss", "slow-link"] }), (s) => {
        for (const f of s) {
          if (f.fault === "packet-loss") expect(f.probability >= 0.1 && f.probability <= 0.5).toBe(true);
          else if (f.fault === "slow-link") expect(f.rateKbit >= 64 && f.rateKbit <= 1024).toBe(true);
          else throw new Error(`unexpected ${f.fault}`);
          expect(ScheduledFaultSchema.safeParse(f).success).toBe(true);
        }
      }),
      { numRuns: 30 },
    );
    const s = generateSchedule(7, { ...base, faults: ["packet-loss", "slow-link"] });
    expect(new Set(s.map((f) => f.fault))).toEqual(new Set(["packet-loss", "slow-link"]));
  });

  it("domains: a link fault overlaps kills and partitions, never another link fault", () => {
    const loss = {
      fault: "packet-loss" as const,
      targets: { kind: "random-broker" as const },
      probability: 0.3,
      between: "brokers" as const,
    };
    const slow = { fault: "slow-link" as const, targets: { kind: "random-broker" as const }, rateKbit: 64, between: "all" as const };
    expect(conflicts(loss, { fault: "kill", targets: { kind: "leader", of: "t-0" } })).toBe(false);
    expect(conflicts(loss, { fault: "partition", topology: "ring" })).toBe(false);
    expect(conflicts(loss, slow)).toBe(true);
    expect(linkFamily.domains(slow)).toEqual(["link"]);
  });

  it("explicit: accepted with their parameters, and bad parameters get errors that say what is wrong", () => {
    const at = { at: 0, duration: 5000, targets: { kind: "leader", of: "t-0" } };
    expect(ScheduledFaultSchema.parse({ ...at, fault: "packet-loss", probability: 0.3, between: "brokers" })).toMatchObject({
      probability: 0.3,
    });
    expect(ScheduledFaultSchema.parse({ ...at, fault: "slow-link", rateKbit: 64, between: "clients", delayMs: 20 })).toMatchObject({
      delayMs: 20,
    });
    const errors = (x: object) => ScheduledFaultSchema.safeParse(x).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(errors({ ...at, fault: "packet-loss", probability: 1.5, between: "brokers" })).toEqual([
      "probability: must be at most 1 (a probability of losing each packet)",
    ]);
    expect(errors({ ...at, fault: "packet-loss", probability: 0, between: "replicas" })).toEqual([
      "probability: must be above 0 (a probability of losing each packet)",
      "between: must be one of brokers, clients, quorum, all",
    ]);
    expect(errors({ ...at, fault: "slow-link", rateKbit: 64.5, between: "all" })).toEqual(["rateKbit: must be a whole number of kbit/s"]);
    expect(errors({ ...at, fault: "slow-link", rateKbit: 1, between: "all" })).toEqual([
      "rateKbit: must be at least 8 kbit/s (below that TCP hardly moves)",
    ]);
    expect(errors({ ...at, fault: "slow-link", between: "all" })).toEqual(["rateKbit: must be a number"]);
    expect(errors({ ...at, fault: "packet-loss", probability: 0.3, between: "all", rateKbit: 64 })).toEqual([
      ': Unrecognized key: "rateKbit"',
    ]);
  });
});
