// The kafkajs fixes and the Testcontainers settings are explicit calls made by the entry points,
// never side effects of importing a module: each case imports in a fresh Node process (this one
// already ran test/setup.ts) and reports what is in place.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");

interface State {
  filterFixed: boolean;
  stopFixed: boolean;
  ryuk: string | null;
  host: string | null;
  partitioner: string | null;
  refusal?: string;
  probed?: string;
}

/** Runs `body` (ESM, ROOT set) in a fresh node with tsx, then reports the state as JSON. */
function probe(body: string): State {
  const script = `
    import { createRequire } from "node:module";
    const ROOT = process.env.ROOT;
    const require = createRequire(ROOT + "/package.json");
    const out = {};
    ${body}
    const filter = require("kafkajs/src/consumer/filterAbortedMessages.js");
    const Runner = require("kafkajs/src/consumer/runner.js");
    const env = (k) => process.env[k] ?? null;
    console.log(JSON.stringify({ ...out, filterFixed: filter.__khOriginal !== undefined, stopFixed: Runner.prototype.__khStopFix === true,
      ryuk: env("TESTCONTAINERS_RYUK_DISABLED"), host: env("TESTCONTAINERS_HOST_OVERRIDE"), partitioner: env("KAFKAJS_NO_PARTITIONER_WARNING") }));`;
  const env: NodeJS.ProcessEnv = { ...process.env, ROOT: root };
  for (const k of ["TESTCONTAINERS_RYUK_DISABLED", "TESTCONTAINERS_HOST_OVERRIDE", "KAFKAJS_NO_PARTITIONER_WARNING"]) delete env[k];
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: root,
    env,
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as State;
}

const all = { filterFixed: true, stopFixed: true, ryuk: "true", host: "127.0.0.1", partitioner: "1" };
const none = { filterFixed: false, stopFixed: false, ryuk: null, host: null, partitioner: null };

describe("entry points", () => {
  it("importing the package index installs the kafkajs fixes and sets Testcontainers' settings", () => {
    expect(probe(`await import(ROOT + "/index.ts");`)).toEqual(all);
  });

  it("the CLI's main does the same before it parses its arguments", () => {
    expect(probe(`await (await import(ROOT + "/harness/cli.ts")).main(["node", "kafka-harness", "--no-such-option"]);`)).toEqual(all);
  });

  it("importing the factory, the cluster, the clients or the runner changes nothing", () => {
    for (const m of [
      "harness/kafkajs/factory.ts",
      "harness/cluster/cluster.ts",
      "harness/clients/registry.ts",
      "harness/clients/kafkajs/txn.ts",
      "harness/run/runner.ts",
    ]) {
      expect(probe(`await import(ROOT + "/${m}");`), m).toEqual(none);
    }
  });

  it("the factory puts the fixes in place before it loads kafkajs", () => {
    expect(probe(`(await import(ROOT + "/harness/kafkajs/factory.ts")).newKafka(["127.0.0.1:1"], "probe");`)).toMatchObject({
      filterFixed: true,
      stopFixed: true,
      partitioner: "1",
    });
  });

  it("is idempotent", () => {
    expect(
      probe(`const f = await import(ROOT + "/harness/kafkajs/fixes.ts"); const t = await import(ROOT + "/harness/cluster/runtime-env.ts");
      for (let i = 0; i < 3; i++) { f.installKafkajsFixes(); t.configureTestcontainers(); }`),
    ).toEqual(all);
  });

  it("kafkajs loaded first: the read_committed fix cannot be put in place and transactional consumers refuse to start", () => {
    const s = probe(`require("kafkajs");
      (await import(ROOT + "/harness/kafkajs/fixes.ts")).installKafkajsFixes();
      const fix = await import(ROOT + "/harness/kafkajs/aborted-filter-fix.ts");
      out.probed = fix.probeKafkajsAbortedFilter();
      try { fix.assertKafkajsAbortedFilterFixed(); } catch (err) { out.refusal = err.message; }`);
    expect(s).toMatchObject({ filterFixed: false, stopFixed: true, probed: "kafkajs-2.2.4" });
    expect(s.refusal).toMatch(/kafkajs was imported before kafka-harness/);
  });

  it("the filter probe runs kafkajs's own Batch: Kafka's rule once the fixes are in place", () => {
    const s = probe(`(await import(ROOT + "/harness/kafkajs/fixes.ts")).installKafkajsFixes();
      out.probed = (await import(ROOT + "/harness/kafkajs/aborted-filter-fix.ts")).probeKafkajsAbortedFilter();`);
    expect(s).toMatchObject({ filterFixed: true, probed: "kafka-rule" });
  });
});
