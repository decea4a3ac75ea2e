// The kafka-harness command line. Each command sets the exit code: 0 valid / healthy, 1 invalid (a
// forbidden anomaly, a failed health check), 2 unknown or bad input. Progress goes to stderr; --json
// prints exactly one JSON object on stdout.
import { Command, CommanderError } from "commander";
import { registerCheckCommand } from "../checkers/cli.ts";
import { removeLeftovers } from "./cluster/cleanup.ts";
import { doctor } from "./doctor.ts";
import { ensureImages } from "./images/build-images.ts";
import { ensureEngine } from "./util/engine.ts";

const progress = (m: string) => console.error(m);

export function buildProgram(): Command {
  const program = new Command("kafka-harness")
    .description("Jepsen-style consistency tests for Apache Kafka on a real, locally built cluster")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError();

  program
    .command("doctor")
    .description("check the engine and images, start a cluster, round-trip 1000 acks=all records, tear down")
    .option("--json", "print one JSON object on stdout")
    .action(async (o: { json?: boolean }) => {
      const r = await doctor(progress);
      if (o.json) console.log(JSON.stringify(r));
      else {
        console.log(`engine            ${r.engine || "-"}`);
        console.log(`image             ${r.image || "-"} (${r.imagesBuilt ? "built" : "cached"}, ${r.imagesSeconds} s)`);
        console.log(`cluster ready     ${r.clusterReadySeconds} s`);
        console.log(`produced/consumed ${r.produced}/${r.consumed} (missing ${r.missing}) in ${r.roundTripSeconds} s`);
        console.log(`teardown          ${r.teardownSeconds} s; leftovers: ${r.leftoverContainers} container(s), ${r.leftoverNetworks} network(s)`);
        if (r.error) console.log(`error             ${r.error}`);
        console.log(r.ok ? "doctor: OK" : "doctor: FAILED");
      }
      process.exitCode = r.ok ? 0 : 1;
    });

  registerCheckCommand(program);

  program
    .command("images")
    .description("manage the locally built images")
    .command("build")
    .description("build the base and Kafka images if their tags do not exist yet")
    .action(async () => {
      await ensureEngine(progress);
      const r = await ensureImages((m) => progress(`images: ${m}`));
      console.log(`${r.tag} (${r.built ? `built in ${r.seconds} s` : "already built"})`);
    });

  program
    .command("clean")
    .description("remove containers and networks left by any earlier run (by label)")
    .action(async () => {
      await ensureEngine(progress);
      const r = await removeLeftovers();
      console.log(`removed ${r.containers.length} container(s) and ${r.networks.length} network(s)`);
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  process.exitCode = undefined;
  try {
    await buildProgram().parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    console.error(`kafka-harness: ${(err as Error).message}`);
    return 2;
  }
}
