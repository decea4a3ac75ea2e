// The kafka-harness command line. Each command sets the exit code: 0 valid / healthy, 1 invalid (a
// forbidden anomaly, a failed health check), 2 unknown or bad input. Progress goes to stderr; --json
// prints exactly one JSON object on stdout.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { registerCheckCommand } from "../checkers/cli.ts";
import { registerReportCommand } from "../reports/cli.ts";
import { configureTestcontainers } from "./cluster/runtime-env.ts";
import { installKafkajsFixes } from "./kafkajs/fixes.ts";
import { type RunFlags, runOptions, specFromFlags } from "./run/run-flags.ts";
import { SpecError } from "./spec/errors.ts";
import { faultKindsHelp } from "./spec/fault-kinds.ts";
import { registerReplayCommand, registerShrinkCommand } from "./suite/commands.ts";
import { ClientLibraryError, EnvironmentError } from "./util/environment.ts";
import { packageFile } from "./util/package-root.ts";

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

  program
    .command("doctor")
    .description("check the engine and images, start a cluster, round-trip 1000 acks=all records, tear down")
    .option("--metadata <mode>", "zookeeper (default, Kafka 3.9) or kraft (a controller quorum)")
    .option("--kafka-version <v>", "Apache Kafka release (default 3.9.1 for zookeeper, 4.4.0 for kraft)")
    .option("--json", "print one JSON object on stdout")
    .action(async (o: { json?: boolean; metadata?: string; kafkaVersion?: string }) => {
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
      exit(r.ok ? 0 : 1);
    });

  // The run's settings come from the settings table (checkers/settings.ts), help and defaults too.
  const run = program
    .command("run")
    .description("one test run: cluster, workload with faults, heal, final reads, check, report")
    .option("--spec <file>", "a spec file (JSON; a stored run's spec.json replays that run); flags override it");
  for (const o of runOptions()) run.option(o.head, o.help);
  run
    .option("--faults <kinds>", faultKindsHelp())
    .option(
      "--targets <kinds>",
      "comma-separated targets: leader,random-broker,controller,minority,majority,all-brokers (KRaft: active-controller,controllers; txn: txn-coordinator,group-coordinator)",
    )
    .option("--store <dir>", "store root", "store")
    .option("--json", "print one JSON object on stdout")
    .action(async (o: RunFlags & { spec?: string; store: string; json?: boolean }) => {
      const [{ readSpecFile }, { executeRun, replayCommand }, { summarize }] = await Promise.all([
        import("./run/stored-run.ts"),
        import("./run/runner.ts"),
        import("../checkers/index.ts"),
      ]);
      const base = o.spec ? await readSpecFile(o.spec) : {};
      // Validated once, by the run, before anything starts.
      const out = await executeRun(specFromFlags(o, base), { storeRoot: o.store, progress, command: process.argv.slice(1).join(" ") });
      if (o.json) {
        console.log(
          JSON.stringify({
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
          }),
        );
      } else {
        console.log(summarize(out.results, 3));
        console.log(`\nreport: ${out.reportPath}\nreplay: ${replayCommand(out.dir)}`);
      }
      exit(out.exitCode);
    });

  program
    .command("suite [file]")
    .description("run every scenario of a suite file (JSON or YAML); default: the known-answer suite")
    .option("--only <names>", "comma-separated scenario names to run")
    .option("--share-cluster", "runs with the same cluster spec share one cluster (a fresh topic each) instead of one cluster per run")
    .option("--store <dir>", "store root", "store")
    .option("--junit <file>", "also write a JUnit XML file (one test case per scenario) for CI")
    .option("--json", "print one JSON object on stdout")
    .action(
      async (file: string | undefined, o: { only?: string; store: string; json?: boolean; shareCluster?: boolean; junit?: string }) => {
        const [{ readSuiteFile }, { runSuite }, { writeJUnit }, { formatSuiteTable }] = await Promise.all([
          import("./suite/suite-file.ts"),
          import("./suite/run-suite.ts"),
          import("./suite/junit.ts"),
          import("./suite/table.ts"),
        ]);
        const suite = await readSuiteFile(file ?? DEFAULT_SUITE);
        const unknown = (o.only?.split(",") ?? []).filter((n) => !suite.scenarios.some((s) => s.name === n || s.base === n));
        if (unknown.length)
          throw new SpecError("--only", [
            `no scenario named ${unknown.join(", ")} in suite ${suite.name} (it has ${suite.scenarios.map((s) => s.name).join(", ")})`,
          ]);
        const outcomes = await runSuite(suite, { storeRoot: o.store, progress, only: o.only?.split(","), shareCluster: o.shareCluster });
        if (o.junit) await writeJUnit(o.junit, suite.name, outcomes);
        if (o.json) console.log(JSON.stringify({ suite: suite.name, met: outcomes.every((x) => x.met), scenarios: outcomes }));
        else {
          console.log(`\nsuite ${suite.name}\n${formatSuiteTable(outcomes)}`);
          for (const x of outcomes) for (const p of x.problems) console.log(`  ${x.name}: ${p}`);
          console.log(`\nevery run, with its report: ${join(o.store, "index.html")} (newest run: ${join(o.store, "latest")})`);
        }
        exit(outcomes.every((x) => x.met) ? 0 : 1);
      },
    );

  registerCheckCommand(program, exit, async (arg, store) => (await import("../reports/check-target.ts")).resolveCheckTarget(arg, store));
  registerReportCommand(program, exit);
  registerReplayCommand(program, exit);
  registerShrinkCommand(program, exit);

  program
    .command("images")
    .description("manage the locally built images")
    .command("build")
    .description("build the base and Kafka images if their tags do not exist yet")
    .option("--kafka-version <v>", "the Apache Kafka release to build for (default 3.9.1, ZooKeeper mode's)")
    .action(async (o: { kafkaVersion?: string }) => {
      const [{ ensureEngine }, { ensureImages, kafkaVersion }] = await Promise.all([
        import("./util/engine.ts"),
        import("./images/build-images.ts"),
      ]);
      await ensureEngine(progress);
      const r = await ensureImages((m) => progress(`images: ${m}`), o.kafkaVersion ?? kafkaVersion());
      console.log(`${r.tag} (${r.built ? `built in ${r.seconds} s` : "already built"})`);
    });

  program
    .command("install-client <name>")
    .description(
      "build an optional client library into the per-user clients folder: confluent (@confluentinc/kafka-javascript, librdkafka; about 20 minutes on 2 cores)",
    )
    .option("--force", "build again even if it is installed")
    .option("--json", "print one JSON object on stdout")
    .action(async (name: string, o: { force?: boolean; json?: boolean }) => {
      const { installClient } = await import("./run/install-client.ts");
      const r = await installClient(name, progress, { force: o.force });
      if (o.json) console.log(JSON.stringify(r));
      else console.log(`${name}: ${r.dir} (librdkafka ${r.librdkafka}; ${r.built ? `built in ${r.seconds} s` : "already installed"})`);
    });

  program
    .command("clean")
    .description("remove containers and networks left by any earlier run (by label)")
    .action(async () => {
      const [{ ensureEngine }, { removeLeftovers }] = await Promise.all([import("./util/engine.ts"), import("./cluster/cleanup.ts")]);
      await ensureEngine(progress);
      const r = await removeLeftovers();
      console.log(`removed ${r.containers.length} container(s) and ${r.networks.length} network(s)`);
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  installKafkajsFixes();
  configureTestcontainers();
  let code = 0;
  try {
    await buildProgram((c) => void (code = c)).parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof SpecError) {
      console.error(`kafka-harness: ${err.message}`);
      return 2;
    }
    if (err instanceof ClientLibraryError) {
      // A client library not built on this machine, or failing to build (clients/confluent/package.ts, run/install-client.ts).
      console.error(`kafka-harness: ${err.message}\n  what to do: ${err.advice}`);
      return 2;
    }
    if (err instanceof EnvironmentError) {
      // Not a verdict: nothing was tested. One message, what failed and what to do.
      console.error(`kafka-harness: this machine cannot run a cluster: ${err.message}\n  what to do: ${err.advice}`);
      return 2;
    }
    console.error(`kafka-harness: ${(err as Error).message}`);
    return 2;
  }
}
