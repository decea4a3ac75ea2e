// The library-independent half of a forked group member (harness/clients/group-driver.ts): the four
// commit strategies in the order group-member.ts defines them, commit outcomes, the after-commit
// crash window, stalls, and the pure mappings of what a library hands out; and the parent's replay
// of a child's messages into the GroupRecorder (group-process.ts).
import { describe, expect, it, vi } from "vitest";
import { commitOutcomeOfErrors } from "../../harness/clients/commit-outcome.ts";
import {
  assignmentChange,
  type Delivery,
  deliveriesOf,
  type GroupSink,
  type LibrarySession,
  MemberCore,
  nextOffsets,
} from "../../harness/clients/group-driver.ts";
import type { CommitStrategy, GroupMemberOptions } from "../../harness/clients/group-member.ts";
import { applyChildMessage, type FromChild } from "../../harness/clients/group-process.ts";
import { GroupRecorder } from "../../harness/clients/group-recorder.ts";
import { createRecorder } from "../../harness/history/recorder.ts";

const opts = (commit: CommitStrategy): GroupMemberOptions => ({
  topic: "t",
  keys: ["t-0", "t-1"],
  groupId: "g",
  commit,
  protocol: "classic",
  sessionTimeoutMs: 6000,
  maxPollIntervalMs: 10_000,
  autoCommitIntervalMs: 1000,
});

/** A sink that writes each call as a line, and a session fed from a list. */
function fixture(deliveries: Delivery[], commit: (offsets: Record<string, number>) => Promise<void> = async () => undefined) {
  const log: string[] = [];
  const sink: GroupSink = {
    subscribing: () => log.push("subscribing"),
    subscribed: () => log.push("subscribed"),
    subscribeFailed: () => log.push("subscribe-failed"),
    assigned: (k) => log.push(`assigned ${k}`),
    revoked: (k) => log.push(`revoked ${k}`),
    delivered: (k, r) => log.push(`poll ${k} ${r.map((x) => x[0])}`),
    commit: (o) => {
      log.push(`commit ${JSON.stringify(o)}`);
      return (outcome) => log.push(`commit ${outcome}`);
    },
    autoCommitted: (o) => log.push(`auto ${JSON.stringify(o)}`),
    leaving: () => log.push("leaving"),
    left: (o) => log.push(`left ${o}`),
    failed: () => log.push("failed"),
    stalling: (ms) => log.push(`stalling ${ms}`),
    stalled: (ms) => log.push(`stalled ${ms}`),
  };
  const queue = [...deliveries];
  let release: (() => void) | undefined;
  const session: LibrarySession = {
    subscribe: async () => undefined,
    next: async () => {
      const d = queue.shift();
      if (d) return d;
      await new Promise<void>((r) => (release = r));
      return undefined;
    },
    commit,
    commitOutcome: (err) => commitOutcomeOfErrors((err as { names?: string[] }).names ?? []),
    close: async () => release?.(),
  };
  return { log, sink, session };
}

const d = (key: string, ...offsets: number[]): Delivery => ({ key, records: offsets.map((o) => [o, o * 10]) });
const settle = () => new Promise((r) => setTimeout(r, 10));

describe("MemberCore: the commit strategies", () => {
  it("after-sync: each delivery is processed, then its next offsets committed and answered before the next one", async () => {
    const f = fixture([d("t-0", 4, 5), d("t-1", 0)]);
    const core = new MemberCore(opts("after-sync"), f.sink, f.session, () => new Promise(() => undefined));
    void core.run();
    await settle();
    await core.leave();
    expect(f.log).toEqual([
      "subscribing",
      "subscribed",
      "poll t-0 4,5",
      'commit {"t-0":6}',
      "commit ok",
      "poll t-1 0",
      'commit {"t-1":1}',
      "commit ok",
      "leaving",
      "left ok",
    ]);
  });

  it("before: the commit is answered before the delivery is processed", async () => {
    const f = fixture([d("t-0", 7)]);
    const core = new MemberCore(opts("before"), f.sink, f.session, () => new Promise(() => undefined));
    void core.run();
    await settle();
    expect(f.log.slice(2, 5)).toEqual(['commit {"t-0":8}', "commit ok", "poll t-0 7"]);
  });

  it("after-async: the next delivery is processed while the commit is unanswered; leave waits for it", async () => {
    const answers: (() => void)[] = [];
    const f = fixture([d("t-0", 1), d("t-1", 2)], () => new Promise<void>((r) => answers.push(r)));
    const core = new MemberCore(opts("after-async"), f.sink, f.session, () => new Promise(() => undefined));
    void core.run();
    await settle();
    expect(f.log.slice(2)).toEqual(["poll t-0 1", 'commit {"t-0":2}', "poll t-1 2", 'commit {"t-1":3}']);
    const leaving = core.leave();
    await settle();
    expect(f.log).not.toContain("leaving");
    for (const a of answers) a();
    await leaving;
    expect(f.log.slice(6)).toEqual(["commit ok", "commit ok", "leaving", "left ok"]);
  });

  it("after-async: at a leave, a library whose answers come only while polled is polled (settle) before the member waits", async () => {
    // As librdkafka's offset_commit_cb: the answers are held until the library is polled again.
    const held: (() => void)[] = [];
    const f = fixture([d("t-0", 1)], () => new Promise<void>((r) => held.push(r)));
    const settled = vi.fn(async () => {
      for (const answer of held.splice(0)) answer();
    });
    const core = new MemberCore(opts("after-async"), f.sink, { ...f.session, settle: settled }, () => new Promise(() => undefined));
    void core.run();
    await settle();
    await core.leave();
    expect(settled).toHaveBeenCalledTimes(1);
    expect(f.log.slice(2)).toEqual(["poll t-0 1", 'commit {"t-0":2}', "commit ok", "leaving", "left ok"]);
  });

  it("auto: the member commits nothing itself", async () => {
    const f = fixture([d("t-0", 1)]);
    const core = new MemberCore(opts("auto"), f.sink, f.session, () => new Promise(() => undefined));
    void core.run();
    await settle();
    expect(f.log.filter((l) => l.startsWith("commit"))).toEqual([]);
  });

  it("a refusal before the append is fail, anything else info; the member goes on", async () => {
    const errors = [{ names: ["ILLEGAL_GENERATION"] }, { names: ["REQUEST_TIMED_OUT"] }, new Error("Connection closed")];
    const f = fixture([d("t-0", 1), d("t-0", 2), d("t-0", 3)], async () => {
      throw errors.shift();
    });
    const core = new MemberCore(opts("after-sync"), f.sink, f.session, () => new Promise(() => undefined));
    void core.run();
    await settle();
    expect(f.log.filter((l) => /^commit [a-z]/.test(l))).toEqual(["commit fail", "commit info", "commit info"]);
  });

  it("an unanswered commit is info after the commit timeout", async () => {
    vi.useFakeTimers();
    try {
      const f = fixture([d("t-0", 1)], () => new Promise(() => undefined));
      const core = new MemberCore(opts("after-sync"), f.sink, f.session, () => new Promise(() => undefined));
      void core.run();
      await vi.advanceTimersByTimeAsync(9_999);
      expect(f.log.at(-1)).toBe('commit {"t-0":2}');
      await vi.advanceTimersByTimeAsync(2);
      expect(f.log.at(-1)).toBe("commit info");
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("MemberCore: crash window and stall", () => {
  it("crash after-commit: dies after the acknowledged commit, before the delivery is processed", async () => {
    const f = fixture([d("t-0", 1), d("t-0", 2)]);
    const die = vi.fn(() => new Promise<never>(() => undefined));
    const core = new MemberCore(opts("before"), f.sink, f.session, die);
    core.armCrashAfterCommit();
    void core.run();
    await settle();
    expect(die).toHaveBeenCalledWith("after-commit");
    expect(f.log.slice(2)).toEqual(['commit {"t-0":2}', "commit ok"]);
  });

  it("crash after-commit waits for a commit the broker acknowledged", async () => {
    let n = 0;
    const f = fixture([d("t-0", 1), d("t-0", 2)], async () => {
      if (n++ === 0) throw new Error("Connection closed");
    });
    const die = vi.fn(() => new Promise<never>(() => undefined));
    const core = new MemberCore(opts("before"), f.sink, f.session, die);
    core.armCrashAfterCommit();
    void core.run();
    await settle();
    expect(f.log.slice(2)).toEqual(['commit {"t-0":2}', "commit info", "poll t-0 1", 'commit {"t-0":3}', "commit ok"]);
    expect(die).toHaveBeenCalledTimes(1);
  });

  it("stall: inside the next delivery, after it is handed over and before its commit", async () => {
    const f = fixture([]);
    const session = f.session;
    const queue = [d("t-0", 1)];
    let gate: (() => void) | undefined;
    const gated: LibrarySession = {
      ...session,
      next: async () => {
        if (!queue.length) return session.next();
        await new Promise<void>((r) => (gate = r));
        return queue.shift();
      },
    };
    const core = new MemberCore(opts("after-sync"), f.sink, gated, () => new Promise(() => undefined));
    void core.run();
    await settle();
    const stalled = core.stall(20);
    gate?.();
    await stalled;
    await settle();
    expect(f.log.slice(2)).toEqual(["poll t-0 1", "stalling 20", "stalled 20", 'commit {"t-0":2}', "commit ok"]);
  });
});

describe("what a library hands out, as the history's terms", () => {
  it("deliveriesOf: one delivery per key, keys in order of first appearance, records in order", () => {
    expect(
      deliveriesOf([
        { key: "t-1", offset: 5, value: 50 },
        { key: "t-0", offset: 2, value: 20 },
        { key: "t-1", offset: 6, value: 60 },
      ]),
    ).toEqual([
      {
        key: "t-1",
        records: [
          [5, 50],
          [6, 60],
        ],
      },
      { key: "t-0", records: [[2, 20]] },
    ]);
  });

  it("nextOffsets: the delivery's last offset plus one", () => {
    expect(nextOffsets(d("t-2", 3, 4, 9))).toEqual({ "t-2": 10 });
  });

  it("assignmentChange: eager gives up everything and is handed everything; incremental only the difference", () => {
    expect(assignmentChange(true, ["t-0", "t-1"], ["t-1", "t-2"])).toEqual({ revoked: ["t-0", "t-1"], assigned: ["t-1", "t-2"] });
    expect(assignmentChange(false, ["t-0", "t-1"], ["t-1", "t-2"])).toEqual({ revoked: ["t-0"], assigned: ["t-2"] });
    expect(assignmentChange(false, [], [])).toEqual({ revoked: [], assigned: [] });
  });

  it("commitOutcomeOfErrors: fail only when every answer is a refusal before the append", () => {
    expect(commitOutcomeOfErrors(["REBALANCE_IN_PROGRESS", "UNKNOWN_MEMBER_ID"])).toBe("fail");
    expect(commitOutcomeOfErrors(["STALE_MEMBER_EPOCH"])).toBe("fail");
    // The coordinator makes these of appends that may have landed.
    expect(commitOutcomeOfErrors(["NOT_COORDINATOR"])).toBe("info");
    expect(commitOutcomeOfErrors(["COORDINATOR_NOT_AVAILABLE"])).toBe("info");
    expect(commitOutcomeOfErrors(["ILLEGAL_GENERATION", "REQUEST_TIMED_OUT"])).toBe("info");
    expect(commitOutcomeOfErrors([])).toBe("info");
  });
});

describe("the parent's replay of a forked member's messages", () => {
  it("records the child's calls through the GroupRecorder, commits matched by id", () => {
    const recorder = createRecorder();
    const rec = new GroupRecorder(3, { bootstrap: () => [], recorder, nextProcess: () => 0 }, "g");
    const commits = new Map();
    const msgs: FromChild[] = [
      { t: "sink", m: "subscribing", args: [["t-0"]] },
      { t: "sink", m: "subscribed", args: [["t-0"]] },
      { t: "sink", m: "assigned", args: [["t-0"], 2] },
      { t: "sink", m: "delivered", args: ["t-0", [[0, 7]]] },
      { t: "commit", id: 0, offsets: { "t-0": 1 } },
      { t: "commit", id: 1, offsets: { "t-0": 1 } },
      { t: "commit-done", id: 1, outcome: "fail", error: "ILLEGAL_GENERATION" },
      { t: "commit-done", id: 0, outcome: "ok" },
      { t: "sink", m: "revoked", args: [["t-0"], 2, undefined] },
    ];
    for (const m of msgs) applyChildMessage(rec, m, commits);
    rec.crashed("now");
    const ops = recorder.ops.map(({ type, f, value, generation, error }) => ({ type, f, value, generation, error }));
    expect(ops).toEqual([
      { type: "invoke", f: "subscribe", value: ["t-0"], generation: undefined, error: undefined },
      { type: "ok", f: "subscribe", value: ["t-0"], generation: undefined, error: undefined },
      { type: "invoke", f: "poll", value: [["poll"]], generation: undefined, error: undefined },
      { type: "ok", f: "assigned", value: ["t-0"], generation: 2, error: undefined },
      { type: "ok", f: "poll", value: [["poll", { "t-0": [[0, 7]] }]], generation: undefined, error: undefined },
      { type: "invoke", f: "poll", value: [["poll"]], generation: undefined, error: undefined },
      { type: "invoke", f: "commit", value: { "t-0": 1 }, generation: undefined, error: undefined },
      { type: "invoke", f: "commit", value: { "t-0": 1 }, generation: undefined, error: undefined },
      { type: "fail", f: "commit", value: { "t-0": 1 }, generation: undefined, error: "ILLEGAL_GENERATION" },
      { type: "ok", f: "commit", value: { "t-0": 1 }, generation: undefined, error: undefined },
      { type: "ok", f: "revoked", value: ["t-0"], generation: 2, error: undefined },
      { type: "fail", f: "poll", value: [["poll", {}]], generation: undefined, error: "consumer closed" },
      { type: "info", f: "crash", value: "now", generation: undefined, error: undefined },
    ]);
  });
});
