// Removes containers and networks by label: one run's, or (for `kafka-harness clean`) every run's.
import { run } from "../util/exec.ts";
import { RUN_LABEL } from "./labels.ts";

export interface Leftovers {
  containers: string[];
  networks: string[];
}

const lines = (s: string) =>
  s
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

export async function findLeftovers(runId?: string): Promise<Leftovers> {
  const filter = `label=${runId ? `${RUN_LABEL}=${runId}` : RUN_LABEL}`;
  const containers = lines(await run("docker", ["ps", "-aq", "--filter", filter]));
  const networks = lines(await run("docker", ["network", "ls", "-q", "--filter", filter]));
  return { containers, networks };
}

/** Whether `docker rm` failed only because someone else is removing, or has removed, every
 *  container it named (a test worker's own exit hook beside the global teardown, say). */
export function removedElsewhere(message: string): boolean {
  const errors = lines(message).filter((l) => l.startsWith("Error"));
  return errors.length > 0 && errors.every((l) => /removal of container \S+ is already in progress|No such container/.test(l));
}

export async function removeLeftovers(runId?: string): Promise<Leftovers> {
  const found = await findLeftovers(runId);
  if (found.containers.length)
    await run("docker", ["rm", "-f", "-v", ...found.containers]).catch(async (err: Error) => {
      if (!removedElsewhere(err.message)) throw err;
      // The other removal finishes on its own; the networks below need its containers gone.
      for (let i = 0; i < 100 && (await findLeftovers(runId)).containers.length; i++) await new Promise((r) => setTimeout(r, 300));
    });
  // Every network is tried; the error names those that could not be removed (still in use, ...).
  const failed: string[] = [];
  for (const net of found.networks)
    await run("docker", ["network", "rm", net]).catch((err: Error) => failed.push(`${net}: ${err.message.trim().split("\n").pop()}`));
  if (failed.length) throw new Error(`could not remove network(s) ${failed.join("; ")}`);
  return found;
}
