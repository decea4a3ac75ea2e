// Committed data lost, and what proves a write committed (checkers/loss.ts findCommittedLost,
// checkers/acked.ts): a value some ok read returned was below the high watermark, on every in-sync
// replica, so only unclean election may lose it, whatever acks is; a read proves a commit whatever
// the writer's completion; inside a transaction an offset proves nothing, a read_committed read
// (or the final reads) proves the whole transaction (the atomic rule).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CheckConfig, check, explainFinding, type History, type Op, type Value } from "../../checkers/index.ts";
import { fail, history, info, invoke, ok, pollOk, send, sendOk } from "./helpers.ts";
import { modelArb } from "./model.ts";
import { findingsOf } from "./mutation-kit.ts";
import { txnModelArb } from "./txn-model.ts";

const harness = {
  invoke: (f: string) => invoke("harness", f, null),
  ok: (f: string) => ok("harness", f, null),
};
/** A marked run: the workload, then complete final reads. */
const marked = (workload: ReturnType<typeof invoke>[], finalReads: ReturnType<typeof invoke>[]): History =>
  history(
    harness.invoke("workload"),
    ...workload,
    harness.ok("workload"),
    harness.invoke("final-reads"),
    ...finalReads,
    harness.ok("final-reads"),
  );
const at = (h: History, pred: (op: Op) => boolean) => h.findIndex(pred);

describe("committed-lost", () => {
  it("a value read, then missing from the complete final reads: forbidden under acks=1, permitted only by unclean election", () => {
    // 1 and 2 acknowledged (acks=1); a reader returns both; the final reads return 1 only.
    const h = marked(
      [
        ...sendOk(0, ["x", 1, 0], ["x", 2, 1]),
        ...pollOk(1, {
          x: [
            [0, 1],
            [1, 2],
          ],
        }),
      ],
      [...pollOk(9, { x: [[0, 1]] })],
    );
    const r = check(h, { acks: 1 });
    expect(r.valid).toBe(false);
    expect(r.forbidden).toEqual(["committed-lost"]);
    expect(r.anomalies["committed-lost"]!.examples).toEqual([
      { type: "committed-lost", key: "x", value: 2, offset: 1, writer: 2, reader: 4, gone: "final-reads", ops: [2, 4] },
    ]);
    expect(r.anomalies["committed-lost"]!.reason).toMatch(/below the high watermark, which every in-sync replica has/);
    // The acknowledged value gone is unseen too (permitted under acks=1: a leader may acknowledge alone).
    expect(r.anomalies.unseen).toMatchObject({ count: 1, forbidden: false });
    expect(explainFinding(r.anomalies["committed-lost"]!.examples[0]!)).toMatch(/read by op 4, so committed, and is gone/);
    const unclean = check(h, { acks: 1, uncleanLeaderElection: true });
    expect(unclean.valid).toBe(true);
    expect(unclean.anomalies["committed-lost"]!.reason).toMatch(/^unclean leader election/);
  });

  it("a value read, then another value read at its offset by a later op (no final reads): forbidden under acks=1", () => {
    const h = history(...sendOk(0, ["x", 1, 0]), ...pollOk(1, { x: [[0, 1]] }), ...sendOk(2, ["x", 3, 0]), ...pollOk(3, { x: [[0, 3]] }));
    const r = check(h, { acks: 1 });
    expect(r.forbidden).toEqual(["committed-lost"]);
    expect(r.anomalies["committed-lost"]!.examples).toEqual([
      {
        type: "committed-lost",
        key: "x",
        value: 1,
        offset: 0,
        writer: 1,
        reader: 3,
        gone: "offset-reused",
        reusedBy: { value: 3, op: 7 },
        ops: [1, 3, 7],
      },
    ]);
    // What no read returned, acks=1 may lose: acknowledged at offset 0 by the old leader, replaced
    // before anyone read it, is inconsistent-offsets and lost-write, both permitted.
    const unread = history(...sendOk(0, ["x", 1, 0]), ...sendOk(2, ["x", 3, 0]), ...pollOk(3, { x: [[0, 3]] }));
    const u = check(unread, { acks: 1 });
    expect(u.anomalies["committed-lost"]).toBeUndefined();
    expect(u.valid).toBe(true);
  });

  it("an acknowledgement at a read value's offset is not its loss: a deposed leader acknowledges (acks=1) where its successor wrote", () => {
    // 1 read at offset 0 from the new leader; then the old one, not yet deposed, acknowledges 3 at offset 0.
    const h = history(...sendOk(0, ["x", 1, 0]), ...pollOk(1, { x: [[0, 1]] }), ...sendOk(2, ["x", 3, 0]));
    const r = check(h, { acks: 1 });
    expect(r.anomalies["committed-lost"]).toBeUndefined();
    expect(r.anomalyTypes).toEqual(["inconsistent-offsets", "lost-write", "unseen"]);
    expect(r.valid).toBe(true);
  });

  it("a value read by an op concurrent with the other value's send proves no order: not reported", () => {
    // The other value's send was invoked before the read completed: it may have been there first.
    const h = history(
      ...sendOk(0, ["x", 1, 0]),
      invoke(1, "poll", [["poll"]]),
      invoke(2, "send", [send("x", 3)]),
      ok(1, "poll", [["poll", { x: [[0, 1]] }]]),
      ok(2, "send", [send("x", 3, 0)]),
    );
    expect(check(h, { acks: 1 }).anomalies["committed-lost"]).toBeUndefined();
  });
});

describe("a read proves a commit whatever the writer's completion", () => {
  it("an info send whose value was read, then gone from the complete final reads: committed-lost and unseen", () => {
    const h = marked(
      [invoke(0, "send", [send("x", 1)]), info(0, "send", [send("x", 1)]), ...pollOk(1, { x: [[0, 1]] }), ...sendOk(2, ["x", 2, 1])],
      [...pollOk(9, { x: [[1, 2]] })],
    );
    const r = check(h);
    expect(r.forbidden).toEqual(["committed-lost", "unseen"]);
    expect(r.anomalies.unseen!.examples).toEqual([{ type: "unseen", key: "x", value: 1, writer: 2, readBefore: 4, ops: [2, 4] }]);
    expect(r.anomalies["committed-lost"]!.examples[0]).toMatchObject({ value: 1, writer: 2, reader: 4, gone: "final-reads" });
  });

  it("property: any value an ok read returned, dropped from marked final reads, is committed-lost (ok, info or crashed writer)", () => {
    let infoWriters = 0;
    fc.assert(
      fc.property(modelArb, fc.nat(), (m, pick) => {
        const read = m.reads.flatMap((rd) => rd.records.map(([o, v]) => ({ key: rd.key, o, v })));
        if (read.length === 0) return;
        const c = read[pick % read.length]!;
        // Mark the model's last op as the final reads, and drop the value from it.
        const h: History = structuredClone(m.history.slice(0, m.finalRead - 1));
        const final = structuredClone(m.history.slice(m.finalRead - 1));
        const res = (final[1]!.value as unknown[][])[0]![1] as Record<string, Array<[number, Value]>>;
        res[String(c.key)] = res[String(c.key)]!.filter(([, v]) => v !== c.v);
        const ops = [...h, { process: "harness", type: "invoke", f: "final-reads", value: null }, ...final];
        ops.push({ process: "harness", type: "ok", f: "final-reads", value: null } as Op);
        const marked = ops.map((op, i) => ({ ...op, index: i, time: i * 1000 }) as Op);
        const r = check(marked, { acks: 1 });
        const f = findingsOf(r, "committed-lost", (x) => x.value === c.v && x.gone === "final-reads" && x.offset === c.o)[0]!;
        if (marked[f.ops[0]!]!.type !== "ok") infoWriters++;
        expect(r.anomalies["committed-lost"]!.count).toBe(1);
        expect(r.anomalies["committed-lost"]!.forbidden).toBe(true);
        expect(r.valid).toBe(false);
      }),
      { numRuns: 200 },
    );
    expect(infoWriters).toBeGreaterThan(5);
  });
});

describe("inside a transaction an offset proves nothing; a read proves the whole transaction", () => {
  const TXN: CheckConfig = { transactional: true, isolation: "read_committed" };

  it("an unresolved transactional send with offsets, never read, is not lost (--txn, Jepsen's send ops)", () => {
    // Jepsen's --txn runs every op in a transaction: an info send's offset is an append, maybe aborted.
    const h = marked(
      [invoke(0, "send", [send("x", 1), send("x", 2)]), info(0, "send", [send("x", 1, 0), send("x", 2, 1)]), ...sendOk(1, ["x", 3, 3])],
      [...pollOk(9, { x: [[3, 3]] })],
    );
    const r = check(h, TXN);
    expect(r.anomalyTypes).toEqual([]);
    expect(r.valid).toBe(true);
    // Outside transactions the same offsets are acknowledgements, lost.
    expect(check(h, { ...TXN, transactional: false }).anomalyTypes).toEqual(["lost-write", "unseen"]);
  });

  it("an info transaction one of whose values a read_committed read returned: every write counts (atomic rule)", () => {
    const h = marked(
      [invoke(0, "txn", [send("x", 1), send("y", 2)]), info(0, "txn", [send("x", 1, 0), send("y", 2, 0)]), ...pollOk(1, { x: [[0, 1]] })],
      [...pollOk(9, { x: [[0, 1]] })],
    );
    const r = check(h, TXN);
    expect(r.anomalies.unseen!.examples).toEqual([{ type: "unseen", key: "y", value: 2, writer: 2, ops: [2] }]);
    expect(r.anomalyTypes).toEqual(["torn-txn", "unseen"]);
    expect(r.unseenSeries.points.at(-1)!.total).toBe(1);
  });

  it("under read_uncommitted a dirty read proves no commit: an unresolved transaction's value read, then gone, is not committed-lost", () => {
    const h = marked(
      [invoke(0, "txn", [send("x", 1)]), info(0, "txn", [send("x", 1, 0)]), ...pollOk(1, { x: [[0, 1]] })],
      [invoke(9, "poll", [["poll"]]), ok(9, "poll", [["poll", {}]])],
    );
    const r = check(h, { ...TXN, isolation: "read_uncommitted" });
    expect(r.anomalyTypes).toEqual([]);
    // Under read_committed the same read proves the commit.
    expect(check(h, TXN).forbidden).toEqual(["committed-lost", "unseen"]);
  });

  it("property: valid transactional histories have nothing acknowledged that was not committed, under both isolation levels", () => {
    for (const iso of ["read_committed", "read_uncommitted"] as const) {
      fc.assert(
        fc.property(txnModelArb(iso), (m) => {
          const r = check(m.history, { transactional: true, isolation: iso });
          expect(r.forbidden).toEqual([]);
          for (const t of ["unseen", "lost-write", "committed-lost"] as const) expect(r.anomalies[t]).toBeUndefined();
          // The same history written as Jepsen's --txn does, every txn op a send op.
          const asSends = m.history.map((op) =>
            op.f === "txn" && !JSON.stringify(op.value).includes('"poll"') ? { ...op, f: "send" } : op,
          );
          const s = check(asSends, { transactional: true, isolation: iso });
          for (const t of ["unseen", "lost-write", "committed-lost"] as const) expect(s.anomalies[t]).toBeUndefined();
        }),
        { numRuns: 80 },
      );
    }
  });
});

describe("reads outside the log keep the skip checks", () => {
  const RU: CheckConfig = { transactional: true, isolation: "read_uncommitted" };
  // x: 1 committed at 0, 4 of an aborted transaction at 1, 2 and 3 committed at 2 and 3.
  const writes = [
    ...sendOk(0, ["x", 1, 0]),
    invoke(1, "txn", [send("x", 4)]),
    fail(1, "txn", [send("x", 4, 1)]),
    ...sendOk(0, ["x", 2, 2], ["x", 3, 3]),
  ];

  it("within one poll: an aborted value read under read_uncommitted, then a gap, is int-poll-skip", () => {
    const h = history(
      ...writes,
      ...pollOk(5, {
        x: [
          [0, 1],
          [1, 4],
          [3, 3],
        ],
      }),
      ...pollOk(6, {
        x: [
          [0, 1],
          [2, 2],
          [3, 3],
        ],
      }),
    );
    const r = check(h, RU);
    expect(r.anomalyTypes).toEqual(["G1a", "int-poll-skip"]);
    expect(r.anomalies["int-poll-skip"]!.examples[0]).toMatchObject({
      op: at(h, (op) => op.process === 5 && op.type === "ok"),
      prevValue: 1,
      value: 3,
      skipped: [2],
    });
  });

  it("across polls: a poll ending on an aborted value, the next one starting past a gap, is poll-skip", () => {
    const h = history(
      ...writes,
      ...pollOk(5, {
        x: [
          [0, 1],
          [1, 4],
        ],
      }),
      ...pollOk(5, { x: [[3, 3]] }),
      ...pollOk(6, {
        x: [
          [0, 1],
          [2, 2],
          [3, 3],
        ],
      }),
    );
    const r = check(h, RU);
    expect(r.anomalyTypes).toEqual(["G1a", "poll-skip"]);
    expect(r.anomalies["poll-skip"]!.examples[0]).toMatchObject({ prevValue: 1, value: 3, skipped: [2] });
  });
});
