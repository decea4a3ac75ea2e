// A fix to kafkajs 2.2.4's consumer, applied at run time (so it holds for the package's users too,
// who install kafkajs from the registry). kafkajs is unmaintained: no release will fix it.
//
// The bug: `fetchManager.start` catches a KafkaJSFetcherRebalanceError (the broker set changed,
// e.g. a killed broker came back) and makes new fetchers. If `Runner.stop()` ran in between, it
// stopped only the old ones. The new fetchers loop `while (isRunning) await fetch()`, and
// `Runner.fetch` returns [] at once when the runner is not running: a loop of microtasks with no
// I/O that starves every timer (op timeouts, test timeouts, signal handlers). Seen once on KRaft,
// with a stack of fetch → validateShouldRebalance → getNodeIds; the process had to be SIGKILLed.
//
// The fix: a fetch after stop also stops the fetchers that exist now (not awaited: they end when
// this fetch returns) and yields to the timer queue. A running consumer's fetch is unchanged.
import { createRequire } from "node:module";

interface RunnerLike {
  running: boolean;
  fetchManager: { stop(): Promise<void> };
  fetch(nodeId: number): Promise<unknown[]>;
}

type Proto = RunnerLike & { __khStopFix?: true };
const require = createRequire(import.meta.url);
const runnerPrototype = (): Proto => (require("kafkajs/src/consumer/runner.js") as { prototype: Proto }).prototype;

/** Patches kafkajs's Runner (or the given prototype, for tests); idempotent. */
export function applyKafkajsStopFix(proto: Proto = runnerPrototype()): void {
  if (proto.__khStopFix) return;
  const fetch = proto.fetch;
  proto.fetch = async function (this: RunnerLike, nodeId: number) {
    if (this.running) return fetch.call(this, nodeId);
    void this.fetchManager.stop().catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    return [];
  };
  proto.__khStopFix = true;
}
