// The fault families against the lists others read: the spec's kinds (spec/fault-kinds.ts, which
// may import nothing, so the registry cannot be its source), the checkers' fault names and undo
// pairing (checkers/fault-names.ts), and the CLI's help. Plus each family's conflicts on its own.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { FAULT_NAMES, FAULTS_PROPER, UNDO_OF } from "../../checkers/fault-names.ts";
import { FAULT_VOCABULARY } from "../../checkers/fault-vocabulary.ts";
import { bounceFamily } from "../../harness/nemesis/families/bounce.ts";
import { FAMILIES, familyOf } from "../../harness/nemesis/families/index.ts";
import { linkFamily } from "../../harness/nemesis/families/link.ts";
import { networkFamily } from "../../harness/nemesis/families/network.ts";
import { pauseFamily } from "../../harness/nemesis/families/pause.ts";
import { processFamily } from "../../harness/nemesis/families/process.ts";
import { FaultState } from "../../harness/nemesis/fault-state.ts";
import { FAULT_KINDS, faultKindsHelp } from "../../harness/spec/fault-kinds.ts";

describe("fault families", () => {
  it("generate exactly the spec's fault kinds, each in one family, in the spec's order", () => {
    expect(FAMILIES.flatMap((f) => f.kinds)).toEqual([...FAULT_KINDS]);
  });

  it("act on exactly the checkers' fault names, each in one family", () => {
    const names = FAMILIES.flatMap((f) => [...f.faults]);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...FAULT_NAMES].sort());
    for (const f of FAMILIES) for (const name of f.faults) expect(f.act).toHaveProperty(name);
  });

  it("own each fault's undo: the family that acts on a fault also acts on its undo", () => {
    for (const f of FAULTS_PROPER) {
      const undo = UNDO_OF[f];
      if (undo) expect(familyOf(undo).name).toBe(familyOf(f).name);
    }
  });

  it("are named in the fault vocabulary by the family that acts on each fault", () => {
    for (const f of FAULTS_PROPER) expect(FAULT_VOCABULARY[f].family, f).toBe(familyOf(f).name);
  });

  it("are listed in the README's fault table: one row per fault, with its family, as the vocabulary says", () => {
    const readme = readFileSync(resolve(import.meta.dirname, "../../README.md"), "utf8");
    const table = readme.slice(readme.indexOf("| fault | family |"));
    const rows = table
      .slice(0, table.search(/\n(?!\|)/))
      .split("\n")
      .slice(2)
      .map((r) => r.split("|").map((c) => c.trim()));
    expect(rows.map((r) => [r[1], r[2]])).toEqual(FAULTS_PROPER.map((f) => [`\`${f}\``, FAULT_VOCABULARY[f].family]));
  });

  it("give the --faults help the kinds it always listed", () => {
    expect(faultKindsHelp()).toBe(
      "comma-separated fault kinds: kill,stop,pause,partition,isolate,halves,ring,cut-from-brokers,cut-from-zookeeper,zk,bounce,packet-loss,slow-link,clock-bump,clock-strobe,corrupt-segment,disk-full,log-dir-failure,reassign,elect-leaders,shrink-replicas,add-broker,decommission-broker,power-loss (KRaft: isolate-controller,cut-from-quorum instead of cut-from-zookeeper,zk)",
    );
  });
});

describe("what the families have in force", () => {
  it("is one line per fault, family by family, for the run's progress lines", () => {
    const s = new FaultState();
    s.setProcess(["kafka1"], "kill");
    s.setProcess(["zk2"], "pause");
    s.setPartition({ kafka2: ["kafka3"], kafka3: ["kafka2"] });
    s.setLink(["kafka3"], "packet-loss");
    s.setDisk(["kafka2"], "disk-full");
    const lines = FAMILIES.flatMap((f) => f.inForce?.(s) ?? []);
    expect(lines).toEqual(["kafka1 kill", "zk2 paused", expect.stringMatching(/^partition /), "kafka3 packet-loss", "kafka2 disk-full"]);
    expect(FAMILIES.flatMap((f) => f.inForce?.(new FaultState()) ?? [])).toEqual([]);
  });
});

describe("family conflicts with what is in force", () => {
  const state = () => {
    const s = new FaultState();
    s.setProcess(["kafka1"], "kill");
    s.setPartition({ kafka2: ["kafka3"], kafka3: ["kafka2"] });
    return s;
  };

  it("process: a downed node is busy, a partitioned one may still be killed (its rules go with its namespace)", () => {
    expect(processFamily.conflict!(state(), ["kafka1"])).toBe("kafka1 is under kill");
    expect(processFamily.conflict!(state(), ["kafka2"])).toBeUndefined();
  });

  it("pause: neither a downed nor a partitioned node (its rules would outlive the heal)", () => {
    expect(pauseFamily.conflict!(state(), ["kafka1", "kafka2"])).toBe("kafka1 is under kill; kafka2 is under partition");
    expect(pauseFamily.conflict!(new FaultState(), ["kafka2"])).toBeUndefined();
  });

  it("network: one partition at a time, and never over a downed node", () => {
    expect(networkFamily.conflict!(state(), [])).toMatch(/already in force/);
    const s = new FaultState();
    s.setProcess(["kafka1"], "pause");
    expect(networkFamily.conflict!(s, ["kafka1", "kafka2"])).toBe("kafka1 is under pause");
    expect(networkFamily.conflict!(s, ["kafka2"])).toBeUndefined();
  });

  it("bounce: only with nothing in force (a link fault too: its restarts would wipe the rules)", () => {
    expect(bounceFamily.conflict!(state(), [])).toBe("faults in force on kafka1, kafka2, kafka3");
    expect(bounceFamily.conflict!(new FaultState(), [])).toBeUndefined();
    const s = new FaultState();
    s.setLink(["kafka2"], "slow-link");
    expect(bounceFamily.conflict!(s, [])).toBe("faults in force on kafka2");
  });

  it("link: one link fault per node, none on a downed node; a partitioned one may get one (different chain)", () => {
    const s = state();
    s.setLink(["kafka3"], "packet-loss");
    expect(linkFamily.conflict!(s, ["kafka1", "kafka2", "kafka3"])).toBe(
      "kafka1 is under kill; kafka3 is under packet-loss (restore-link first)",
    );
    expect(linkFamily.conflict!(s, ["kafka2"])).toBeUndefined();
    // And pause, which cannot be undone by restore-link's reach, keeps off a node with a bad link.
    const lossy = new FaultState();
    lossy.setLink(["kafka3"], "packet-loss");
    expect(pauseFamily.conflict!(lossy, ["kafka3"])).toBe("kafka3 is under packet-loss");
  });
});
