// One clock on the page: from the workload's start, the run's phases from the history's markers,
// and the faults at a glance beside the verdict.
import { describe, expect, it } from "vitest";
import { check } from "../../checkers/index.ts";
import { pageClock } from "../../reports/clock.ts";
import { faultTimeline } from "../../reports/faults.ts";
import { runPhases } from "../../reports/phases.ts";
import { faultsSummary } from "../../reports/verdict.ts";
import { generateHistory } from "../fixtures/reports/generate.ts";

const kill = { f: "kill" as const, at: 4, duration: 3, targets: ["kafka2"], leaderOf: "t-0" };

describe("the page's clock", () => {
  it("counts from the workload marker, whatever came before it on the history's clock", () => {
    const h = generateHistory({ seconds: 10, faults: [kill], markers: true, offsetSeconds: 33 });
    const clock = pageClock(h);
    expect(clock).toEqual({ originNs: 33e9, source: "workload" });
    const band = faultTimeline(h, h.at(-1)!.time, clock.originNs).bands[0]!;
    expect(band.from).toBeCloseTo(4, 6);
    expect(band.to).toBeCloseTo(7.9, 6);
  });

  it("counts from the first op in a history without markers", () => {
    const h = generateHistory({ seconds: 5 });
    expect(pageClock(h)).toEqual({ originNs: h[0]!.time, source: "first-op" });
  });
});

describe("runPhases", () => {
  it("labels workload, heal, resync and final reads from the markers and the heal's heal-all", () => {
    const h = generateHistory({ seconds: 10, faults: [kill], markers: true, offsetSeconds: 33 });
    const phases = runPhases(h, pageClock(h), h.at(-1)!.time);
    expect(phases.map((p) => p.name)).toEqual(["workload", "heal", "resync", "final reads"]);
    expect(phases.map((p) => [p.from, p.to]).slice(0, 3)).toEqual([
      [0, 10],
      [10.1, 10.5],
      [10.5, 15.999],
    ]);
    expect(phases[3]!.from).toBe(15.999);
    expect(phases.every((p, i) => i === 0 || p.from >= phases[i - 1]!.to)).toBe(true);
  });

  it("leaves a phase open when the history ends inside it, and shows nothing without markers", () => {
    const h = generateHistory({ seconds: 10, markers: true });
    const cut = h.filter((op) => !(op.process === "harness" && op.f === "final-reads" && op.type !== "invoke"));
    expect(runPhases(cut, pageClock(cut), cut.at(-1)!.time).at(-1)).toMatchObject({ name: "final reads", open: true });
    const bare = generateHistory({ seconds: 5 });
    expect(runPhases(bare, pageClock(bare), bare.at(-1)!.time)).toEqual([]);
  });
});

describe("faultsSummary", () => {
  it("shows applied, effective, refused and uncertain with the applied per kind", () => {
    const h = generateHistory({ seconds: 10, faults: [kill], markers: true });
    const html = faultsSummary(check(h).faults);
    expect(html).toContain('data-applied="1"');
    expect(html).toMatch(/data-count="refused"[^>]*><b>0<\/b>/);
    expect(html).toContain('data-kind="kill"');
  });

  it("says effective was not counted for results stored before it was (no made-up zero)", () => {
    const old = { applied: 2, refused: 1, uncertain: 0, byKind: { kill: { applied: 2, refused: 1, uncertain: 0 } } };
    const html = faultsSummary(old as never);
    expect(html).not.toContain("data-effective");
    expect(html).toMatch(/data-count="effective" title="not counted[^"]*"><b>–<\/b>/);
    expect(html).not.toContain("effective</li>");
  });
});
