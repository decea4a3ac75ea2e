// Asynchronous commits matched to librdkafka's answers (harness/clients/confluent/commit-answers.ts):
// a commit settles only with an answer naming its partition at its offset, however the answers
// interleave; an error refuses it; answers for nothing waiting change nothing.
import { describe, expect, it } from "vitest";
import { CommitAnswers } from "../../../harness/clients/confluent/commit-answers.ts";

const state = async (p: Promise<void>) => {
  let s = "pending";
  p.then(
    () => (s = "ok"),
    (e: Error) => (s = `refused: ${e.message}`),
  );
  await new Promise((r) => setTimeout(r, 0));
  return s;
};

describe("CommitAnswers", () => {
  it("settles each commit by the answer naming its partition and offset, in any order", async () => {
    const a = new CommitAnswers();
    const first = a.expect({ "t-0": 5 }).answered;
    const second = a.expect({ "t-0": 9 }).answered;
    const other = a.expect({ "t-1": 5 }).answered;
    expect(a.size).toBe(3);
    a.answer(undefined, [{ key: "t-0", offset: 9 }]);
    expect(await state(second)).toBe("ok");
    expect(await state(first)).toBe("pending");
    a.answer(new Error("REBALANCE_IN_PROGRESS"), [{ key: "t-1", offset: 5 }]);
    expect(await state(other)).toBe("refused: REBALANCE_IN_PROGRESS");
    // An answer for nothing waiting (a library commit, or one settled already) changes nothing.
    a.answer(undefined, [
      { key: "t-0", offset: 6 },
      { key: "t-1", offset: 5 },
    ]);
    expect(await state(first)).toBe("pending");
    expect(a.size).toBe(1);
  });

  it("a commit of several partitions needs each answered; one refusal refuses it and it waits no more", async () => {
    const a = new CommitAnswers();
    const both = a.expect({ "t-0": 3, "t-1": 4 }).answered;
    a.answer(undefined, [{ key: "t-0", offset: 3 }]);
    expect(await state(both)).toBe("pending");
    a.answer(undefined, [{ key: "t-1", offset: 4 }]);
    expect(await state(both)).toBe("ok");
    const refused = a.expect({ "t-0": 7, "t-1": 8 });
    refused.refuse(new Error("queued nothing"));
    expect(await state(refused.answered)).toBe("refused: queued nothing");
    expect(a.size).toBe(0);
  });

  it("two commits of the same offset are answered one answer each, first come first served", async () => {
    const a = new CommitAnswers();
    const one = a.expect({ "t-0": 2 }).answered;
    const two = a.expect({ "t-0": 2 }).answered;
    a.answer(undefined, [{ key: "t-0", offset: 2 }]);
    expect([await state(one), await state(two)]).toEqual(["ok", "pending"]);
  });
});
