// Makes sure a Docker engine answers, through scripts/ensure-docker (which installs and starts one
// on a bare Debian machine). Every path that needs an engine comes through here: cluster start
// (runs, suites, replay, shrink, the API, benchmarks), doctor, images build, clean, and the tests'
// global setup. Failing to get one is an EnvironmentError, not a run outcome.

import { EnvironmentError, tailOf } from "./environment.ts";
import { run } from "./exec.ts";
import { packageFile } from "./package-root.ts";

const SCRIPT = packageFile("scripts", "ensure-docker");

export async function ensureEngine(progress: (m: string) => void = () => {}): Promise<string> {
  try {
    await run("bash", [SCRIPT], { onLine: (l) => l.trim() && progress(l) });
    return (await run("docker", ["version", "--format", "{{.Server.Version}}"])).trim();
  } catch (err) {
    throw new EnvironmentError(
      `no Docker engine: ${tailOf(err)}`,
      "start a Docker engine (or run as root on Debian/Ubuntu, where scripts/ensure-docker installs docker.io and starts dockerd), then run the command again",
    );
  }
}
