// Makes sure a Docker engine answers, through scripts/ensure-docker (which installs and starts one
// on a bare Debian machine). Every path that needs an engine comes through here: cluster start
// (runs, suites, replay, shrink, the API, benchmarks), doctor, images build, clean, and the tests'
// global setup. Failing to get one is an EnvironmentError, not a run outcome.

import { EnvironmentError, tailOf } from "./environment.ts";
import { run } from "./exec.ts";
import { packageFile } from "./package-root.ts";
import { provisionScript } from "./provision.ts";

const SCRIPT = packageFile("scripts", "ensure-docker");

/** The check under way: callers at the same moment (a suite's parallel lanes) share it, so the
 *  engine is provisioned once and said once. */
let checking: Promise<string> | undefined;

export function ensureEngine(progress: (m: string) => void = () => {}): Promise<string> {
  checking ??= checkEngine(progress).finally(() => {
    checking = undefined;
  });
  return checking;
}

async function checkEngine(progress: (m: string) => void): Promise<string> {
  try {
    let version = "";
    // One line when the engine answers; when it is installed or started, the start and end lines,
    // with apt's output and the script's in the provisioning log.
    await provisionScript("Docker engine", SCRIPT, progress, async () => {
      version = (await run("docker", ["version", "--format", "{{.Server.Version}}"])).trim();
      return `Docker ${version} answers`;
    });
    return version;
  } catch (err) {
    throw new EnvironmentError(
      `no Docker engine: ${tailOf(err)}`,
      "start a Docker engine (or run as root on Debian/Ubuntu, where scripts/ensure-docker installs docker.io and starts dockerd), then run the command again",
    );
  }
}
