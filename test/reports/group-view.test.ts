// The group view's data (reports/group-view.ts) on generated consumer-group histories: the spans
// are exactly the assigned → revoked / crash / leave intervals, the counts are the history's, the
// rebalances cover every change of the assignment and end with every key owned; the page shows the
// section only for group histories, with the commits beside the records of the key logs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { groupTraceOf } from "../../checkers/group-trace.ts";
import { check, type History, type Op } from "../../checkers/index.ts";
import { pageClock } from "../../reports/clock.ts";
import { commitMarks, type GroupOf, groupView, hasGroups } from "../../reports/group-view.ts";
import { renderReport } from "../../reports/index.ts";
import { timeSpan } from "../../reports/timeline.ts";
import { buildGroupModel, GROUP, groupModelArb } from "../checkers/group-model.ts";
import { groupSample } from "../fixtures/reports/group-sample.ts";

const viewOf = (h: History) => {
  const clock = pageClock(h);
  return groupView(h, clock, timeSpan(h).end);
};
const keysOf = (op: Op) => (op.value as unknown[]).map(String);

/** The spans the history says, found the plain way: from each assigned key to the member's next op
 *  that revokes it, hands it again, or ends the member. */
function expectedSpans(h: History): Array<[number, number, string, number]> {
  const out: Array<[number, number, string, number]> = [];
  h.forEach((op, i) => {
    if (op.f !== "assigned") return;
    for (const k of keysOf(op)) {
      const end = h.findIndex(
        (x, j) =>
          j > i &&
          x.process === op.process &&
          ((x.f === "revoked" && keysOf(x).includes(k)) ||
            (x.f === "assigned" && keysOf(x).includes(k)) ||
            x.f === "crash" ||
            (x.f === "leave" && x.type !== "invoke")),
      );
      out.push([i, end, k, op.process as number]);
    }
  });
  return out.sort((a, b) => a[0] - b[0] || a[2].localeCompare(b[2]));
}

const spansOf = (g: GroupOf): Array<[number, number, string, number]> =>
  g.spans
    .map((s) => [s.index, s.endIndex, g.keys[s.key]!, Number(g.members[s.member]!.name.slice(1))] as [number, number, string, number])
    .sort((a, b) => a[0] - b[0] || a[2].localeCompare(b[2]));

describe("group view: data", () => {
  it("spans cover exactly the assigned → revoked / crash / leave intervals; counts match the history", () => {
    fc.assert(
      fc.property(groupModelArb, (m) => {
        const v = viewOf(m.history);
        expect(v.groups.map((g) => g.name)).toEqual([GROUP]);
        const g = v.groups[0]!;
        expect(spansOf(g)).toEqual(expectedSpans(m.history));
        // Each span runs from its assignment's time to its end's (or the history's end).
        const end = (m.history.at(-1)!.time - m.history[0]!.time) / 1e9;
        for (const s of g.spans) {
          // The view rounds times to 0.1 ms (round(…, 4)): a rounding of up to 5e-5 s, which toBeCloseTo(…, 4) only just allows.
          expect(s.from).toBeCloseTo(m.history[s.index]!.time / 1e9 - m.history[0]!.time / 1e9, 3);
          expect(s.to).toBeCloseTo(s.endIndex < 0 ? end : (m.history[s.endIndex]!.time - m.history[0]!.time) / 1e9, 3);
          expect(s.end).toBe(
            s.endIndex < 0
              ? "open"
              : ({ revoked: "revoked", crash: "crash", assigned: "reassigned" } as Record<string, string>)[m.history[s.endIndex]!.f],
          );
        }
        const count = (f: string, type?: string) => m.history.filter((op) => op.f === f && (type === undefined || op.type === type)).length;
        expect(g.commits).toEqual({
          ok: count("commit", "ok"),
          fail: count("commit", "fail"),
          info: count("commit", "info"),
          unfinished: 0,
          auto: 0,
        });
        expect(g.counts.crashes).toBe(count("crash"));
        expect(g.counts.joins).toBe(count("subscribe", "ok"));
        expect(g.members.length).toBe(count("subscribe", "ok"));
        expect(g.members.filter((l) => l.end === "crash").length).toBe(count("crash"));
        expect(g.memberCommits.reduce((a, c) => a + c.ok, 0)).toBe(g.commits.ok);
      }),
      { numRuns: 200 },
    );
  });

  it("rebalances: disjoint, in order, covering every change of the assignment, each ending with every key owned", () => {
    fc.assert(
      fc.property(groupModelArb, (m) => {
        const g = viewOf(m.history).groups[0]!;
        const rs = g.rebalances;
        for (let j = 1; j < rs.length; j++) expect(rs[j]!.index).toBeGreaterThan(rs[j - 1]!.endIndex);
        const inside = (i: number) => rs.some((r) => r.index <= i && i <= r.endIndex);
        // Every assignment and revocation lies in a rebalance; so does a crash of a member holding
        // keys, unless it ended the group (no member in it from there to the end).
        const over = (i: number) =>
          g.members.every((_, j) => g.events.some((e) => e.member === j && (e.kind === "crash" || e.kind === "leave") && e.index <= i));
        m.history.forEach((op, i) => {
          if (op.f === "assigned" || op.f === "revoked") expect(inside(i), `op ${i} ${op.f}`).toBe(true);
          if (op.f === "crash" && g.spans.some((s) => s.endIndex === i) && !over(i)) expect(inside(i), `crash ${i}`).toBe(true);
        });
        // At a finished rebalance's end every key has exactly one owner (an eager group), per the spans.
        for (const r of rs.filter((x) => !x.unfinished)) {
          for (let k = 0; k < g.keys.length; k++) {
            const owners = g.spans.filter((s) => s.key === k && s.index <= r.endIndex && (s.endIndex < 0 || s.endIndex > r.endIndex));
            expect(owners.length, `key ${g.keys[k]} after rebalance ending at ${r.endIndex}`).toBe(1);
          }
        }
        // Unfinished only at the end, while some member remains.
        for (const r of rs.slice(0, -1)) expect(r.unfinished).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it("counts the rebalances of a known plan: the start, a join, a crash, a plain one", () => {
    const m = buildGroupModel({
      keys: 2,
      members: 2,
      commands: [
        { kind: "send", key: 0, n: 2 },
        { kind: "poll", member: 0, key: 0, max: 2 },
        { kind: "commit", member: 0, outcome: "ok" },
        { kind: "join" },
        { kind: "crash", member: 1 },
        { kind: "commit", member: 0, outcome: "fail" },
        { kind: "rebalance", seed: 1 },
      ],
    });
    const g = viewOf(m.history).groups[0]!;
    expect(g.rebalances.map((r) => r.unfinished)).toEqual([false, false, false, false]);
    expect(g.counts).toMatchObject({ joins: 3, crashes: 1, leaves: 0, rebalances: 4 });
    expect(g.commits).toMatchObject({ ok: 1, fail: 1 });
    expect(g.members.map((l) => l.end)).toEqual(["open", "crash", "open"]);
  });

  it("leave, stall, lost revocations, auto commits and a group that ends with its members gone", () => {
    let i = 0;
    const op = (process: number, type: Op["type"], f: string, value?: unknown, extra: Record<string, unknown> = {}): Op =>
      ({ index: i, time: 1e9 * i++, process, type, f, value, group: "g", ...extra }) as Op;
    const h: History = [
      op(1, "invoke", "subscribe", ["k-0", "k-1"]),
      op(1, "ok", "subscribe", ["k-0", "k-1"]),
      op(1, "ok", "assigned", ["k-0", "k-1"]), // 2: rebalance 1 (2–2)
      op(1, "invoke", "stall", 500),
      op(1, "ok", "stall", 500),
      op(1, "invoke", "commit", { "k-0": 3 }, { seq: 0, auto: true }),
      op(1, "ok", "commit", { "k-0": 3 }, { seq: 0, auto: true }),
      op(1, "invoke", "commit", { "k-0": 5 }, { seq: 1 }), // 7: never completes
      op(1, "ok", "revoked", ["k-1"], { lost: true }), // 8: rebalance 2 (8–9)
      op(2, "ok", "assigned", ["k-1"]),
      op(1, "invoke", "leave"),
      op(1, "ok", "leave"), // 11: k-0 unowned from here: the end, with p2 left
      op(2, "invoke", "stall", 9000), // 12: never completes
    ];
    const g = viewOf(h).groups[0]!;
    expect(g.keys).toEqual(["k-0", "k-1"]);
    expect(g.spans.map((s) => [g.keys[s.key], g.members[s.member]!.name, s.index, s.endIndex, s.end])).toEqual([
      ["k-0", "p1", 2, 11, "leave"],
      ["k-1", "p1", 2, 8, "lost"],
      ["k-1", "p2", 9, -1, "open"],
    ]);
    expect(g.rebalances.map((r) => [r.index, r.endIndex, r.unfinished])).toEqual([
      [2, 2, false],
      [8, 9, false],
      [11, 11, true],
    ]);
    expect(g.events.map((e) => [e.kind, e.index, e.from, e.to, e.detail])).toEqual([
      ["join", 1, 1, 1, undefined],
      ["stall", 3, 3, 4, "500"],
      ["leave", 11, 11, 11, undefined],
      ["stall", 12, 12, 12, "9000"],
    ]);
    expect(g.commits).toEqual({ ok: 1, fail: 0, info: 0, unfinished: 1, auto: 1 });
    expect(g.members.map((l) => [l.name, l.end])).toEqual([
      ["p1", "leave"],
      ["p2", "open"],
    ]);
    // Once p2 is gone too, the open stretch is the group's end, not a rebalance.
    h.push(op(2, "info", "crash", "now"));
    const after = viewOf(h).groups[0]!;
    expect(after.rebalances.map((r) => r.index)).toEqual([2, 8]);
    expect(after.crashesBy).toEqual({ now: 1 });
    expect(after.events.find((e) => e.kind === "stall" && e.index === 12)?.to).toBe(13);
  });

  it("an empty assignment is no rebalance of its own; within one it extends it", () => {
    let i = 0;
    const op = (process: number, f: string, value: unknown): Op =>
      ({ index: i, time: 1e9 * i++, process, type: "ok", f, value, group: "g" }) as Op;
    const h: History = [
      op(1, "subscribe", ["k"]),
      op(2, "subscribe", ["k"]),
      op(1, "assigned", ["k"]),
      op(2, "assigned", []), // 3: p2 gets nothing, after every key has an owner
      op(1, "revoked", ["k"]), // 4
      op(2, "assigned", ["k"]),
      op(1, "assigned", []), // 6
    ];
    const g = viewOf(h).groups[0]!;
    expect(g.rebalances.map((r) => [r.index, r.endIndex])).toEqual([
      [2, 2],
      [4, 5],
    ]);
    h.splice(6, 1);
    h.splice(5, 0, op(1, "assigned", []));
    h.forEach((o, j) => {
      o.index = j;
      o.time = 1e9 * j;
    });
    expect(viewOf(h).groups[0]!.rebalances.map((r) => [r.index, r.endIndex])).toEqual([
      [2, 2],
      [4, 6],
    ]);
  });

  it("caps spans, events and rebalances over all groups, and says how many were left out", () => {
    const { history } = groupSample({ seed: 3, commands: 3000 });
    const clock = pageClock(history);
    const full = groupView(history, clock, timeSpan(history).end);
    const g = full.groups[0]!;
    expect(full.leftOut).toEqual({ spans: 0, events: 0, rebalances: 0 });
    const cut = groupView(history, clock, timeSpan(history).end, { spans: 10, events: 4, rebalances: 3 });
    const c = cut.groups[0]!;
    expect([c.spans.length, c.events.length, c.rebalances.length]).toEqual([10, 4, 3]);
    expect(cut.leftOut).toEqual({ spans: g.spans.length - 10, events: g.events.length - 4, rebalances: g.rebalances.length - 3 });
    // The counts stay the history's.
    expect(c.counts).toEqual(g.counts);
    expect(c.spans).toEqual(g.spans.slice(0, 10));
  });

  it("commit marks: per key the offsets acknowledged, counted, the highest per group marked", () => {
    fc.assert(
      fc.property(groupModelArb, (m) => {
        const marks = commitMarks(groupTraceOf(m.history));
        for (const key of m.keys) {
          const oks = m.history.filter((op) => op.f === "commit" && op.type === "ok" && key in (op.value as object));
          const list = marks.get(key) ?? [];
          expect(list.reduce((a, x) => a + x.count, 0)).toBe(oks.length);
          const offsets = oks.map((op) => (op.value as Record<string, number>)[key]!);
          expect(list.map((x) => x.offset)).toEqual([...new Set(offsets)].sort((a, b) => a - b));
          expect(list.filter((x) => x.highest).map((x) => x.offset)).toEqual(offsets.length ? [Math.max(...offsets)] : []);
          for (const x of list) expect(m.history[x.op]!.f).toBe("commit");
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe("group view: the page", () => {
  const sample = groupSample({ seed: 7, commands: 400, skip: true });
  const results = check(sample.history, { commit: "after-sync", consumerMode: "subscribe" });
  const html = renderReport({ spec: { name: "group" }, history: sample.history, results });

  it("shows the groups section only for a history with group ops", () => {
    expect(hasGroups(sample.history)).toBe(true);
    expect(html).toContain(`<section id="groups">`);
    expect(html).toMatch(/<a href="#groups">consumer groups \(1\)<\/a>/);
    expect(html).toMatch(/<div id="chart-group-0" class="chart group-chart"/);
    const plain = sample.history.filter((op) => op.group === undefined && !["assigned", "revoked", "crash"].includes(op.f));
    expect(hasGroups(plain)).toBe(false);
    const other = renderReport({ history: plain, results: check(plain) });
    expect(other).not.toContain(`id="groups"`);
    expect(other).not.toContain(`href="#groups"`);
  });

  it("the group's counts, as the view counted them", () => {
    const g = viewOf(sample.history).groups[0]!;
    const p = /<p class="group-counts"[^>]*>/.exec(html)?.[0] ?? "";
    expect(p).toContain(`data-rebalances="${g.counts.rebalances}"`);
    expect(p).toContain(`data-crashes="${g.counts.crashes}"`);
    expect(p).toContain(`data-commits-ok="${g.commits.ok}"`);
    expect(p).toContain(`data-commits-fail="${g.commits.fail}"`);
  });

  it("the key log of a group-loss shows the group's commits beside the records, the highest marked apart", () => {
    expect(results.anomalies["group-loss"]?.count).toBeGreaterThan(0);
    const f = results.anomalies["group-loss"]!.examples[0]! as { key: string; commit: number };
    const log = new RegExp(`<section class="keylog"[^>]*data-key="${f.key}"[\\s\\S]*?</section>`).exec(html)?.[0] ?? "";
    expect(log).not.toBe("");
    expect(log).toMatch(new RegExp(`<div class="commit-mark highest"[^>]*data-offset="${f.commit}"`));
  });

  it("escapes group names and member names", () => {
    const h = sample.history.map((op) => (op.group === undefined ? op : { ...op, group: `<img src=x onerror=alert(1)>` }));
    const page = renderReport({ history: h, results: check(h, { commit: "after-sync", consumerMode: "subscribe" }) });
    expect(page).not.toContain("<img src=x");
    const section = /<section id="groups">[\s\S]*?<\/section>/.exec(page)?.[0] ?? "";
    expect(section).toContain(`<h3>group <code>&lt;img src=x onerror=alert(1)&gt;</code></h3>`);
    expect(page).toMatch(/<div class="commit-mark[^"]*"[^>]*data-group="&lt;img src=x onerror=alert\(1\)&gt;"/);
  });
});
