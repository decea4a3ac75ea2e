// The shell commands the ssh kind runs on a node, as plain text from plain data (docs/design.md
// "Cluster kinds"). Pure, so the exact text is tested without a host; session.ts runs them.
// - processes are found by pid: a pid file the harness wrote (mode install) or the user's command
//   that prints the pid (mode existing);
// - network faults are the nemesis's own (harness/nemesis/iptables.ts: DROP rules in its chain,
//   jumped to from INPUT); here only the by-hand heal that removes every chain of the harness's.

import { IPTABLES_FRONT_ENDS } from "../../iptables-front-ends.ts";

/** Where a process's pid comes from. */
export type PidSource = { file: string } | { command: string };

/** The signals the faults send: kill -9, a graceful stop, pause and resume. */
export type Signal = "KILL" | "TERM" | "STOP" | "CONT";

/** A word for sh, single-quoted (a ' inside becomes '\''). */
export const q = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;

/** The command run as root: as is for root, else through sudo without a password prompt. */
export const asRoot = (command: string, user: string): string => (user === "root" ? command : `sudo -n sh -c ${q(command)}`);

/** A shell expression that prints the pid. */
const pidOf = (p: PidSource): string => ("file" in p ? `cat ${q(p.file)}` : p.command);

/** Reads the pid into $pid, failing (exit 3) when there is none to read. */
const readPid = (p: PidSource): string => `pid=$(${pidOf(p)}) && [ -n "$pid" ] || { echo "no pid" >&2; exit 3; }`;

/** Sends one signal to the process. */
export const signalCommand = (p: PidSource, signal: Signal): string => `${readPid(p)}; kill -${signal} $pid`;

/** True while the process is there and not a zombie: on a host whose pid 1 reaps nothing (a
 *  container), a process that ended stays a zombie, which kill -0 still finds. */
const alive = "ps -o stat= -p $pid 2>/dev/null | grep -qv '^Z'";

/**
 * A graceful stop: SIGTERM, then waits for the process to go (checking every 0.1 s, at most
 * `waitSeconds`); exit 1 if it is still there, so the caller can kill -9 it.
 */
export const stopCommand = (p: PidSource, waitSeconds: number): string =>
  `${readPid(p)}; kill -TERM $pid; i=0; while ${alive}; do [ $i -ge ${Math.ceil(waitSeconds * 10)} ] && exit 1; i=$((i+1)); sleep 0.1; done`;

/**
 * Starts a process in the background, detached from the SSH session, its output appended to
 * `log`; `exec` makes the pid written the process's own (not a shell's), so kill -9 reaches it.
 * Only that one command goes to the background, with every stream redirected: a background
 * subshell (`cd x && nohup ... &`) would keep the session's output open, and sshd would wait.
 */
export const startDetachedCommand = (o: { command: string; pidFile: string; log: string; dir?: string }): string =>
  `${o.dir ? `cd ${q(o.dir)} && ` : ""}{ nohup sh -c ${q(`exec ${o.command}`)} < /dev/null >> ${q(o.log)} 2>&1 & echo $! > ${q(o.pidFile)}; }`;

/** Prints the process's state letter (R, S, T...) or `gone`: what stateOf reads. */
export const stateCommand = (p: PidSource): string =>
  `pid=$(${pidOf(p)} 2>/dev/null); [ -n "$pid" ] && ps -o stat= -p $pid 2>/dev/null || echo gone`;

/** A node's process as the nemesis sees it (the docker kind's container states that apply). */
export type ProcessState = "running" | "paused" | "exited";

/** stateCommand's output as a state: T (stopped by SIGSTOP) is paused, Z (a zombie) is gone. */
export function stateOf(output: string): ProcessState {
  const s = output.trim();
  if (s === "gone" || s === "" || s.startsWith("Z")) return "exited";
  return s.startsWith("T") ? "paused" : "running";
}

/** Removes one chain and its jump from INPUT with front-end $v. Idempotent. */
const removeChain = (chain: string): string =>
  [
    `while $v -w -D INPUT -j ${chain} 2>/dev/null; do :; done`,
    `$v -w -F ${chain} 2>/dev/null || true`,
    `$v -w -X ${chain} 2>/dev/null || true`,
  ].join("; ");

/** Removes every chain of the harness's on the node (the nemesis's KH-NEMESIS, or any KH- chain a
 *  crashed run left), with every front-end the host has: what healing a node by hand does. Chains
 *  of other names are never listed, so never touched. */
export const removeAllChainsCommand = (): string =>
  `for v in ${IPTABLES_FRONT_ENDS.join(" ")}; do command -v $v >/dev/null 2>&1 || continue; for c in $($v -w -S 2>/dev/null | sed -n 's/^-N \\(KH-[A-Za-z0-9-]*\\)$/\\1/p'); do ${removeChain("$c")}; done; done`;
