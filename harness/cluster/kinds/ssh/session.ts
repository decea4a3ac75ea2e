// The ssh kind's one edge to a node: connect, run a command (its exit status, and a timeout that
// ends it), upload a file. The only module that imports the SSH library (docs/design.md "Cluster
// kinds": why ssh2). Every command run goes to the run folder's logs/ssh.log: node, command, exit
// status, start time and duration, so what the harness did on someone's host can be read after.
import { appendFile, readFile } from "node:fs/promises";
import { Client, type ConnectConfig } from "ssh2";
import { messageOf } from "../../../util/errors.ts";

/** How to reach one node. */
export interface SshTarget {
  /** The node's name in logs (kafka1, zk2...). */
  name: string;
  host: string;
  port: number;
  user: string;
  /** A private key file; absent: the agent at $SSH_AUTH_SOCK. */
  keyFile?: string;
  /** How long connecting may take. */
  connectTimeoutMs?: number;
}

/** A command's end on the node. code null: no exit status (ended by a signal, or timed out). */
export interface ExecResult {
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** One line of logs/ssh.log. */
export interface SshLogEntry {
  node: string;
  command: string;
  /** The exit status, or how it ended without one. */
  status: number | "timeout" | `signal ${string}` | `error: ${string}`;
  startedAt: Date;
  ms: number;
}

/** A log line: tab-separated, the command last (it may hold tabs; never a line break). */
export const sshLogLine = (e: SshLogEntry): string =>
  `${e.startedAt.toISOString()}\t${e.node}\t${e.status}\t${e.ms}ms\t${e.command.replaceAll("\n", "\\n")}\n`;

/** Where the entries go: the run's logs/ssh.log, or a test's list. */
export type SshLog = (e: SshLogEntry) => Promise<void>;

/** Appends to a file (the run folder's logs/ssh.log). */
export const fileSshLog =
  (path: string): SshLog =>
  (e) =>
    appendFile(path, sshLogLine(e));

export interface SshSession {
  readonly target: SshTarget;
  /** The host key's SHA-256 fingerprint as seen at connect (logged: no known_hosts is kept yet). */
  readonly hostKey: string;
  exec(command: string, o?: { timeoutMs?: number }): Promise<ExecResult>;
  /** exec, and an error naming the node, command and stderr unless it exited 0. */
  run(command: string, o?: { timeoutMs?: number }): Promise<string>;
  upload(localPath: string, remotePath: string): Promise<void>;
  close(): void;
}

/** Opens an SSH connection to a node. */
export async function connect(target: SshTarget, log: SshLog): Promise<SshSession> {
  const client = new Client();
  let hostKey = "";
  const config: ConnectConfig = {
    host: target.host,
    port: target.port,
    username: target.user,
    readyTimeout: target.connectTimeoutMs ?? 20_000,
    // Accepted and recorded (Jepsen's default too); known_hosts checking is a TODO.
    hostHash: "sha256",
    hostVerifier: (hash: string) => {
      hostKey = hash;
      return true;
    },
    ...(target.keyFile ? { privateKey: await readFile(target.keyFile) } : { agent: process.env.SSH_AUTH_SOCK }),
  };
  const startedAt = new Date();
  await new Promise<void>((resolve, reject) => {
    client.once("ready", () => resolve());
    client.once("error", reject);
    client.connect(config);
  }).catch(async (err: unknown) => {
    await log({ node: target.name, command: "(connect)", status: `error: ${messageOf(err)}`, startedAt, ms: Date.now() - +startedAt });
    throw new Error(`${target.name}: cannot log in to ${target.user}@${target.host}:${target.port}: ${messageOf(err)}`);
  });
  await log({ node: target.name, command: `(connect; host key SHA256 ${hostKey})`, status: 0, startedAt, ms: Date.now() - +startedAt });

  const exec = (command: string, o: { timeoutMs?: number } = {}): Promise<ExecResult> => {
    const started = new Date();
    const done = (r: ExecResult) =>
      log({
        node: target.name,
        command,
        status: r.timedOut ? "timeout" : (r.code ?? `signal ${r.signal ?? "?"}`),
        startedAt: started,
        ms: Date.now() - +started,
      }).then(() => r);
    return new Promise<ExecResult>((resolve, reject) => {
      client.exec(command, (err, channel) => {
        if (err) {
          log({ node: target.name, command, status: `error: ${err.message}`, startedAt: started, ms: Date.now() - +started }).finally(() =>
            reject(new Error(`${target.name}: ${err.message}`)),
          );
          return;
        }
        let stdout = "";
        let stderr = "";
        let timedOut = false;
        const timer =
          o.timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                timedOut = true;
                // Ends the remote command where the server allows signals, and the channel anyway.
                channel.signal("KILL");
                channel.close();
              }, o.timeoutMs);
        channel.on("data", (d: Buffer) => void (stdout += d.toString()));
        channel.stderr.on("data", (d: Buffer) => void (stderr += d.toString()));
        let code: number | null = null;
        let signal: string | undefined;
        channel.on("exit", (c: number | null, s?: string) => {
          code = c;
          signal = s ?? undefined;
        });
        channel.on("close", () => {
          clearTimeout(timer);
          resolve(done({ code: timedOut ? null : code, ...(signal ? { signal } : {}), stdout, stderr, timedOut }));
        });
      });
    });
  };

  return {
    target,
    hostKey,
    exec,
    async run(command, o) {
      const r = await exec(command, o);
      if (r.code !== 0)
        throw new Error(
          `${target.name}: ${command} ${r.timedOut ? `timed out after ${o?.timeoutMs} ms` : r.code === null ? `ended by ${r.signal}` : `exited ${r.code}`}${r.stderr.trim() ? `: ${r.stderr.trim()}` : ""}`,
        );
      return r.stdout;
    },
    upload(localPath, remotePath) {
      const started = new Date();
      const command = `(upload ${localPath} → ${remotePath})`;
      return new Promise<void>((resolve, reject) => {
        client.sftp((err, sftp) => {
          if (err) return reject(err);
          sftp.fastPut(localPath, remotePath, (e) => {
            sftp.end();
            if (e) reject(e);
            else resolve();
          });
        });
      }).then(
        () => log({ node: target.name, command, status: 0, startedAt: started, ms: Date.now() - +started }),
        async (e: unknown) => {
          await log({ node: target.name, command, status: `error: ${messageOf(e)}`, startedAt: started, ms: Date.now() - +started });
          throw new Error(`${target.name}: upload to ${remotePath} failed: ${messageOf(e)}`);
        },
      );
    },
    close: () => client.end(),
  };
}
