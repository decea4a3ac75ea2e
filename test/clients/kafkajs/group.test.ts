// kafkajs group members without a cluster: the order of a delivery's steps under each commit
// strategy as the shared group recorder writes them, the commit error rule against kafkajs's own
// errors, and the socket gate that makes a crash look like a killed process to the broker.
import { createRequire } from "node:module";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { processCounter } from "../../../harness/clients/context.ts";
import { COMMIT_STRATEGIES, type CommitStrategy } from "../../../harness/clients/group-member.ts";
import { type CommitOutcome, GroupRecorder } from "../../../harness/clients/group-recorder.ts";
import { classifyCommitError } from "../../../harness/clients/kafkajs/classify.ts";
import { deliverByStrategy, KafkajsGroupMember } from "../../../harness/clients/kafkajs/group.ts";
import { SocketGate } from "../../../harness/clients/kafkajs/socket-gate.ts";
import { createRecorder } from "../../../harness/history/recorder.ts";

const require = createRequire(import.meta.url);
const { createErrorFromCode } = require("kafkajs/src/protocol/error.js") as { createErrorFromCode(code: number): Error };
const errors = require("kafkajs/src/errors.js") as Record<string, new (m: string, o?: object) => Error>;

/** One delivery of key t-0 offsets 5..6 under a strategy, the commit answered `answer`; the ops recorded. */
async function delivery(strategy: CommitStrategy, answer: CommitOutcome, crashArmed = false) {
  const recorder = createRecorder();
  const rec = new GroupRecorder(1, { bootstrap: () => [], recorder, nextProcess: processCounter() }, "g");
  rec.subscribing(["t-0"]);
  rec.subscribed(["t-0"]);
  let settle: () => void = () => {};
  const settled = new Promise<void>((r) => (settle = r));
  let threw: unknown;
  await deliverByStrategy(strategy, {
    deliver: () =>
      rec.polls.delivered("t-0", [
        [5, 50],
        [6, 60],
      ]),
    commit: async () => {
      const done = rec.commit({ "t-0": 7 });
      await new Promise((r) => setTimeout(r, 5));
      done(answer);
      settle();
      return answer;
    },
    dead: () => rec.done,
    dieAfterCommit: () => {
      if (crashArmed) rec.crashed("after-commit");
      return crashArmed;
    },
  }).catch((e: unknown) => (threw = e));
  if (strategy !== "auto") await settled; // after-async's commit settles after the delivery returned
  const ops = recorder.ops.slice(3).map((op) => `${op.f} ${op.type}`);
  return { ops, threw };
}

describe("a delivery's steps under each commit strategy", () => {
  it("after-sync: delivered, then the commit awaited; after-async: delivered, the commit settling later; auto: delivered only", async () => {
    expect((await delivery("after-sync", "ok")).ops).toEqual(["poll ok", "poll invoke", "commit invoke", "commit ok"]);
    expect((await delivery("after-async", "fail")).ops).toEqual(["poll ok", "poll invoke", "commit invoke", "commit fail"]);
    expect((await delivery("auto", "ok")).ops).toEqual(["poll ok", "poll invoke"]);
  });

  it("before: the commit acknowledged, then delivered; not acknowledged, not delivered", async () => {
    expect((await delivery("before", "ok")).ops).toEqual(["commit invoke", "commit ok", "poll ok", "poll invoke"]);
    for (const answer of ["fail", "info"] as const)
      expect((await delivery("before", answer)).ops).toEqual(["commit invoke", `commit ${answer}`]);
  });

  it("before with an after-commit crash armed: the acknowledged commit, then the crash, no poll of the records", async () => {
    const { ops, threw } = await delivery("before", "ok", true);
    expect(ops).toEqual(["commit invoke", "commit ok", "poll fail", "crash info"]);
    expect(threw).toBeInstanceOf(Error);
  });

  it("covers every strategy", () => {
    expect(COMMIT_STRATEGIES).toEqual(["after-sync", "after-async", "auto", "before"]);
  });
});

describe("a commit's outcome from kafkajs's error", () => {
  it("refused by the coordinator (the member is not in the generation): fail", () => {
    // REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID
    for (const code of [27, 22, 25, 82]) expect(classifyCommitError(createErrorFromCode(code)), String(code)).toBe("fail");
  });
  it("anything that may have been written, or says nothing: info", () => {
    // NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE (also the answer to a failed append), REQUEST_TIMED_OUT
    for (const code of [16, 15, 7]) expect(classifyCommitError(createErrorFromCode(code)), String(code)).toBe("info");
    expect(classifyCommitError(new errors.KafkaJSRequestTimeoutError!("timed out"))).toBe("info");
    expect(classifyCommitError(new errors.KafkaJSConnectionError!("closed"))).toBe("info");
    expect(
      classifyCommitError(new errors.KafkaJSNumberOfRetriesExceeded!(createErrorFromCode(27) as never, { retryCount: 5, retryTime: 100 })),
    ).toBe("info");
    expect(classifyCommitError(undefined)).toBe("info");
  });
});

describe("the socket gate", () => {
  it("drops every connection at once, nothing written after reaches the server, and refuses new ones", async () => {
    const received: string[] = [];
    let accepted = 0;
    let closed = 0;
    const server = net.createServer((s) => {
      accepted++;
      s.on("data", (d) => received.push(d.toString()));
      s.on("close", () => closed++);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    const gate = new SocketGate();
    const open = () =>
      new Promise<net.Socket>((resolve, reject) => {
        const s = gate.factory({ host: "127.0.0.1", port, ssl: undefined as never, onConnect: () => resolve(s) });
        s.on("error", reject);
      });
    try {
      const [a, b] = [await open(), await open()];
      a.write("before");
      await new Promise((r) => setTimeout(r, 50));
      expect(gate.size).toBe(2);
      const errorsSeen: string[] = [];
      a.on("error", (e) => errorsSeen.push(e.message));
      b.on("error", (e) => errorsSeen.push(e.message));
      gate.kill();
      a.write("after", () => {});
      await new Promise((r) => setTimeout(r, 100));
      expect(closed).toBe(2);
      expect(received.join("")).toBe("before");
      // kafkajs hears of it as an error on each socket (it listens for error, not close).
      expect(errorsSeen).toHaveLength(2);
      await expect(open()).rejects.toThrow(/killed/);
      await new Promise((r) => setTimeout(r, 50));
      expect(accepted).toBe(2);
      expect(gate.killed).toBe(true);
    } finally {
      server.close();
    }
  });
});

describe("a member's armed stall and after-commit crash", () => {
  /** A member that never connects (no broker at the address): only its arming is exercised. */
  const unstarted = (commit: CommitStrategy) =>
    new (KafkajsGroupMember as unknown as new (ctx: unknown, opts: unknown) => KafkajsGroupMember)(
      { bootstrap: () => ["127.0.0.1:1"], recorder: createRecorder(), nextProcess: processCounter() },
      {
        topic: "t",
        keys: ["t-0"],
        groupId: "g",
        commit,
        protocol: "classic",
        sessionTimeoutMs: 6000,
        maxPollIntervalMs: 10_000,
        autoCommitIntervalMs: 1000,
      },
    );
  const settles = (p: Promise<void>) => Promise.race([p.then(() => "settled"), new Promise((r) => setTimeout(() => r("pending"), 200))]);

  it("one armed and not struck ends when another is armed, or when the member leaves", async () => {
    const m = unstarted("before");
    const first = m.stall(1000);
    const second = m.crash("after-commit");
    expect(await settles(first)).toBe("settled");
    expect(await settles(second)).toBe("pending");
    await m.leave();
    expect(await settles(second)).toBe("settled");
    expect(m.alive).toBe(false);
  });

  it("an after-commit crash needs commit strategy before", () => {
    expect(() => unstarted("after-sync").crash("after-commit")).toThrow(/needs commit strategy "before"/);
  });
});
