// The detection bench's settings from the command line: --time-limit and --rate override every
// scenario's workload (its own spec's too, not only the suite defaults), and detections per minute.
import { describe, expect, it } from "vitest";
import {
  benchRun,
  chosen,
  detectionsPerMinute,
  lossRangeCell,
  recoverySeconds,
  runLossCell,
  withCluster,
  withWorkload,
  workloadOverride,
} from "../../bench/detection.ts";
import type { History } from "../../checkers/index.ts";
import type { SharedClusters } from "../../harness/run/shared-cluster.ts";
import type { ClusterSpec } from "../../harness/spec/cluster.ts";
import { parseSuite, scenarioSpec } from "../../harness/suite/suite-file.ts";

const suite = parseSuite(
  {
    name: "s",
    defaults: { workload: { timeLimitSeconds: 30, rate: 80 } },
    scenarios: [
      { name: "plain" },
      { name: "own", spec: { workload: { timeLimitSeconds: 45, rate: 150, producers: 2 } } },
      {
        name: "scheduled",
        spec: { faults: { schedule: [{ at: 5000, duration: 20000, fault: "kill", targets: { kind: "controller" } }] } },
      },
    ],
  },
  "inline",
);
const flags = (args: Record<string, string>) => (name: string) => args[name];

describe("detection bench settings", () => {
  it("--time-limit and --rate win over the defaults and a scenario's own workload; the rest stays", () => {
    const o = workloadOverride(flags({ "--time-limit": "25", "--rate": "200" }));
    const s = withWorkload(suite, o);
    for (const i of [0, 1, 2]) {
      const w = scenarioSpec(s, i, 1).workload;
      expect([w.timeLimitSeconds, w.rate]).toEqual([25, 200]);
    }
    expect(scenarioSpec(s, 1, 1).workload.producers).toBe(2);
  });

  it("one of them alone leaves the other as the suite has it; none leaves the suite as it is", () => {
    const s = withWorkload(suite, workloadOverride(flags({ "--rate": "120" })));
    expect([scenarioSpec(s, 1, 1).workload.timeLimitSeconds, scenarioSpec(s, 1, 1).workload.rate]).toEqual([45, 120]);
    expect(withWorkload(suite, workloadOverride(flags({})))).toBe(suite);
  });

  it("a time limit the scenario's fault schedule does not fit in is refused, as in the suite file", () => {
    const s = withWorkload(suite, { timeLimitSeconds: 20 });
    expect(() => scenarioSpec(s, 2, 1)).toThrow(/after the workload's 20 s/);
  });

  it("refuses a value that is not a positive number", () => {
    expect(() => workloadOverride(flags({ "--time-limit": "abc" }))).toThrow(/--time-limit/);
    expect(() => workloadOverride(flags({ "--rate": "0" }))).toThrow(/--rate/);
  });

  it("detections per minute: found runs over the runs' wall minutes", () => {
    expect(detectionsPerMinute(3, [30_000, 30_000, 60_000])).toBe(1.5);
    expect(detectionsPerMinute(0, [])).toBeUndefined();
  });

  it("--cluster lays its fields over every scenario's cluster spec, the rest as the suite has it", () => {
    const s = withCluster(suite, { controllerSocketTimeoutMs: 30_000 });
    for (const i of [0, 1, 2]) expect(scenarioSpec(s, i, 1).cluster.controllerSocketTimeoutMs).toBe(30_000);
    expect(scenarioSpec(s, 0, 1).cluster.replicaLagTimeMaxMs).toBe(scenarioSpec(suite, 0, 1).cluster.replicaLagTimeMaxMs);
    expect(withCluster(suite, undefined)).toBe(suite);
  });

  it("--only picks a scenario by its suite name, each per-client run of it, or one by its full name", () => {
    expect(chosen("acks1-leader-isolated", "acks1-leader-isolated.kafkajs")).toBe(true);
    expect(chosen("acks1-leader-isolated.kafkajs", "acks1-leader-isolated.kafkajs")).toBe(true);
    expect(chosen("acks1-leader-isolated.kafkajs", "acks1-leader-isolated.platformatic")).toBe(false);
    expect(chosen("acks1-leader", "acks1-leader-isolated")).toBe(false);
  });
});

describe("recovery seconds", () => {
  const op = (index: number, process: string | number, type: string, f: string, s: number) =>
    ({ index, time: s * 1e9, process, type, f, value: null }) as unknown as History[number];

  it("from the workload's end marker to the final reads' invocation: heal and the wait in sync", () => {
    const h = [
      op(0, "harness", "invoke", "workload", 0),
      op(1, 0, "ok", "send", 1),
      op(2, "harness", "ok", "workload", 40),
      op(3, "nemesis", "invoke", "heal-all", 40.1),
      op(4, "harness", "invoke", "final-reads", 68.15),
      op(5, "harness", "ok", "final-reads", 69),
    ];
    expect(recoverySeconds(h)).toBe(28.2);
  });

  it("a cut-short workload (info) counts; no final reads, no figure", () => {
    const cut = [
      op(0, "harness", "invoke", "workload", 0),
      op(1, "harness", "info", "workload", 10),
      op(2, "harness", "invoke", "final-reads", 12.5),
    ];
    expect(recoverySeconds(cut)).toBe(2.5);
    expect(recoverySeconds(cut.slice(0, 2))).toBeUndefined();
  });
});

describe("lost counts", () => {
  it("one run: lost of acknowledged, and the writes not decided when the final reads did not complete", () => {
    expect(runLossCell({ lost: 30, acknowledged: 1142, undecided: 0 })).toBe("30/1,142");
    expect(runLossCell({ lost: 0, acknowledged: 2100, undecided: 4 })).toBe("0/2,100 +4 undecided");
  });

  it("the runs: median and range of the lost counts, in any order; none, a dash", () => {
    expect(lossRangeCell([{ lost: 46 }, { lost: 0 }, { lost: 30 }, { lost: 3 }, { lost: 0 }])).toBe("3 (0-46)");
    expect(lossRangeCell([{ lost: 10 }, { lost: 3 }])).toBe("6.5 (3-10)");
    expect(lossRangeCell([])).toBe("-");
  });
});

describe("a bench run's cluster", () => {
  const disk = parseSuite(
    {
      name: "d",
      defaults: { workload: { timeLimitSeconds: 30 } },
      scenarios: [
        {
          name: "ldf",
          spec: { faults: { schedule: [{ at: 5000, duration: 8000, fault: "log-dir-failure", targets: { kind: "leader", of: "t-0" } }] } },
        },
        {
          name: "kill",
          spec: { faults: { schedule: [{ at: 5000, duration: 8000, fault: "kill", targets: { kind: "leader", of: "t-0" } }] } },
        },
      ],
    },
    "inline",
  );
  const leased = async (index: number) => {
    const specs: ClusterSpec[] = [];
    let released = 0;
    const clusters: SharedClusters = {
      lease: async (spec) => {
        specs.push(spec);
        return { cluster: undefined, release: () => released++ };
      },
      stop: async () => {},
    };
    const { out } = await benchRun(clusters, scenarioSpec(disk, index, 1), async () => "ran");
    expect([out, released]).toEqual(["ran", 1]);
    return specs[0]!;
  };

  it("has the disk layer when the run's faults fail a disk (as a suite leases it), and not otherwise", async () => {
    expect((await leased(0)).faultfs).toBe(true);
    expect((await leased(1)).faultfs).toBeFalsy();
  });
});
