// Start-up time of the command line: `kafka-harness --help` from the compiled dist/ (what an
// installed package runs), from the TypeScript sources through tsx (what a checkout runs), and
// `node -e 0` as the floor. Median of 5 wall-clock runs each, after one warm-up.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const RUNS = 5;

function medianMs(args: string[]): number {
  const once = () => {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: "ignore" });
    if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}`);
    return performance.now() - t;
  };
  once();
  const times = Array.from({ length: RUNS }, once).sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)]!;
}

export async function benchStartup(): Promise<void> {
  const dist = join(root, "dist/harness/cli.js");
  if (!existsSync(dist)) throw new Error("no dist/: run `npm run build` first");
  const compiled = [
    "--input-type=module",
    "-e",
    `const { main } = await import(${JSON.stringify(dist)}); process.exitCode = await main(["node", "kafka-harness", "--help"]);`,
  ];
  const rows: Array<[string, number]> = [
    ["node -e 0 (the floor)", medianMs(["-e", "0"])],
    ["kafka-harness --help, compiled dist/ (installed package)", medianMs(compiled)],
    ["kafka-harness --help, sources through tsx (checkout)", medianMs([join(root, "bin/kafka-harness.js"), "--help"])],
  ];
  for (const [what, ms] of rows) console.log(`${what.padEnd(58)} ${(ms / 1000).toFixed(3)} s (median of ${RUNS})`);
}
