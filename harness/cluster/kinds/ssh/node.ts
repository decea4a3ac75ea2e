// A node of the ssh kind as the nemesis drives it (RunNode): its process faults are the node
// commands (commands.ts) run over its session. Mode install starts the process detached with a pid
// file of the harness's own; mode existing runs the user's start command and finds the pid with the
// user's pid command. The network faults (the chain) are the cluster's, not a node's.
import type { Role } from "../../node-container.ts";
import type { ContainerState, NodeFiles } from "../../node-handle.ts";
import type { RunNode } from "../kind.ts";
import { asRoot, type PidSource, q, signalCommand, startDetachedCommand, stateCommand, stateOf, stopCommand } from "./commands.ts";
import type { SshSession } from "./session.ts";

/** How the node's process is started and found. */
export type SshProcess =
  | { mode: "existing"; start: string; pid: string }
  | { mode: "install"; command: string; pidFile: string; log: string; dir: string };

export interface SshNodeOptions {
  name: string;
  role: Role;
  id: number;
  /** The node's address as the other nodes and the clients reach it. */
  host: string;
  externalPort?: number;
  /** A dedicated controller's CONTROLLER port (asked for the quorum). */
  controllerPort?: number;
  session: SshSession;
  process: SshProcess;
  /** How long one command may take on the node. */
  commandTimeoutMs?: number;
}

const pidSource = (p: SshProcess): PidSource => (p.mode === "install" ? { file: p.pidFile } : { command: p.pid });

export function sshNode(o: SshNodeOptions): RunNode {
  const pid = pidSource(o.process);
  const timeoutMs = o.commandTimeoutMs ?? 30_000;
  // Signals, state, the harness's own start and exec run as root (sudo -n for another login): the
  // process may be another user's, and iptables needs root. The user's start command runs as given.
  const root = (command: string) => asRoot(command, o.session.target.user);
  const run = (command: string, t = timeoutMs) => o.session.run(root(command), { timeoutMs: t });
  const signal = (s: "KILL" | "STOP" | "CONT") => run(signalCommand(pid, s)).then(() => undefined);
  let last: string | undefined;
  // Mode install: the harness's own folder, so it knows where log.dirs is (mode existing: the user's).
  const files = o.process.mode === "install" ? shellFiles(`${o.process.dir}/data/kafka`, o.process.log, run) : undefined;
  return {
    ...(files ? { files } : {}),
    name: o.name,
    role: o.role,
    id: o.id,
    // The ports listen on the host itself, not on 127.0.0.1.
    externalHost: o.host,
    ...(o.externalPort !== undefined ? { externalPort: o.externalPort } : {}),
    ...(o.controllerPort !== undefined ? { controllerPort: o.controllerPort } : {}),
    address: async () => o.host,
    lastAddress: () => last,
    state: async (): Promise<ContainerState> => stateOf((await o.session.exec(root(stateCommand(pid)), { timeoutMs })).stdout),
    async kill() {
      last = o.host;
      await signal("KILL");
    },
    async stop(timeoutSeconds = 10) {
      last = o.host;
      // exit 1: still there after the wait, so kill -9 (a clean shutdown if it manages one in time).
      const r = await o.session.exec(root(stopCommand(pid, timeoutSeconds)), { timeoutMs: timeoutMs + timeoutSeconds * 1000 });
      if (r.code === 1) await signal("KILL");
      else if (r.code !== 0) throw new Error(`${o.name}: stop exited ${r.code ?? "without a status"}: ${r.stderr.trim()}`);
    },
    async start() {
      if (o.process.mode === "install") await run(startDetachedCommand(o.process));
      else await o.session.run(o.process.start, { timeoutMs });
    },
    pause: () => signal("STOP"),
    unpause: () => signal("CONT"),
    async exec(command) {
      const r = await o.session.exec(root(command.map(q).join(" ")), { timeoutMs });
      return { exitCode: r.code ?? -1, output: r.stdout + r.stderr };
    },
  };
}

/**
 * A host's files through its shell (the host runs whether Kafka does or not): base64 both ways, so
 * a segment of a test's size, not a production one.
 */
function shellFiles(logDir: string, log: string, run: (command: string) => Promise<string>): NodeFiles {
  return {
    logDir,
    async list(dir) {
      const out = await run(`find ${q(dir)} -maxdepth 1 -type f -printf '%s %f\\n'`);
      return out
        .split("\n")
        .filter(Boolean)
        .map((l) => ({ size: Number(l.slice(0, l.indexOf(" "))), name: l.slice(l.indexOf(" ") + 1) }));
    },
    read: async (path) => Buffer.from(await run(`base64 -w0 ${q(path)}`), "base64"),
    async write(path, data) {
      await run(`printf %s ${q(data.toString("base64"))} | base64 -d > ${q(path)}.kh-tmp && mv ${q(path)}.kh-tmp ${q(path)}`);
    },
    log: async () => run(`tail -c 2000000 ${q(log)}`),
  };
}
