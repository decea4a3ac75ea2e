// The group checker (checkers/groups.ts) on generated consumer-group histories: a correct group
// shows no forbidden anomaly; each injected anomaly (a record skipped below a commit, a start
// below or above the group's commit) is found with the right evidence; poll order is judged
// within each assignment.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CheckConfig,
  check,
  checkHistoryFile,
  explainFinding,
  formatHistory,
  type History,
  lossSentence,
  lossState,
  type Op,
} from "../../checkers/index.ts";
import { GROUP, type GroupModel, groupModelArb } from "./group-model.ts";
import { findingsOf } from "./mutation-kit.ts";

const AFTER: CheckConfig = { commit: "after-sync", consumerMode: "subscribe" };
const pollsOf = (op: Op) => (op.value as [string, Record<string, [number, unknown][]>][])[0]![1];

describe("group checker: correct histories", () => {
  it("a group that commits after processing shows no forbidden anomaly; redelivery after a crash is permitted", () => {
    fc.assert(
      fc.property(groupModelArb, (m) => {
        const r = check(m.history, AFTER);
        for (const t of r.anomalyTypes)
          expect(["group-duplicate"], `unexpected ${t}: ${JSON.stringify(r.anomalies[t]!.examples[0])}`).toContain(t);
        expect(r.forbidden).toEqual([]);
        if (r.anomalies["group-duplicate"]) expect(r.anomalies["group-duplicate"].forbidden).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("a group run none of whose commits was acknowledged shows nothing about the group: unknown, not valid", () => {
    const h = constructed((x) => {
      x.assign(1, ["k-0"]);
      x.poll(1, "k-0", [[0, 10]]);
      x.commit(1, { "k-0": 1 }, "info");
    });
    const r = check(h, AFTER);
    expect(r.valid).toBe("unknown");
    expect(r.unknownReason).toMatch(/no offset commit of the consumer group was acknowledged/);
    expect(r.exercised!.group).toEqual({
      members: 2,
      handoffs: 0,
      assignments: 1,
      commits: { ok: 0, fail: 0, unknown: 1, auto: 0 },
      crashes: 0,
      gaveUp: 0,
      leaves: 0,
    });
    const committed = constructed((x) => {
      x.assign(1, ["k-0"]);
      x.poll(1, "k-0", [[0, 10]]);
      x.commit(1, { "k-0": 1 }, "ok");
      x.crash(1);
      x.assign(2, ["k-0"]);
    });
    const c = check(committed, AFTER);
    expect(c.valid).toBe(true);
    expect(c.exercised!.group).toMatchObject({ handoffs: 1, crashes: 1, gaveUp: 0, commits: { ok: 1 } });
    // A member whose library gave up (crash "client") is not a crash the harness caused.
    const gaveUp = constructed((x) => {
      x.assign(1, ["k-0"]);
      x.poll(1, "k-0", [[0, 10]]);
      x.commit(1, { "k-0": 1 }, "ok");
      x.crash(1, "client");
      x.assign(2, ["k-0"]);
    });
    expect(check(gaveUp, AFTER).exercised!.group).toMatchObject({ handoffs: 1, crashes: 0, gaveUp: 1 });
  });

  it("the file check (with its fast path for ok polls) judges a group history as check() does", () => {
    const dir = mkdtempSync(join(tmpdir(), "kh-groups-"));
    fc.assert(
      fc.asyncProperty(groupModelArb, async (m) => {
        const path = join(dir, "history.jsonl");
        writeFileSync(path, formatHistory(m.history));
        const a = check(m.history, AFTER);
        const b = await checkHistoryFile(path, AFTER);
        expect(b.anomalies).toEqual(a.anomalies);
      }),
      { numRuns: 40 },
    );
  });
});

describe("group checker: injected anomalies are found with their evidence", () => {
  it("group-loss: a record below an acknowledged commit that no member polled", () => {
    const cases = groupModelArb
      .map((m) => ({ m, c: lossCandidates(m) }))
      .filter(({ c }) => c.length > 0)
      .chain(({ m, c }) => fc.record({ m: fc.constant(m), pick: fc.constantFrom(...c) }));
    fc.assert(
      fc.property(cases, ({ m, pick }) => {
        const h = structuredClone(m.history);
        // Gone from every member's polls; the final reads still return it.
        for (const p of m.polls) {
          if (p.key !== pick.key) continue;
          const res = pollsOf(h[p.pos]!);
          res[p.key] = res[p.key]!.filter(([o]) => o !== pick.offset);
        }
        const r = check(h, AFTER);
        expect(r.valid).toBe(false);
        expect(r.forbidden).toContain("group-loss");
        for (const t of r.anomalyTypes) expect(["group-loss", "group-duplicate", "group-jump", "poll-skip", "int-poll-skip"]).toContain(t);
        const value = m.logs[m.keys.indexOf(pick.key)]![pick.offset];
        findingsOf(
          r,
          "group-loss",
          (f) => f.key === pick.key && f.offset === pick.offset && f.value === value && (f.commit as number) > pick.offset,
        );
        for (const f of r.anomalies["group-loss"]!.examples) expect(explainFinding(f)).toMatch(/no member of the group ever polled it/);
      }),
      { numRuns: 200 },
    );
  });

  it("group-loss is permitted, and said, under commit before processing and auto-commit", () => {
    const h = constructed((x) => {
      x.assign(1, ["k-0"]);
      x.poll(1, "k-0", [[0, 10]]);
      x.commit(1, { "k-0": 3 }, "ok");
      x.crash(1);
    });
    for (const commit of ["before", "auto"] as const) {
      const r = check(h, { commit });
      expect(r.anomalies["group-loss"]!.count).toBe(2);
      expect(r.anomalies["group-loss"]!.forbidden).toBe(false);
      expect(r.anomalies["group-loss"]!.reason).toMatch(/at-most-once/);
      expect(r.valid).toBe(true);
      // Said at the top, though the run is valid: what the group skipped, and the rule permitting it.
      expect(r.loss!.group).toEqual({ skipped: 2, permitted: true, reason: r.guarantees["group-loss"].reason });
      expect(lossSentence(r.loss!)).toMatch(
        /2 records skipped by a consumer group \(committed past, never read by a member\), permitted by commit before processing|permitted by auto-commit/,
      );
      expect(lossState(r.valid, r.loss)).toBe("permitted-loss");
    }
    expect(check(h, AFTER).forbidden).toEqual(["group-loss"]);
    expect(lossSentence(check(h, AFTER).loss!)).toMatch(
      /2 records skipped by a consumer group .*, forbidden \(commit after processing \(at-least-once\)\)/,
    );
  });

  it("group-rewind: a member handed a key starts below the group's last acknowledged commit", () => {
    const cases = groupModelArb
      .map((m) => ({ m, c: rewindCandidates(m) }))
      .filter(({ c }) => c.length > 0)
      .chain(({ m, c }) => fc.record({ m: fc.constant(m), pick: fc.constantFrom(...c) }));
    fc.assert(
      fc.property(cases, ({ m, pick }) => {
        const h = structuredClone(m.history);
        const k = m.keys.indexOf(pick.key);
        // The first poll of the span starts one record lower.
        pollsOf(h[pick.poll]!)[pick.key]!.unshift([pick.offset - 1, m.logs[k]![pick.offset - 1]!]);
        const r = check(h, AFTER);
        expect(r.forbidden).toContain("group-rewind");
        for (const t of r.anomalyTypes) expect(["group-rewind", "group-duplicate"]).toContain(t);
        findingsOf(
          r,
          "group-rewind",
          (f) =>
            f.key === pick.key &&
            f.member === pick.member &&
            f.start === pick.offset - 1 &&
            f.commit === pick.offset &&
            f.ops.includes(pick.assigned),
        );
      }),
      { numRuns: 200 },
    );
  });

  it("group-rewind is not claimed where an unknown commit may have set the start", () => {
    const h = constructed((x) => {
      x.assign(1, ["k-0"]);
      x.poll(1, "k-0", [[0, 10]]);
      x.commit(1, { "k-0": 1 }, "info");
      x.poll(1, "k-0", [[1, 11]]);
      x.commit(1, { "k-0": 2 }, "ok");
      x.crash(1);
      x.assign(2, ["k-0"]);
      x.poll(2, "k-0", [[1, 11]]);
    });
    const r = check(h, AFTER);
    expect(r.anomalyTypes).not.toContain("group-rewind");
    // With no acknowledged commit before it, an unknown one may have failed: a start at 0 is no rewind.
    const unknownOnly = constructed((x) => {
      x.assign(1, ["k-0"]);
      x.poll(1, "k-0", [[0, 10]]);
      x.commit(1, { "k-0": 1 }, "info");
      x.crash(1);
      x.assign(2, ["k-0"]);
      x.poll(2, "k-0", [[0, 10]]);
    });
    expect(check(unknownOnly, AFTER).anomalyTypes).toEqual(["group-duplicate"]);
    // Without the unknown commit, the same start is a rewind.
    const plain = h.filter((op) => !(op.f === "commit" && op.seq === 0));
    expect(check(plain, AFTER).anomalies["group-rewind"]?.count).toBe(1);
  });

  it("a process that commits for a group without subscribing (a copier assigned its partitions) reads for the group", () => {
    const h = constructed((x) => {
      x.poll(3, "k-0", [
        [0, 10],
        [1, 11],
        [2, 12],
      ]);
      x.commit(3, { "k-0": 3 }, "ok");
    });
    const r = check(h, AFTER);
    expect(r.anomalyTypes).toEqual([]);
    // Its reads must still cover its commits: one it never read is group loss.
    const skipped = constructed((x) => {
      x.poll(3, "k-0", [[0, 10]]);
      x.commit(3, { "k-0": 3 }, "ok");
    });
    expect(check(skipped, AFTER).anomalies["group-loss"]?.count).toBe(2);
  });

  it("group-jump: a member handed a key starts above the group's commit, past records no member read", () => {
    const h = constructed((x) => {
      x.assign(1, ["k-0"]);
      x.poll(1, "k-0", [[0, 10]]);
      x.commit(1, { "k-0": 1 }, "ok");
      x.crash(1);
      x.assign(2, ["k-0"]);
      x.poll(2, "k-0", [[3, 13]]);
    });
    const r = check(h, AFTER);
    expect(r.forbidden).toEqual(["group-jump"]);
    findingsOf(r, "group-jump", (f) => f.start === 3 && f.commit === 1 && f.skipped === 2 && f.member === 2);
    // Under acks=1 a truncated log moves a member's position: permitted, with the reason.
    expect(check(h, { ...AFTER, acks: 1 }).anomalies["group-jump"]!.forbidden).toBe(false);
  });

  it("poll order is judged within an assignment: a skip inside one is forbidden, a new start after a rebalance is not a skip", () => {
    const inside = constructed((x) => {
      x.assign(1, ["k-0"]);
      x.poll(1, "k-0", [[0, 10]]);
      x.poll(1, "k-0", [[2, 12]]);
      x.poll(1, "k-0", [
        [1, 11],
        [2, 12],
        [3, 13],
      ]);
    });
    const r = check(inside, AFTER);
    expect(r.forbidden).toEqual(expect.arrayContaining(["poll-skip", "nonmonotonic-poll"]));
    // The same reads, with the key revoked and handed back (from the commit) between them.
    // The member read two records and committed one: handed the key back, it reads the second again.
    const across = constructed((x) => {
      x.assign(1, ["k-0"]);
      x.poll(1, "k-0", [
        [0, 10],
        [1, 11],
      ]);
      x.commit(1, { "k-0": 1 }, "ok");
      x.revoke(1, ["k-0"]);
      x.assign(1, ["k-0"]);
      x.poll(1, "k-0", [
        [1, 11],
        [2, 12],
      ]);
    });
    expect(check(across, AFTER).anomalyTypes).toEqual(["group-duplicate"]);
    // Without the group workload's assignments, subscribe still permits both.
    expect(check(inside, { consumerMode: "subscribe" }).forbidden).toEqual([]);
  });

  it("commits are paired by their sequence numbers when a member's async commits overlap", () => {
    const h = constructed((x) => {
      x.assign(1, ["k-0"]);
      x.poll(1, "k-0", [
        [0, 10],
        [1, 11],
      ]);
      x.add({ process: 1, type: "invoke", f: "commit", value: { "k-0": 1 }, group: GROUP, seq: 7 });
      x.add({ process: 1, type: "invoke", f: "commit", value: { "k-0": 2 }, group: GROUP, seq: 8 });
      x.add({ process: 1, type: "fail", f: "commit", value: { "k-0": 2 }, group: GROUP, seq: 8 });
      x.add({ process: 1, type: "ok", f: "commit", value: { "k-0": 1 }, group: GROUP, seq: 7 });
      x.crash(1);
      x.assign(2, ["k-0"]);
      x.poll(2, "k-0", [[0, 10]]);
    });
    // The ok commit is of offset 1 (seq 7), not 2: a start at 0 is below it.
    const r = check(h, AFTER);
    findingsOf(r, "group-rewind", (f) => f.start === 0 && f.commit === 1);
  });
});

/** Records some member polled below an acknowledged commit of their key (so removing them makes a loss). */
function lossCandidates(m: GroupModel): Array<{ key: string; offset: number }> {
  const out: Array<{ key: string; offset: number }> = [];
  for (const key of m.keys) {
    const top = Math.max(0, ...m.commits.filter((c) => c.ok && key in c.offsets).map((c) => c.offsets[key]!));
    for (let o = 0; o < top; o++) out.push({ key, offset: o });
  }
  return out;
}

/** Span starts above 0 whose start is the group's last acknowledged commit, no unknown commit of the
 *  key before it (so a lower start can only be a rewind). */
function rewindCandidates(m: GroupModel) {
  return m.starts.filter((s) => {
    if (s.offset === 0) return false;
    const before = m.history.filter((op) => op.f === "commit" && op.index < s.assigned && op.value && s.key in (op.value as object));
    if (before.some((op) => op.type === "info")) return false;
    const last = m.commits.filter((c) => c.ok && c.pos < s.assigned && s.key in c.offsets).at(-1);
    return last?.offsets[s.key] === s.offset;
  });
}

/** A small group history on key k-0 (values 10.. at offsets 0..3, read whole by the final reads). */
function constructed(build: (x: GroupBuilder) => void): History {
  const x = new GroupBuilder();
  x.add({ process: 0, type: "invoke", f: "send", value: [0, 1, 2, 3].map((o) => ["send", "k-0", 10 + o]) });
  x.add({ process: 0, type: "ok", f: "send", value: [0, 1, 2, 3].map((o) => ["send", "k-0", [o, 10 + o]]) });
  for (const p of [1, 2]) {
    x.add({ process: p, type: "invoke", f: "subscribe", value: ["k-0"], group: GROUP });
    x.add({ process: p, type: "ok", f: "subscribe", value: ["k-0"], group: GROUP });
  }
  build(x);
  x.add({ process: "final", type: "invoke", f: "poll", value: [["poll"]] });
  x.add({ process: "final", type: "ok", f: "poll", value: [["poll", { "k-0": [0, 1, 2, 3].map((o) => [o, 10 + o]) }]] });
  return x.h;
}

class GroupBuilder {
  readonly h: History = [];
  private seq = 0;
  add(op: Omit<Op, "index" | "time">): number {
    this.h.push({ index: this.h.length, time: this.h.length * 1000, ...op } as Op);
    return this.h.length - 1;
  }
  assign(p: number, keys: string[]): number {
    return this.add({ process: p, type: "ok", f: "assigned", value: keys, group: GROUP });
  }
  revoke(p: number, keys: string[]): number {
    return this.add({ process: p, type: "ok", f: "revoked", value: keys, group: GROUP });
  }
  poll(p: number, key: string, recs: [number, number][]): number {
    this.add({ process: p, type: "invoke", f: "poll", value: [["poll"]] });
    return this.add({ process: p, type: "ok", f: "poll", value: [["poll", { [key]: recs }]] });
  }
  commit(p: number, offsets: Record<string, number>, type: "ok" | "fail" | "info"): number {
    const seq = this.seq++;
    this.add({ process: p, type: "invoke", f: "commit", value: offsets, group: GROUP, seq });
    return this.add({ process: p, type, f: "commit", value: offsets, group: GROUP, seq });
  }
  crash(p: number, how: "now" | "client" = "now"): number {
    return this.add({ process: p, type: "info", f: "crash", value: how, group: GROUP });
  }
}
