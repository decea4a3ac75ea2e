// The header and the index name the faults the history shows applied, whether the spec planned
// kinds or an explicit schedule; planned ones only when there are no results.
import { describe, expect, it } from "vitest";
import type { FaultCounts } from "../../checkers/faults.ts";
import { faultChips } from "../../reports/fault-chips.ts";
import { renderIndex } from "../../reports/index-page.ts";
import { runChips } from "../../reports/verdict.ts";

const counts = (byKind: FaultCounts["byKind"]): FaultCounts => {
  const total = { applied: 0, effective: 0, refused: 0, uncertain: 0 };
  for (const c of Object.values(byKind)) for (const k of ["applied", "effective", "refused", "uncertain"] as const) total[k] += c[k];
  return { ...total, byKind };
};
// The 2013 scenario: an explicit schedule, no kinds.
const schedule = {
  kinds: [],
  schedule: [{ at: 1000, duration: 9000, fault: "partition", shape: "cut-from-brokers", targets: "controller" }],
};

describe("fault chips", () => {
  it("name the applied faults of an explicit schedule, not 'no faults'", () => {
    const applied = counts({
      partition: { applied: 1, effective: 1, refused: 0, uncertain: 0 },
      kill: { applied: 1, effective: 0, refused: 0, uncertain: 0 },
    });
    expect(faultChips(schedule, applied)).toEqual(["partition ×1 (1 effective)", "kill ×1 (0 effective)"]);
    expect(runChips({ faults: schedule }, applied)).toContain("faults: partition ×1 (1 effective), kill ×1 (0 effective)");
  });

  it("say when planned faults were never applied, and when none were planned", () => {
    expect(faultChips({ kinds: ["kill"] }, counts({ kill: { applied: 0, effective: 0, refused: 2, uncertain: 0 } }))).toEqual([
      "none applied (planned: kill)",
    ]);
    expect(faultChips({ kinds: [] }, counts({}))).toEqual(["no faults"]);
    expect(faultChips(schedule, undefined)).toEqual(["partition (planned)"]);
    expect(faultChips(undefined, undefined)).toEqual([]);
  });

  it("put the applied faults in the index, where the filter finds them", () => {
    const html = renderIndex([
      {
        test: "acks-all-minisr1-unclean-2013",
        path: "t/1",
        when: 0,
        spec: { faults: schedule },
        config: {},
        valid: true,
        anomalies: [],
        faults: counts({ partition: { applied: 1, effective: 1, refused: 0, uncertain: 0 } }),
        hasReport: true,
      },
    ]);
    expect(html).toContain(`<span class="chip">partition ×1 (1 effective)</span>`);
    expect(html).not.toContain("no faults");
  });
});
