// Effective faults: applied is not enough; a fault counts as effective when the history shows it
// reached the data path while the workload ran (its failover / quorum-failover record, or clients on
// its partitions failing inside its window). What a history exercised: acknowledged writes (before
// and after the first effective fault) and values the workload (not the final reads) read. And a
// verdict with nothing acknowledged is unknown, not a vacuous valid.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { faultEffects } from "../../checkers/effective-faults.ts";
import type { FaultInterval } from "../../checkers/faults.ts";
import { type CheckConfig, check, checkStream, type History, type Op } from "../../checkers/index.ts";
import { fail, history, info, invoke, ok, poll, pollOk, send, sendOk } from "./helpers.ts";

type Draft = Parameters<typeof history>[0];

const nem = (type: "invoke" | "ok" | "info" | "fail", f: string, value: object = {}): Draft =>
  ({ invoke, ok, info, fail })[type]("nemesis", f, { targets: ["kafka1"], ...value }) as Draft;
const fault = (f: string, value: object = {}): Draft[] => [nem("invoke", f, value), nem("ok", f, value)];
const harness = (type: "invoke" | "ok", f: string): Draft => (type === "invoke" ? invoke : ok)("harness", f, null);

/** A failover record of the fault completed at history index `faultIndex`. */
const failover = (faultIndex: number, v: object): Draft =>
  info("nemesis", "failover", {
    fault: faultIndex,
    partitions: ["t-0", "t-1"],
    leaderless: [],
    leaderAfterMs: null,
    isrShrunkAfterMs: null,
    ...v,
  });

/** The workload phase around `body`, a completed final read after it. */
const run = (...body: Draft[]): History =>
  history(
    harness("invoke", "workload"),
    ...sendOk(0, ["t-0", 1, 0]),
    ...body,
    harness("ok", "workload"),
    harness("invoke", "final-reads"),
    ...pollOk(9, { "t-0": [[0, 1]] }),
    harness("ok", "final-reads"),
  );

// Fault ok op at history index 4 (workload marker 0, send 1-2, fault invoke 3).
const FAULT = 4;

describe("effective faults", () => {
  it("a fault off the data path is effective for a consumer group whose commits it refused or left unknown", () => {
    const commit = (type: "ok" | "info" | "fail"): Draft[] =>
      [
        invoke(5, "commit", { "t-0": 1 }) as Draft,
        { ...({ ok, info, fail }[type](5, "commit", { "t-0": 1 }) as Draft), group: "g", seq: 0 } as Draft,
      ].map((d, i) => (i === 0 ? ({ ...d, group: "g", seq: 0 } as Draft) : d));
    const member = [invoke(5, "subscribe", ["t-0"]), ok(5, "subscribe", ["t-0"])].map((d) => ({ ...d, group: "g" }) as Draft);
    const paused = (type: "ok" | "info" | "fail") => check(run(...member, ...fault("pause"), ...commit(type), ...fault("resume")));
    expect(paused("info").faults).toMatchObject({ applied: 1, effective: 1 });
    expect(paused("fail").faults).toMatchObject({ applied: 1, effective: 1 });
    // An acknowledged commit during the pause: the group did not notice it.
    expect(paused("ok").faults).toMatchObject({ applied: 1, effective: 0 });
  });

  it("a failover record whose workload partition got a new leader, or whose ISR shrank, makes a fault effective", () => {
    const moved = check(run(...fault("kill"), failover(FAULT, { leaderless: ["t-0"], leaderAfterMs: 5000 }), ...fault("start")));
    expect(moved.faults).toMatchObject({ applied: 1, effective: 1, byKind: { kill: { applied: 1, effective: 1 } } });
    const shrunk = check(run(...fault("pause"), failover(FAULT, { isrShrunkAfterMs: 5200 }), ...fault("resume")));
    expect(shrunk.faults).toMatchObject({ applied: 1, effective: 1, byKind: { pause: { effective: 1 } } });
  });

  it("a link fault is effective when a follower behind it dropped out of an ISR (its per-follower record), not by its packet counters", () => {
    const loss = { probability: 0.3, between: "brokers" };
    const churn = check(
      run(
        ...fault("packet-loss", loss),
        failover(FAULT, { partitions: ["t-0"], isrShrunkAfterMs: 5400 }),
        ...fault("restore-link", { dropped: { kafka1: 80 } }),
      ),
    );
    expect(churn.faults).toMatchObject({ applied: 1, effective: 1, byKind: { "packet-loss": { applied: 1, effective: 1 } } });
    const quiet = check(
      run(
        ...fault("slow-link", { rateKbit: 64, between: "all" }),
        failover(FAULT, { partitions: ["t-0"] }),
        ...fault("restore-link", { dropped: { kafka1: 80 } }),
      ),
    );
    expect(quiet.faults).toMatchObject({ applied: 1, effective: 0, byKind: { "slow-link": { applied: 1, effective: 0 } } });
  });

  it("applied but not effective: no leader moved, no ISR shrank, no client on its partitions failed", () => {
    // The shape of a controller pause shorter than the ZooKeeper session: its partition lost its
    // leader for a while but none was elected before the resume.
    // (Its write during the pause is kept: the final reads find it.)
    const r = check(
      history(
        harness("invoke", "workload"),
        ...sendOk(0, ["t-0", 1, 0]),
        ...fault("pause"),
        failover(FAULT, { leaderless: ["t-0"] }),
        ...sendOk(1, ["t-1", 5, 0]),
        ...fault("resume"),
        harness("ok", "workload"),
        harness("invoke", "final-reads"),
        ...pollOk(9, { "t-0": [[0, 1]], "t-1": [[0, 5]] }),
        harness("ok", "final-reads"),
      ),
    );
    expect(r.loss?.lost).toBe(0);
    expect(r.faults).toMatchObject({ applied: 1, effective: 0, byKind: { pause: { applied: 1, effective: 0 } } });
    // A leader moved, but of another run's topic on the same cluster: not this workload's data path.
    const other = check(
      run(
        ...fault("kill"),
        failover(FAULT, { partitions: ["u-0"], leaderless: ["u-0"], leaderAfterMs: 900, isrShrunkAfterMs: 900 }),
        ...fault("start"),
      ),
    );
    expect(other.faults?.effective).toBe(0);
  });

  it("client ops on the fault's partitions that fail or go unknown inside its window make it effective", () => {
    const infoSend = [invoke(2, "send", [send("t-1", 7)]), info(2, "send", [send("t-1", 7)])];
    const during = check(run(...fault("pause"), failover(FAULT, {}), ...infoSend, ...fault("resume")));
    expect(during.faults?.effective).toBe(1);
    // Invoked while in force, unknown only after the resume (a timeout): still inside the window.
    const late = check(run(...fault("pause"), failover(FAULT, {}), infoSend[0]!, ...fault("resume"), infoSend[1]!));
    expect(late.faults?.effective).toBe(1);
    // On a partition the fault did not touch, or before the fault: not its doing.
    expect(
      check(
        run(
          ...fault("pause"),
          failover(FAULT, { partitions: ["t-1"] }),
          invoke(2, "send", [send("t-0", 7)]),
          info(2, "send", [send("t-0", 7)]),
          ...fault("resume"),
        ),
      ).faults?.effective,
    ).toBe(0);
    expect(check(run(...infoSend, ...fault("pause"), failover(FAULT + 2, {}), ...fault("resume"))).faults?.effective).toBe(0);
  });

  it("a write acknowledged on its partitions while it was in force and gone at the end makes it effective", () => {
    // The isolated acks=1 leader's shape: no leader moved and no client failed before the undo, but
    // what it acknowledged alone is not in the final reads.
    const lostDuring = check(run(...fault("partition"), failover(FAULT, {}), ...sendOk(2, ["t-1", 7, 0]), ...fault("heal")));
    expect(lostDuring.loss?.lost).toBe(1);
    expect(lostDuring.faults?.effective).toBe(1);
    // Acknowledged before the fault, or on a partition its record does not name: not its doing.
    const before = check(run(...sendOk(2, ["t-1", 7, 0]), ...fault("partition"), failover(FAULT + 2, {}), ...fault("heal")));
    expect(before.loss?.lost).toBe(1);
    expect(before.faults?.effective).toBe(0);
    const elsewhere = check(
      run(...fault("partition"), failover(FAULT, { partitions: ["t-0"] }), ...sendOk(2, ["t-1", 7, 0]), ...fault("heal")),
    );
    expect(elsewhere.faults?.effective).toBe(0);
    // Final reads that did not complete cannot tell lost from not read yet: unsure, not effective.
    const incomplete = history(
      harness("invoke", "workload"),
      ...fault("partition"),
      failover(3, {}),
      ...sendOk(2, ["t-1", 7, 0]),
      ...fault("heal"),
      harness("ok", "workload"),
      harness("invoke", "final-reads"),
    );
    expect(check(incomplete).faults?.effective).toBe(0);
  });

  it("client trouble counts only for a fault with a failover record: a ZooKeeper kill names no partitions", () => {
    const infoSend = [invoke(2, "send", [send("t-1", 7)]), info(2, "send", [send("t-1", 7)])];
    const r = check(run(...fault("kill", { targets: ["zk1"] }), ...infoSend, ...fault("start", { targets: ["zk1"] })));
    expect(r.faults).toMatchObject({ applied: 1, effective: 0 });
  });

  it("a quorum leader moved (KRaft) and a completed rolling restart are effective", () => {
    const quorum = info("nemesis", "quorum-failover", { fault: FAULT, from: "c1", to: "c2", quorumLeaderAfterMs: 2840, ended: "settled" });
    expect(check(run(...fault("kill", { targets: ["c1"] }), quorum, ...fault("start", { targets: ["c1"] }))).faults?.effective).toBe(1);
    const stuck = info("nemesis", "quorum-failover", { fault: FAULT, from: "c1", quorumLeaderAfterMs: null, ended: "undone" });
    expect(check(run(...fault("kill", { targets: ["c1"] }), stuck, ...fault("start", { targets: ["c1"] }))).faults?.effective).toBe(0);
    expect(check(run(...fault("bounce", { targets: ["kafka1", "kafka2", "kafka3"] }))).faults?.byKind.bounce).toMatchObject({
      effective: 1,
    });
  });

  it("disk faults are effective by the broker's own reaction: corruption found at recovery, a log directory offline", () => {
    const corrupt = (logged: string[]) => check(run(...fault("corrupt-segment", { effects: [{ node: "kafka1", logged }] }))).faults;
    expect(
      corrupt(["WARN Found invalid messages in log segment /data/kafka/t-0/00000000000000000000.log at byte offset 0."]),
    ).toMatchObject({
      effective: 1,
    });
    expect(corrupt(["INFO Recovering unflushed segment 0"])?.effective).toBe(0); // a bit flipped outside the CRC: nothing found
    const full = (effect: object) =>
      check(run(...fault("disk-full", { effects: [{ node: "kafka1", logged: [], ...effect }] }), ...fault("free-disk"))).faults;
    expect(full({ offlineAfterMs: 120, haltedAfterMs: 130 })).toMatchObject({ effective: 1 });
    expect(full({ noReactionWithinMs: 15000 })?.effective).toBe(0);
  });

  it("a fault outside the workload phase, refused or uncertain is never effective", () => {
    const h = history(
      harness("invoke", "workload"),
      ...sendOk(0, ["t-0", 1, 0]),
      harness("ok", "workload"),
      ...fault("kill"), // 4, 5: after the workload
      failover(5, { leaderless: ["t-0"], leaderAfterMs: 100 }),
      ...fault("start"),
      harness("invoke", "final-reads"),
      ...pollOk(9, { "t-0": [[0, 1]] }),
      harness("ok", "final-reads"),
    );
    expect(check(h).faults).toMatchObject({ applied: 1, effective: 0 });
    const uncertain = run(
      nem("invoke", "partition"),
      nem("info", "partition"),
      failover(FAULT, { leaderless: ["t-0"], leaderAfterMs: 1 }),
      ...fault("heal"),
    );
    expect(check(uncertain).faults).toMatchObject({ applied: 0, uncertain: 1, effective: 0 });
  });

  it("final reads are no workload: their trouble makes no fault effective", () => {
    const h = history(
      harness("invoke", "workload"),
      ...sendOk(0, ["t-0", 1, 0]),
      nem("invoke", "kill"),
      nem("ok", "kill"), // 4
      failover(4, {}),
      harness("ok", "workload"),
      harness("invoke", "final-reads"),
      invoke(9, "poll", [poll()]),
      info(9, "poll", [poll({ "t-0": [] })]),
      ...pollOk(9, { "t-0": [[0, 1]] }),
      harness("ok", "final-reads"),
    );
    expect(check(h).faults).toMatchObject({ applied: 1, effective: 0 });
  });

  it("property: effective never exceeds applied, in all and per kind, and a streamed check agrees", async () => {
    const arb = fc.array(
      fc.record({
        f: fc.constantFrom("kill", "pause", "partition"),
        type: fc.constantFrom("ok", "info", "fail"),
        leader: fc.boolean(),
        trouble: fc.boolean(),
      }),
      { maxLength: 6 },
    );
    await fc.assert(
      fc.asyncProperty(arb, async (faults) => {
        const body: Draft[] = [];
        let i = 3;
        for (const [n, x] of faults.entries()) {
          body.push(nem("invoke", x.f), { ...nem("ok", x.f), type: x.type } as Draft);
          body.push(failover(i + 1, x.leader ? { leaderless: ["t-0"], leaderAfterMs: 10 } : {}));
          i += 3;
          if (x.trouble) {
            body.push(invoke(3, "send", [send("t-1", 100 + n)]), info(3, "send", [send("t-1", 100 + n)]));
            i += 2;
          }
          const undo = x.f === "kill" ? "start" : x.f === "pause" ? "resume" : "heal";
          body.push(...fault(undo));
          i += 2;
        }
        const h = run(...body);
        const r = check(h);
        const f = r.faults!;
        expect(f.effective).toBeLessThanOrEqual(f.applied);
        for (const k of Object.values(f.byKind)) expect(k.effective).toBeLessThanOrEqual(k.applied);
        expect(f.effective).toBe(faults.filter((x) => x.type === "ok" && (x.leader || x.trouble)).length);
        expect(await checkStream(h as Op[])).toEqual(r);
      }),
      { numRuns: 100 },
    );
  });
});

describe("what a history exercised", () => {
  it("counts acknowledged writes (an offset, a committed transaction), and those once a fault took effect", () => {
    const h = run(
      ...sendOk(1, ["t-1", 2, 0]), // acknowledged before the fault
      ...fault("kill"), // 5, 6
      failover(6, { leaderless: ["t-0"], leaderAfterMs: 50 }),
      ...sendOk(1, ["t-1", 3, 1]),
      // An unknown burst: its first record acknowledged at an offset, its second not.
      invoke(2, "send", [send("t-0", 4), send("t-0", 5)]),
      info(2, "send", [send("t-0", 4, 1), send("t-0", 5)]),
      invoke(3, "txn", [send("t-1", 6)]),
      ok(3, "txn", [send("t-1", 6)]),
      ...fault("start"),
    );
    expect(check(h).exercised).toEqual({ acknowledged: 5, acknowledgedAfterFault: 3, read: 0 });
  });

  it("an ok send without an offset (acks=0) acknowledged nothing; final reads are not workload reads", () => {
    const h = run(invoke(1, "send", [send("t-1", 2)]), ok(1, "send", [send("t-1", 2)]), ...pollOk(4, { "t-1": [[0, 2]] }));
    expect(check(h, { acks: 0 }).exercised).toEqual({ acknowledged: 1, acknowledgedAfterFault: 0, read: 1 });
  });
});

describe("no vacuous verdict", () => {
  // Every send went unknown, the workload only polled: nothing could be shown lost.
  const drafts = [
    invoke(0, "send", [send("t-0", 1)]),
    info(0, "send", [send("t-0", 1)]),
    ...pollOk(1, { "t-0": [] }),
    invoke(2, "send", [send("t-0", 2)]),
    fail(2, "send", [send("t-0", 2)]),
  ];
  const nothingAcked = history(...drafts);

  it("is unknown, with the reason, when acks is not 0 and nothing was acknowledged", () => {
    for (const config of [{}, { acks: 1 }, { acks: "all" }] as CheckConfig[]) {
      const r = check(nothingAcked, config);
      expect(r.valid).toBe("unknown");
      expect(r.unknownReason).toMatch(/^nothing was acknowledged \(no ok send with an offset/);
    }
  });

  it("acks=0 promises nothing, so nothing acknowledged is its normal state: valid", () => {
    expect(check(nothingAcked, { acks: 0 }).valid).toBe(true);
  });

  it("one acknowledged write, or a forbidden finding, decides as before", () => {
    expect(check(history(...drafts, ...sendOk(3, ["t-0", 9, 0]), ...pollOk(1, { "t-0": [[0, 9]] }))).valid).toBe(true);
    // Two values read at one offset: inconsistent-offsets stays invalid though nothing was acknowledged.
    const r = check(history(...drafts, ...pollOk(1, { "t-0": [[0, 7]] }), ...pollOk(1, { "t-0": [[0, 8]] })));
    expect(r.valid).toBe(false);
  });
});

describe("power-loss effects", () => {
  const cut = (value: unknown): FaultInterval => ({
    f: "power-loss",
    targets: ["kafka1"],
    value,
    type: "ok",
    start: 100,
    done: 110,
    end: 200,
    index: 0,
    doneIndex: 1,
  });
  const ctx = (troubles: Array<{ start: number; end: number; keys: string[] }> = []) => ({
    keys: ["t-0", "t-1"],
    troubles: troubles.map((t, index) => ({ index, ...t })),
  });
  const effect = (value: unknown, troubles?: Array<{ start: number; end: number; keys: string[] }>) =>
    faultEffects({ faults: [cut(value)], lone: [] }, ctx(troubles))[0];

  it("records cut off a workload partition's segment make it effective", () => {
    expect(effect({ lost: { kafka1: { partitions: { "t-0": { records: 3 } } } } })).toBe("unsynced-lost");
    expect(effect({ lost: { kafka1: { partitions: { __consumer_offsets: { records: 3 } } } } })).toBeUndefined();
  });

  it("with nothing cut (every message synced), a client op failing on a partition whose whole ISR lost power does, one elsewhere does not", () => {
    const value = { lost: { kafka1: { partitions: {} } }, wholeIsrCut: ["t-0"] };
    expect(effect(value, [{ start: 120, end: 150, keys: ["t-0"] }])).toBe("clients-disturbed");
    expect(effect(value, [{ start: 120, end: 150, keys: ["t-1"] }])).toBeUndefined();
    expect(effect(value, [{ start: 300, end: 350, keys: ["t-0"] }])).toBeUndefined();
  });
});
