// A pause that runc could not freeze (it thaws again: nothing happened) is tried again; any other
// error, or the last attempt's, goes to the caller.
import { describe, expect, it } from "vitest";
import { retryFreeze } from "../../harness/cluster/freeze-retry.ts";

const FREEZE = new Error("(HTTP code 500) server error - Cannot pause container 075b: OCI runtime pause failed: unable to freeze: unknown");
const sleep = async () => {};

function flaky(failures: Error[]) {
  let calls = 0;
  return {
    pause: async () => {
      const e = failures[calls++];
      if (e) throw e;
    },
    calls: () => calls,
  };
}

describe("retryFreeze", () => {
  it("tries again after runc could not freeze, and succeeds", async () => {
    const p = flaky([FREEZE, FREEZE]);
    await retryFreeze(p.pause, { sleep });
    expect(p.calls()).toBe(3);
  });

  it("gives up after the last attempt with runc's error", async () => {
    const p = flaky([FREEZE, FREEZE, FREEZE]);
    await expect(retryFreeze(p.pause, { sleep })).rejects.toThrow(/unable to freeze/);
    expect(p.calls()).toBe(3);
  });

  it("any other error is not retried", async () => {
    const p = flaky([new Error("No such container: kafka1")]);
    await expect(retryFreeze(p.pause, { sleep })).rejects.toThrow(/No such container/);
    expect(p.calls()).toBe(1);
  });
});
