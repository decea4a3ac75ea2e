// The fault families against the lists others read: the spec's kinds (spec/fault-kinds.ts, which
// may import nothing, so the registry cannot be its source), the checkers' fault names and undo
// pairing (checkers/fault-names.ts), and the CLI's help. Plus each family's conflicts on its own.
import { describe, expect, it } from "vitest";
import { FAULT_NAMES, FAULTS_PROPER, UNDO_OF } from "../../checkers/fault-names.ts";
import { bounceFamily } from "../../harness/nemesis/families/bounce.ts";
import { FAMILIES, familyOf } from "../../harness/nemesis/families/index.ts";
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

  it("give the --faults help the kinds it always listed", () => {
    expect(faultKindsHelp()).toBe(
      "comma-separated fault kinds: kill,stop,pause,partition,isolate,halves,ring,cut-from-brokers,cut-from-zookeeper,zk,bounce,corrupt-segment,disk-full,log-dir-failure (KRaft: isolate-controller,cut-from-quorum instead of cut-from-zookeeper,zk)",
    );
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

  it("bounce: only with nothing in force", () => {
    expect(bounceFamily.conflict!(state(), [])).toBe("faults in force on kafka1, kafka2, kafka3");
    expect(bounceFamily.conflict!(new FaultState(), [])).toBeUndefined();
  });
});
