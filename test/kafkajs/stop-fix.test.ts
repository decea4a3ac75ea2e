// The run-time fix to kafkajs's consumer (harness/kafkajs/stop-fix.ts): a fetch after stop()
// stops the fetchers that exist now and yields to timers instead of returning at once, so fetchers
// made by a rebalance after stop() end instead of spinning; a running consumer's fetch is unchanged.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { applyKafkajsStopFix } from "../../harness/kafkajs/stop-fix.ts";

const require = createRequire(import.meta.url);

describe("kafkajs stop fix", () => {
  it("is applied to kafkajs's own Runner once the client factory is loaded", () => {
    const Runner = require("kafkajs/src/consumer/runner.js") as { prototype: { __khStopFix?: boolean } };
    expect(Runner.prototype.__khStopFix).toBe(true);
  });

  it("after stop: stops the current fetchers and yields to the timer queue before answering []", async () => {
    let stops = 0;
    const proto = { fetch: async () => ["never"] } as unknown as Parameters<typeof applyKafkajsStopFix>[0] & object;
    applyKafkajsStopFix(proto);
    const runner = Object.assign(Object.create(proto), { running: false, fetchManager: { stop: async () => void stops++ } });
    let timerRan = false;
    setImmediate(() => (timerRan = true));
    expect(await runner.fetch(1)).toEqual([]);
    expect(stops).toBe(1);
    expect(timerRan).toBe(true);
  });

  it("while running: the original fetch, untouched", async () => {
    const proto = {
      fetch: async function (this: { tag: string }, n: number) {
        return [`${this.tag}:${n}`];
      },
    } as unknown as Parameters<typeof applyKafkajsStopFix>[0] & object;
    applyKafkajsStopFix(proto);
    const runner = Object.assign(Object.create(proto), {
      running: true,
      tag: "r",
      fetchManager: {
        stop: async () => {
          throw new Error("must not stop");
        },
      },
    });
    expect(await runner.fetch(3)).toEqual(["r:3"]);
  });
});
