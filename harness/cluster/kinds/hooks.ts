// User hooks: the commands that carry out faults on a cluster the harness does not own (kind
// "attach"). A hook is a shell command (`/bin/sh -c`) run once per target broker when its fault
// starts and again when it stops, with the fault and the target in the environment; the fault is
// applied only if the command exits 0. Every run of a hook is appended to the run folder's
// logs/hooks.log (time, fault, phase, node, exit status, milliseconds, its stderr's tail).
import { spawn } from "node:child_process";
import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { FaultHooks, HookFault } from "../../spec/attach-faults.ts";

export type HookPhase = "start" | "stop";

/** The broker a hook acts on, as Kafka's metadata names it. */
export interface HookTarget {
  name: string;
  id: number;
  host: string;
  port: number;
}

export interface HookContext {
  /** The run folder (KH_RUN_DIR); its logs/hooks.log gets a line per hook run. */
  runDir: string;
  bootstrap: readonly string[];
  topic: string;
}

export interface HookRun {
  exitCode: number | null;
  /** Set when the command was killed for running longer than the hook timeout. */
  timedOut: boolean;
  stderr: string;
  ms: number;
}

export class HookError extends Error {}

export const DEFAULT_HOOK_TIMEOUT_SECONDS = 60;
const STDERR_KEPT = 2000;

/** The environment a hook sees besides the harness's own (documented in the README). */
export function hookEnv(fault: HookFault, phase: HookPhase, target: HookTarget, c: HookContext): Record<string, string> {
  return {
    KH_FAULT: fault,
    KH_PHASE: phase,
    KH_TARGET_NODE: target.name,
    KH_TARGET_ID: String(target.id),
    KH_TARGET_HOST: target.host,
    KH_TARGET_PORT: String(target.port),
    KH_RUN_DIR: c.runDir,
    KH_BOOTSTRAP: c.bootstrap.join(","),
    KH_TOPIC: c.topic,
  };
}

/** Runs one command with /bin/sh -c; its process group is killed after timeoutMs. Never rejects
 *  for the command's own failure: the caller judges the exit status. */
export function runCommand(command: string, env: Record<string, string>, timeoutMs: number): Promise<HookRun> {
  const began = performance.now();
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", command], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
    });
    let stderr = "";
    let timedOut = false;
    child.stderr.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString("utf8")).slice(-STDERR_KEPT);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL"); // its group: a script's own children too
      } catch {
        child.kill("SIGKILL");
      }
    }, timeoutMs);
    const done = (exitCode: number | null) => {
      clearTimeout(timer);
      resolve({ exitCode, timedOut, stderr: stderr.trim(), ms: Math.round(performance.now() - began) });
    };
    child.on("error", (err) => {
      stderr = err.message;
      done(null);
    });
    child.on("close", (code) => done(code));
  });
}

/** Runs the hooks of a spec: `run` resolves when the hook exited 0, else throws a HookError whose
 *  message (the fault op's reason) carries the exit status and the stderr's tail. */
export function hookRunner(hooks: FaultHooks, c: HookContext) {
  const timeoutMs = (hooks.timeoutSeconds ?? DEFAULT_HOOK_TIMEOUT_SECONDS) * 1000;
  const logPath = `${c.runDir}/logs/hooks.log`;
  const log = async (line: string) => {
    await mkdir(dirname(logPath), { recursive: true });
    await appendFile(logPath, `${line}\n`);
  };
  return {
    async run(fault: HookFault, phase: HookPhase, target: HookTarget): Promise<HookRun> {
      const command = hooks[fault];
      if (!command) throw new HookError(`no hook for ${fault} (faults.hooks.${fault})`);
      const r = await runCommand(command, hookEnv(fault, phase, target, c), timeoutMs);
      const status = r.timedOut ? `killed after ${timeoutMs / 1000} s` : `exit ${r.exitCode}`;
      await log(
        `${new Date().toISOString()} ${fault} ${phase} ${target.name} (${target.host}:${target.port}) ${status} ${r.ms} ms${r.stderr ? `: ${r.stderr.replace(/\n/g, " | ")}` : ""}`,
      ).catch(() => undefined);
      if (r.exitCode !== 0 || r.timedOut)
        throw new HookError(`hook ${fault} ${phase} on ${target.name} ${status}${r.stderr ? `: ${r.stderr.slice(-500)}` : ""}`);
      return r;
    },
  };
}

export type HookRunner = ReturnType<typeof hookRunner>;
