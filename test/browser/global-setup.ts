// Report tests need a headless Chromium. Like the Docker engine for the integration tests
// (harness/util/engine.ts through scripts/ensure-docker), it is provisioned here, through
// scripts/ensure-chromium: a no-op when the browser runs, otherwise it installs Debian's chromium
// with apt (as root), as one provisioning step (harness/util/provision.ts). When it cannot, the
// browser project FAILS with a message saying what to install (never a skip).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { provisionScript } from "../../harness/util/provision.ts";
import { CHROMIUM } from "./browser.ts";

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "scripts", "ensure-chromium");

export default async function setup(): Promise<void> {
  try {
    // The script reads CHROMIUM_PATH as browser.ts does, so it checks the binary the tests launch.
    // One line when it runs; apt's output, when it installs, goes to the provisioning log.
    await provisionScript(
      "Chromium",
      SCRIPT,
      (m) => console.error(m),
      async () => `${CHROMIUM} runs headless`,
    );
  } catch (err) {
    const tail = ((err as { output?: string }).output ?? (err as Error).message).trim().split("\n").slice(-3).join("\n");
    throw new Error(
      `Report tests (test/browser/) need a headless Chromium at ${CHROMIUM}, and could not get one:\n${tail}\n` +
        "Install Debian's chromium (as root: apt-get install chromium), or set CHROMIUM_PATH to a Chromium that runs headless.",
    );
  }
}
