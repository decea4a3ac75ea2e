// The side of provisioning that prints and writes: one log per process (created only when a step
// has work to do), fed through the pure summary (provision-summary.ts). Every provisioning path
// comes through here: the engine (engine.ts), the image build (images/build-images.ts), Chromium
// for the report tests (test/browser/global-setup.ts).
import { appendFileSync, mkdirSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { run } from "./exec.ts";
import { INITIAL_PROVISION_STATE, type ProvisionEvent, type ProvisionState, provisionStep } from "./provision-summary.ts";
import { secondsSince } from "./wait.ts";

export type Progress = (message: string) => void;

/** This process's provisioning log: `${XDG_CACHE_HOME:-~/.cache}/kafka-harness/logs/`, one file per
 *  process (two processes building at once never interleave), named by its start time. */
export function provisionLogPath(env: NodeJS.ProcessEnv = process.env, now = new Date(), pid = process.pid): string {
  const cache = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  const stamp = now.toISOString().replace(/[:.]/g, "-");
  return join(cache, "kafka-harness", "logs", `provision-${stamp}-${pid}.log`);
}

class ProvisionLog {
  private state: ProvisionState = INITIAL_PROVISION_STATE;
  /** Log lines from before the file exists (kept for it; dropped if no step ever does work). */
  private pending: string[] = [];
  private path?: string;
  private written = false;

  emit(e: ProvisionEvent, progress: Progress): void {
    const r = provisionStep(this.state, e, this.path ?? this.choosePath());
    this.state = r.state;
    this.pending.push(...r.log);
    if (this.state.announced) this.flush();
    for (const line of r.print) progress(line);
  }

  /** The cache folder, or the OS temp folder when it cannot be made (a read-only home). */
  private choosePath(): string {
    const preferred = provisionLogPath();
    try {
      mkdirSync(dirname(preferred), { recursive: true });
      this.path = preferred;
    } catch {
      this.path = join(tmpdir(), `kafka-harness-${preferred.split("/").at(-1)}`);
    }
    return this.path;
  }

  private flush(): void {
    if (this.pending.length === 0 || !this.path) return;
    if (!this.written) {
      this.written = true;
      this.pending.unshift(
        `# kafka-harness provisioning log: ${process.argv.slice(1).join(" ")} (pid ${process.pid}), ${new Date().toISOString()}`,
      );
    }
    try {
      appendFileSync(this.path, `${this.pending.join("\n")}\n`);
    } catch {
      // A log that cannot be written must not fail the provisioning it describes.
    }
    this.pending = [];
  }
}

/** One per process: a suite checks the machine before every run, and says "nothing to do" once. */
const log = new ProvisionLog();

/** A step with nothing to do: one line (once per process and step). */
export function provisionReady(step: string, what: string, progress: Progress): void {
  log.emit({ kind: "ready", step, what }, progress);
}

/** A step with work to do: its start line, every line of its tools' output to the log (through
 *  `output`), its end with seconds; on failure its last lines and the log's path, then the error. */
export async function provisionWork<T>(
  step: string,
  what: string,
  progress: Progress,
  work: (output: (line: string) => void) => Promise<T>,
  result?: (value: T) => string,
): Promise<T> {
  const started = performance.now();
  log.emit({ kind: "start", step, what }, progress);
  try {
    const value = await work((line) => log.emit({ kind: "output", step, line }, progress));
    log.emit({ kind: "done", step, seconds: secondsSince(started), ...(result ? { result: result(value) } : {}) }, progress);
    return value;
  } catch (err) {
    log.emit({ kind: "failed", step, seconds: secondsSince(started), error: (err as Error).message ?? String(err) }, progress);
    throw err;
  }
}

/** A scripts/ensure-* script's status lines ("ensure-docker: installing ..."); the rest is tool output. */
const STATUS = /^ensure-[a-z-]+: (?!ERROR)(.*)$/;

/**
 * Runs an idempotent scripts/ensure-* script as one step. The script prints nothing when there is
 * nothing to do; its first status line starts the step (it says what it does and why), every other
 * line goes to the log. `state` says what is there afterwards ("Docker 26.1.5 answers"): the ready
 * line, or the done line's result.
 */
export async function provisionScript(step: string, script: string, progress: Progress, state: () => Promise<string>): Promise<void> {
  const started = performance.now();
  let begun = false;
  const early: string[] = [];
  const onLine = (line: string) => {
    if (!line.trim()) return;
    const status = STATUS.exec(line);
    if (!begun && status) {
      begun = true;
      log.emit({ kind: "start", step, what: status[1]! }, progress);
      for (const l of early.splice(0)) log.emit({ kind: "output", step, line: l }, progress);
    }
    if (begun) log.emit({ kind: "output", step, line }, progress);
    else early.push(line);
  };
  try {
    await run("bash", [script], { onLine });
    const now = await state();
    if (begun) log.emit({ kind: "done", step, seconds: secondsSince(started), result: now }, progress);
    else provisionReady(step, now, progress);
  } catch (err) {
    for (const l of early.splice(0)) log.emit({ kind: "output", step, line: l }, progress);
    log.emit({ kind: "failed", step, seconds: secondsSince(started), error: (err as Error).message ?? String(err) }, progress);
    throw err;
  }
}
