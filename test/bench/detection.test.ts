// The detection bench's settings from the command line: --time-limit and --rate override every
// scenario's workload (its own spec's too, not only the suite defaults), and detections per minute.
import { describe, expect, it } from "vitest";
import { detectionsPerMinute, withWorkload, workloadOverride } from "../../bench/detection.ts";
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
});
