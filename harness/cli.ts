// The kafka-harness command line. Exit codes as Jepsen's CLI has them (checkers/exit-codes.ts), in
// every command: 0 valid / healthy, 1 invalid (a forbidden anomaly, an expectation not met, a failed
// health check), 2 unknown, 254 bad arguments or input (and a machine or client library that cannot
// run what was asked: the message says what to do), 255 an unexpected exception. Progress goes to
// stderr; --json prints exactly one JSON object on stdout, an error included.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { conflictOf, flagConflicts, registerCheckCommand, type TypedFlag, typedFlags } from "../checkers/cli.ts";
import { type ErrorReport, EXIT, errorJson } from "../checkers/exit-codes.ts";
import { SETTINGS } from "../checkers/settings.ts";
import { meant } from "../checkers/suggest.ts";
import { verdictName } from "../checkers/verdict.ts";
import { registerReportCommand } from "../reports/cli.ts";
import { configureTestcontainers } from "./cluster/runtime-env.ts";
import { installKafkajsFixes } from "./kafkajs/fixes.ts";
import { type Given, givenFlags, nameFlagsIn, type RunFlags, runOptions, runSpecFromFlags } from "./run/run-flags.ts";
import type { RunOutcome } from "./run/runner.ts";
import { METADATA_MODES } from "./spec/cluster.ts";
import { SpecError } from "./spec/errors.ts";
import { faultKindsHelp } from "./spec/fault-kinds.ts";
import type { SecurityFlags } from "./spec/security.ts";
import type { SshFlags } from "./spec/ssh-inventory.ts";
import { positiveInt, registerReplayCommand, registerShrinkCommand } from "./suite/commands.ts";
import { registerMergeCommand } from "./suite/merge-command.ts";
import { suiteJson } from "./suite/output.ts";
import { chosenScenarios, parseShard, type Shard, shardLabel, shardScenarios } from "./suite/shard.ts";
import { ClientLibraryError, EnvironmentError } from "./util/environment.ts";
import { packageFile } from "./util/package-root.ts";

export { suiteJson } from "./suite/output.ts";

export const DEFAULT_SUITE = packageFile("suites", "known-answers.yaml");

const progress = (m: string) => console.error(m);

// Commands load what they run when they run: the cluster, client and report modules (testcontainers,
// kafkajs) take most of a second to load, which `--help`, `check` and `report` should not pay.

/** This package's version, from its package.json. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(packageFile("package.json"), "utf8")) as { version: string }).version;
}

/** The command line. Each command hands its exit code to `exit`; `main` returns it. */
export function buildProgram(exit: (code: number) => void): Command {
  const program = new Command("kafka-harness")
    .description("Jepsen-style consistency tests for Apache Kafka on a real, locally built cluster")
    .version(packageVersion(), "-V, --version", "print the kafka-harness version")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError();

  const doctorCommand = program
    .command("doctor")
    .description("check the engine and images, start a cluster, round-trip 1000 acks=all records, tear down")
    .option("--metadata <mode>", "zookeeper (Kafka 3.9) or kraft (a controller quorum) (default: zookeeper)")
    .option("--kafka-version <v>", "Apache Kafka release (default: 3.9.1 for zookeeper, 4.4.0 for kraft)")
    .option("--json", JSON_HELP);
  const doctorTyped = typedFlags(doctorCommand);
  doctorCommand.action(async (o: { json?: boolean; metadata?: string; kafkaVersion?: string }) => {
    refuseConflicts(doctorTyped);
    const { parseClusterSpec } = await import("./spec/cluster.ts");
    const given: Given[] = [
      ...(o.metadata === undefined ? [] : [{ flag: "metadata", path: ["metadata"], text: o.metadata }]),
      ...(o.kafkaVersion === undefined ? [] : [{ flag: "kafka-version", path: ["kafkaVersion"], text: o.kafkaVersion }]),
    ];
    try {
      parseClusterSpec({ metadata: o.metadata, kafkaVersion: o.kafkaVersion });
    } catch (e) {
      throw e instanceof SpecError ? nameFlagsIn(e, given) : e;
    }
    const { doctor } = await import("./run/doctor.ts");
    const r = await doctor(progress, { metadata: o.metadata as "zookeeper" | "kraft" | undefined, kafkaVersion: o.kafkaVersion });
    if (o.json) console.log(JSON.stringify(r));
    else {
      console.log(`kafka             ${r.kafkaVersion} (${r.metadata === "kraft" ? "KRaft" : "ZooKeeper mode"})`);
      console.log(`engine            ${r.engine || "-"}`);
      console.log(`image             ${r.image || "-"} (${r.imagesBuilt ? "built" : "cached"}, ${r.imagesSeconds} s)`);
      console.log(`cluster ready     ${r.clusterReadySeconds} s`);
      console.log(`produced/consumed ${r.produced}/${r.consumed} (missing ${r.missing}) in ${r.roundTripSeconds} s`);
      console.log(
        `teardown          ${r.teardownSeconds} s; leftovers: ${r.leftoverContainers} container(s), ${r.leftoverNetworks} network(s)`,
      );
      if (r.error) console.log(`error             ${r.error}`);
      console.log(r.ok ? "doctor: OK" : "doctor: FAILED");
    }
    exit(r.ok ? EXIT.valid : EXIT.invalid);
  });

  // The run's settings come from the settings table (checkers/settings.ts), help and defaults too.
  const run = program
    .command("run")
    .description("one test run: cluster, workload with faults, heal, final reads, check, report")
    .option("--spec <file>", "a spec file (JSON; a stored run's spec.json replays that run); flags override it (default: none)");
  for (const o of runOptions()) run.option(o.head, o.help);
  run
    .option("--faults <kinds>", `${faultKindsHelp()} (default: none)`)
    .option(
      "--targets <kinds>",
      `comma-separated targets: leader,random-broker,controller,minority,majority,all-brokers (KRaft: active-controller,controllers; txn: txn-coordinator,group-coordinator) (default: ${settingDefault("targets")})`,
    )
    .option(
      "--inventory <file>",
      'ssh: the hosts, their roles and login, a YAML/JSON file (docs/design.md "Cluster kinds") (default: none)',
    )
    .option("--ssh-hosts <hosts>", "ssh: comma-separated hosts, each a combined KRaft node installed by the harness (default: none)")
    .option("--ssh-user <user>", "ssh: the login on every host (default: root)")
    .option("--ssh-key <file>", "ssh: the private key file (default: the SSH agent)")
    .option("--ssh-port <n>", "ssh: sshd's port on every host (default: 22)")
    .option(
      "--i-own-these-nodes",
      "ssh: consent to kill, pause and cut off the inventory's hosts (destructive: true) (default: off, and an ssh run is refused)",
    )
    .option("--tls", "attach: connect to the cluster over TLS (Node's default CAs unless --tls-ca) (default: plaintext)")
    .option("--tls-ca <file>", "attach: the CA certificate (PEM) that signed the brokers' certificates; implies --tls (default: none)")
    .option("--sasl-mechanism <m>", "attach: SASL mechanism: plain, scram-sha-256 or scram-sha-512 (default: no SASL)")
    .option("--sasl-username <user>", "attach: the SASL user (default: none)")
    .option(
      "--sasl-password-env <var>",
      "attach: the environment variable holding the SASL password, read when the run starts; never stored (default: none)",
    )
    .option("--dry-run", "print the settings, the workload plan and the fault schedule the seed gives, and start nothing (default: off)")
    .option("--store <dir>", "store root", "store")
    .option("--json", JSON_HELP);
  const runTyped = typedFlags(run);
  run.action(async (o: RunFlags & SshFlags & SecurityFlags & { spec?: string; store: string; json?: boolean; dryRun?: boolean }) => {
    refuseConflicts(runTyped, RUN_CONFLICTS);
    const [{ readSpecFile }, { inlineInventory }] = await Promise.all([
      import("./run/stored-run.ts"),
      import("./run/ssh-inventory-file.ts"),
    ]);
    const { withSecurityFlags } = await import("./spec/security.ts");
    const base = withSecurityFlags(await inlineInventory(o.spec ? await readSpecFile(o.spec) : {}, o, { specFile: o.spec }), o);
    // Validated once, here, so a bad value names the flag it came from; the run takes it as it is.
    const where = !o.spec ? "command line" : givenFlags(o).length ? `spec ${o.spec} with the flags over it` : `spec ${o.spec}`;
    const spec = runSpecFromFlags(o, base, where);
    if (o.dryRun) {
      const { formatPreview, previewJson, previewOf } = await import("./run/dry-run.ts");
      const preview = previewOf(spec);
      console.log(o.json ? JSON.stringify(previewJson(preview)) : formatPreview(preview));
      exit(EXIT.valid);
      return;
    }
    const [{ executeRun, replayCommand }, { summarize }] = await Promise.all([import("./run/runner.ts"), import("../checkers/index.ts")]);
    const out = await executeRun(spec, { storeRoot: o.store, progress, command: process.argv.slice(1).join(" ") });
    if (o.json) console.log(JSON.stringify(runJson(out)));
    else {
      console.log(summarize(out.results, 3));
      console.log(`\nreport: ${out.reportPath}\nreplay: ${replayCommand(out.dir)}`);
    }
    exit(out.exitCode);
  });

  const suiteCommand = program
    .command("suite")
    .argument("[file]", "the suite file (default: the known-answer suite, suites/known-answers.yaml)")
    .description("run every scenario of a suite file (JSON or YAML); exit 0 when every expectation is met, 1 when one is not")
    .option("--only <names>", "comma-separated scenario names to run (default: every scenario)")
    .option(
      "--share-cluster",
      "runs with the same cluster spec share one cluster (a fresh topic each) instead of one cluster per run (default: the suite file's shareCluster, else off; the known-answer suite's is on)",
    )
    .option("--no-share-cluster", "one cluster per run, whatever the suite file says (default: the suite file's shareCluster)")
    .option(
      "--parallel <n>",
      "scenarios run side by side, each run on a cluster it holds alone (default: the suite file's parallel, else 1; the known-answer suite's is 2)",
      positiveInt("--parallel"),
    )
    .option("--store <dir>", "store root", "store")
    .option("--junit <file>", "also write a JUnit XML file (one test case per scenario) for CI (default: none)")
    .option(
      "--shard <i/n>",
      "run share i of n of the scenarios (balanced by planned run time, the same split on every machine) and store its result for `merge` (default: every scenario)",
      parseShard,
    )
    .option("--json", JSON_HELP);
  const suiteTyped = typedFlags(suiteCommand);
  suiteCommand.action(
    async (
      file: string | undefined,
      o: { only?: string; store: string; json?: boolean; shareCluster?: boolean; parallel?: number; junit?: string; shard?: Shard },
    ) => {
      refuseConflicts(suiteTyped);
      const [{ readSuiteFile }, { runSuite }, { writeJUnit }, { aimsOf }, { suiteText }, shards] = await Promise.all([
        import("./suite/suite-file.ts"),
        import("./suite/run-suite.ts"),
        import("./suite/junit.ts"),
        import("./suite/detection-rates.ts"),
        import("./suite/output.ts"),
        import("./suite/shard-result.ts"),
      ]);
      const path = file ?? DEFAULT_SUITE;
      const suite = await readSuiteFile(path);
      const names = [...new Set(suite.scenarios.flatMap((s) => [s.name, s.base]))];
      const only = o.only?.split(",");
      const unknown = (only ?? []).filter((n) => !names.includes(n));
      if (unknown.length)
        throw new SpecError(
          "--only",
          unknown
            .map((n) => `no scenario named ${n} in suite ${suite.name}${meant(n, names)}`)
            .concat([`its scenarios: ${suite.scenarios.map((s) => s.name).join(", ")}`]),
        );
      const chosen = chosenScenarios(suite, only);
      // A shard runs its share by full name (names are unique); a share may be empty.
      const mine = o.shard ? shardScenarios(suite, chosen, o.shard) : chosen;
      if (o.shard)
        progress(
          `suite ${suite.name}: shard ${shardLabel(o.shard)}: ${mine.map((i) => suite.scenarios[i]!.name).join(", ") || "no scenarios"}`,
        );
      const outcomes =
        mine.length === 0
          ? []
          : await runSuite(suite, {
              storeRoot: o.store,
              progress,
              only: o.shard ? mine.map((i) => suite.scenarios[i]!.name) : only,
              shareCluster: o.shareCluster,
              parallel: o.parallel,
            });
      if (o.junit) await writeJUnit(o.junit, suite.name, outcomes);
      const aims = aimsOf(suite, chosen);
      let resultPath: string | undefined;
      if (o.shard) {
        const result = shards.shardResultOf(
          {
            suite: suite.name,
            suiteDigest: shards.suiteDigest(readFileSync(path)),
            only: only ?? null,
            shard: o.shard,
            plan: aims,
            scenarios: mine.map((i) => suite.scenarios[i]!.name),
            outcomes,
          },
          o.store,
        );
        resultPath = await shards.writeShardResult(o.store, result);
      }
      const met = outcomes.every((x) => x.met);
      if (o.json)
        console.log(
          JSON.stringify({ ...suiteJson(suite.name, outcomes), ...(o.shard ? { shard: o.shard, shardResult: resultPath } : {}) }),
        );
      else {
        console.log(suiteText(suite.name, outcomes, aims));
        if (resultPath)
          console.log(
            `\nshard ${shardLabel(o.shard!)} of suite ${suite.name}: ${resultPath} (kafka-harness merge joins every shard's store)`,
          );
        console.log(`\nevery run, with its report: ${join(o.store, "index.html")} (newest run: ${join(o.store, "latest")})`);
      }
      exit(met ? EXIT.valid : EXIT.invalid);
    },
  );

  registerCheckCommand(program, exit, async (arg, store) => (await import("../reports/check-target.ts")).resolveCheckTarget(arg, store));
  registerReportCommand(program, exit);
  // Its help says every default, as every command's does.
  const report = program.commands.find((c) => c.name() === "report");
  for (const o of report?.options ?? []) if (o.long === "--index" && !/default/.test(o.description)) o.description += " (default: off)";
  for (const a of report?.registeredArguments ?? [])
    if (!/default/.test(a.description)) a.description += " (default: none; give it or --index)";
  registerReplayCommand(program, exit);
  registerShrinkCommand(program, exit);
  registerMergeCommand(program, exit, JSON_HELP);

  program
    .command("serve")
    .description("serve the store's index, reports and run files on 127.0.0.1 (this machine only), with running runs live; Ctrl-C stops it")
    .option("--store <dir>", "store root", "store")
    .option("--port <n>", "the port to listen on; 0 takes any free port (default: 8347)")
    .action(async (o: { store: string; port?: string }) => {
      const port = o.port === undefined ? undefined : Number(o.port);
      if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535))
        throw new SpecError("--port", [`--port must be a port number from 0 to 65535 (got ${JSON.stringify(o.port)})`]);
      if (!existsSync(o.store) || !statSync(o.store).isDirectory())
        throw new SpecError("--store", [`--store ${o.store}: no such store directory (runs create it; give --store where they stored)`]);
      const { DEFAULT_PORT, serveStore } = await import("../reports/serve.ts");
      const served = await serveStore(o.store, port ?? DEFAULT_PORT).catch((e: NodeJS.ErrnoException) => {
        if (e.code === "EADDRINUSE")
          throw new SpecError("--port", [`port ${port ?? DEFAULT_PORT} is in use: give another, or --port 0 for any free one`]);
        throw e;
      });
      console.log(`serving ${o.store} at ${served.url} (127.0.0.1 only; Ctrl-C stops)`);
      await new Promise<void>((done) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          served.close().then(done, done);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      console.error("serve: stopped");
      exit(EXIT.valid);
    });

  program
    .command("images")
    .description("manage the locally built images")
    .command("build")
    .description("build the base and Kafka images if their tags do not exist yet")
    .option("--kafka-version <v>", "the Apache Kafka release to build for (default: 3.9.1, ZooKeeper mode's)", kafkaRelease)
    .action(async (o: { kafkaVersion?: string }) => {
      const [{ ensureEngine }, { ensureImages, kafkaVersion }] = await Promise.all([
        import("./util/engine.ts"),
        import("./images/build-images.ts"),
      ]);
      await ensureEngine(progress);
      const r = await ensureImages(progress, o.kafkaVersion ?? kafkaVersion());
      console.log(`${r.tag} (${r.built ? `built in ${r.seconds} s` : "already built"})`);
    });

  program
    .command("install-client <name>")
    .description(
      "build an optional client library into the per-user clients folder: confluent (@confluentinc/kafka-javascript, librdkafka; about 20 minutes on 2 cores)",
    )
    .option("--force", "build again even if it is installed (default: off)")
    .option("--json", JSON_HELP)
    .action(async (name: string, o: { force?: boolean; json?: boolean }) => {
      const { installClient } = await import("./run/install-client.ts");
      const r = await installClient(name, progress, { force: o.force });
      if (o.json) console.log(JSON.stringify(r));
      else console.log(`${name}: ${r.dir} (librdkafka ${r.librdkafka}; ${r.built ? `built in ${r.seconds} s` : "already installed"})`);
    });

  program
    .command("clean")
    .description("remove containers and networks left by any earlier run (by label); with --ssh, heal the hosts of an inventory instead")
    .option("--cluster <id>", "only those of one cluster, by the id its run printed (kh-...) (default: every run's)")
    .option(
      "--ssh <inventory>",
      "heal the inventory's hosts by hand: remove the harness's iptables chains; mode install: stop what runs started and remove their folders; mode existing: resume Kafka and start it if it is down (default: none)",
    )
    .action(async (o: { cluster?: string; ssh?: string }) => {
      if (o.ssh !== undefined) {
        if (o.cluster !== undefined)
          throw new SpecError("command line", ["--ssh and --cluster: one at a time (hosts, or Docker's leftovers)"]);
        const [{ loadInventory }, { healHosts }] = await Promise.all([
          import("./run/ssh-inventory-file.ts"),
          import("./cluster/kinds/ssh/heal-hosts.ts"),
        ]);
        const healed = await healHosts(await loadInventory(o.ssh), async () => {});
        for (const h of healed) console.log(`${h.node} (${h.host}): ${h.ok ? "" : "FAILED: "}${h.done.join("; ")}`);
        if (healed.some((h) => !h.ok)) process.exitCode = 1;
        return;
      }
      if (o.cluster !== undefined && !/^kh-[\w-]+$/.test(o.cluster)) {
        throw new SpecError("command line", [
          `--cluster: ${JSON.stringify(o.cluster)} is not a cluster id (kh-<time>-<suffix>, as its run printed it)`,
        ]);
      }
      const [{ ensureEngine }, { removeLeftovers }] = await Promise.all([import("./util/engine.ts"), import("./cluster/cleanup.ts")]);
      await ensureEngine(progress);
      const r = await removeLeftovers(o.cluster);
      console.log(`removed ${r.containers.length} container(s) and ${r.networks.length} network(s)`);
    });

  return program;
}

/** run --json's object. `verdict` is always one of three words; `valid` stays as it was (true, false or "unknown"). */
export const runJson = (out: RunOutcome) => ({
  verdict: verdictName(out.results.valid),
  valid: out.results.valid,
  exitCode: out.exitCode,
  dir: out.dir,
  report: out.reportPath,
  seed: out.spec.seed,
  client: out.spec.client,
  anomalyTypes: out.results.anomalyTypes,
  forbidden: out.results.forbidden,
  stats: out.results.stats,
  workload: out.workload,
  finalReads: out.finalReads,
});

const JSON_HELP = "print one JSON object on stdout, errors included (default: off)";

/** A run setting's default as its flag's text (the settings table's). */
function settingDefault(flag: string): string {
  const s = SETTINGS.find((x) => x.flag === flag) as { default?: unknown; format?: (v: unknown) => string } | undefined;
  return s?.default === undefined ? "none" : (s.format ?? String)(s.default);
}

/** --kafka-version's text: a release like 3.9.1. */
function kafkaRelease(v: string): string {
  if (!/^\d+\.\d+\.\d+$/.test(v))
    throw new SpecError("command line", [`--kafka-version must be a release like 3.9.1 or 4.4.0 (got ${JSON.stringify(v)})`]);
  return v;
}

/** run's flags that contradict each other besides --x with --no-x and a flag given twice. */
const RUN_CONFLICTS = [
  conflictOf("zookeepers", undefined, "metadata", "kraft", "a KRaft cluster has no ZooKeeper nodes"),
  conflictOf("controllers", undefined, "metadata", "zookeeper", "a ZooKeeper-mode cluster has no controller quorum"),
  conflictOf("combined", undefined, "metadata", "zookeeper", "a ZooKeeper-mode cluster has no controller quorum"),
  conflictOf("abort-rate", undefined, "workload", "queue", "only the txn workload aborts transactions"),
];

/** Throws when the typed flags contradict each other, naming them. */
function refuseConflicts(typed: readonly TypedFlag[], rules: Parameters<typeof flagConflicts>[1] = []): void {
  const problems = flagConflicts(typed, rules);
  if (problems.length) throw new SpecError("command line", problems);
}

/** What a thrown error means for the user: the exit code, the message for stderr, the JSON error. */
export function errorExit(err: unknown): { code: number; text?: string; report: ErrorReport } {
  if (err instanceof CommanderError) {
    // commander has printed its message (and the help) on stderr already.
    if (err.exitCode === 0) return { code: 0, report: { message: err.message, kind: "bad-input" } };
    return { code: EXIT.badInput, report: { message: err.message.replace(/^error: /, ""), where: "command line", kind: "bad-input" } };
  }
  if (err instanceof SpecError) {
    return {
      code: EXIT.badInput,
      text: `kafka-harness: ${err.message}`,
      report: { message: err.message, where: err.what, kind: "bad-input" },
    };
  }
  if (err instanceof ClientLibraryError) {
    // A client library not built on this machine, or failing to build (clients/confluent/package.ts, run/install-client.ts).
    return {
      code: EXIT.badInput,
      text: `kafka-harness: ${err.message}\n  what to do: ${err.advice}`,
      report: { message: err.message, kind: "client-library", advice: err.advice },
    };
  }
  if (err instanceof EnvironmentError) {
    // Not a verdict: nothing was tested. One message, what failed and what to do.
    return {
      code: EXIT.badInput,
      text: `kafka-harness: this machine cannot run a cluster: ${err.message}\n  what to do: ${err.advice}`,
      report: { message: `this machine cannot run a cluster: ${err.message}`, kind: "environment", advice: err.advice },
    };
  }
  // Anything else is a bug of the harness: say so, with the stack to report it by.
  const e = err instanceof Error ? err : new Error(String(err));
  return {
    code: EXIT.internal,
    text: `kafka-harness: internal error: ${e.message}\n${e.stack ?? ""}`,
    report: { message: e.message, kind: "internal" },
  };
}

/** --json given to the command (before a "--"). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end < 0 ? argv : argv.slice(0, end)).includes("--json");
}

export async function main(argv: string[]): Promise<number> {
  installKafkajsFixes();
  configureTestcontainers();
  let code = 0;
  try {
    await buildProgram((c) => void (code = c)).parseAsync(argv);
    return code;
  } catch (err) {
    const r = errorExit(err);
    if (r.text) console.error(r.text);
    if (r.code !== 0 && wantsJson(argv)) console.log(errorJson(r.report, r.code));
    return r.code;
  }
}
