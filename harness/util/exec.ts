// Runs an external command (docker, mvn, mmdebstrap) with its output streamed line by line, so long
// builds show progress; a failure carries the command and the tail of its output.
import { spawn } from "node:child_process";

export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  onLine?: (line: string) => void;
  input?: string;
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    output: string,
  ) {
    super(`${command} failed (exit ${exitCode}):\n${output.split("\n").slice(-25).join("\n")}`);
    // Kept off the enumerable fields so a printed error shows the tail above, not megabytes.
    Object.defineProperty(this, "output", { value: output, enumerable: false });
  }
  declare readonly output: string;
}

export function run(cmd: string, args: string[], opts: ExecOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let all = "";
    let partial = "";
    const onData = (isStdout: boolean) => (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      if (isStdout) stdout += text;
      all += text;
      if (all.length > 200_000) all = all.slice(-100_000);
      partial += text;
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) opts.onLine?.(line);
    };
    child.stdout.on("data", onData(true));
    child.stderr.on("data", onData(false));
    child.on("error", (err) => reject(new CommandError(`${cmd} ${args.join(" ")}`, null, String(err))));
    child.on("close", (code) => {
      if (partial) opts.onLine?.(partial);
      if (code === 0) resolve(stdout);
      else reject(new CommandError(`${cmd} ${args.join(" ")}`, code, all));
    });
    // A command that exits before reading its input (a container gone mid-fault) closes the pipe:
    // EPIPE on stdin is then no error of ours, and unhandled it would crash the whole process.
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
  });
}

/** Like run, but resolves to false instead of throwing when the command fails. */
export async function succeeds(cmd: string, args: string[]): Promise<boolean> {
  try {
    await run(cmd, args);
    return true;
  } catch {
    return false;
  }
}
