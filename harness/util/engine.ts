// Makes sure a Docker engine answers, through scripts/ensure-docker (which installs and starts one
// on a bare Debian machine). Every path that needs an engine calls this first.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "./exec.ts";

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "scripts", "ensure-docker");

export async function ensureEngine(progress: (m: string) => void = () => {}): Promise<string> {
  try {
    await run("bash", [SCRIPT], { onLine: (l) => l.trim() && progress(l) });
  } catch (err) {
    const tail = ((err as { output?: string }).output ?? (err as Error).message).trim().split("\n").slice(-3).join("\n");
    throw new Error(`no Docker engine: ${tail}`);
  }
  return (await run("docker", ["version", "--format", "{{.Server.Version}}"])).trim();
}
