// The ssh kind's session against an SSH server in this process (ssh2's own Server, running each
// command in a local sh): key login, exit status, stderr, the timeout, uploads, and every command
// in the ssh log. The stand-in hosts (containers with sshd) test the same module end to end.
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Connection, Server, utils } from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type SshLogEntry, type SshTarget, sshLogLine } from "../../harness/cluster/kinds/ssh/session.ts";
import { sshKeyPair } from "../fixtures/ssh-key.ts";

const dir = mkdtempSync(join(tmpdir(), "kh-ssh-session-"));
const clientKey = sshKeyPair();
const otherKey = sshKeyPair();
const allowed = utils.parseKey(clientKey.public);
writeFileSync(join(dir, "id"), clientKey.private);
writeFileSync(join(dir, "other"), otherKey.private);

/** Serves exec (a local sh) and the SFTP requests an upload makes (open, fsetstat, write, close). */
function serve(conn: Connection) {
  conn.on("authentication", (ctx) => {
    if (allowed instanceof Error || ctx.method !== "publickey" || ctx.username !== "kh") return ctx.reject(["publickey"]);
    if (ctx.key.algo !== allowed.type || !ctx.key.data.equals(allowed.getPublicSSH())) return ctx.reject(["publickey"]);
    if (ctx.signature && allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(["publickey"]);
    ctx.accept();
  });
  conn.on("ready", () =>
    conn.on("session", (accept) => {
      const session = accept();
      session.on("exec", (acceptExec, _reject, info) => {
        const stream = acceptExec();
        const child = spawn("/bin/sh", ["-c", info.command]);
        child.stdout.pipe(stream, { end: false });
        child.stderr.pipe(stream.stderr, { end: false });
        session.on("signal", (_a, _r, s) => void child.kill(`SIG${s.name}` as NodeJS.Signals));
        child.on("close", (code, signal) => {
          if (code !== null) stream.exit(code);
          else stream.exit(signal!.replace(/^SIG/, ""), false, "");
          stream.end();
        });
      });
      session.on("sftp", (acceptSftp) => {
        const sftp = acceptSftp();
        const fds = new Map<number, number>();
        let next = 0;
        sftp.on("OPEN", (id, path) => {
          const h = Buffer.alloc(4);
          h.writeUInt32BE(next);
          fds.set(next++, openSync(path, "w"));
          sftp.handle(id, h);
        });
        sftp.on("FSETSTAT", (id) => sftp.status(id, utils.sftp.STATUS_CODE.OK));
        sftp.on("WRITE", (id, h, offset, data) => {
          writeSync(fds.get(h.readUInt32BE())!, data, 0, data.length, offset);
          sftp.status(id, utils.sftp.STATUS_CODE.OK);
        });
        sftp.on("CLOSE", (id, h) => {
          closeSync(fds.get(h.readUInt32BE())!);
          sftp.status(id, utils.sftp.STATUS_CODE.OK);
        });
      });
    }),
  );
  conn.on("error", () => undefined);
}

let server: Server;
let target: SshTarget;
beforeAll(async () => {
  const hostKey = sshKeyPair();
  server = new Server({ hostKeys: [hostKey.private] }, serve);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  target = { name: "kafka1", host: "127.0.0.1", port: (server.address() as AddressInfo).port, user: "kh", keyFile: join(dir, "id") };
});
afterAll(() => void server.close());

describe("an SSH session to a node", () => {
  it("runs commands with their exit status and output, each in the log", async () => {
    const entries: SshLogEntry[] = [];
    const s = await connect(target, async (e) => void entries.push(e));
    try {
      expect(s.hostKey).toMatch(/^[A-Za-z0-9+/=]{40,}$/);
      expect(await s.exec("echo out; echo err >&2; exit 7")).toEqual({ code: 7, stdout: "out\n", stderr: "err\n", timedOut: false });
      expect(await s.run("printf %s 'a b'")).toBe("a b");
      await expect(s.run("echo nope >&2; exit 2")).rejects.toThrow("kafka1: echo nope >&2; exit 2 exited 2: nope");
    } finally {
      s.close();
    }
    expect(entries.map((e) => [e.node, e.command, e.status])).toEqual([
      ["kafka1", `(connect; host key SHA256 ${s.hostKey})`, 0],
      ["kafka1", "echo out; echo err >&2; exit 7", 7],
      ["kafka1", "printf %s 'a b'", 0],
      ["kafka1", "echo nope >&2; exit 2", 2],
    ]);
    expect(entries.every((e) => e.startedAt instanceof Date && e.ms >= 0)).toBe(true);
  });

  it("ends a command that outlives its timeout, and says so", async () => {
    const entries: SshLogEntry[] = [];
    const s = await connect(target, async (e) => void entries.push(e));
    try {
      const r = await s.exec("sleep 30", { timeoutMs: 300 });
      expect(r).toMatchObject({ code: null, timedOut: true });
      await expect(s.run("sleep 30", { timeoutMs: 300 })).rejects.toThrow("kafka1: sleep 30 timed out after 300 ms");
    } finally {
      s.close();
    }
    expect(entries.slice(1).map((e) => e.status)).toEqual(["timeout", "timeout"]);
  });

  it("uploads a file", async () => {
    const entries: SshLogEntry[] = [];
    const s = await connect(target, async (e) => void entries.push(e));
    const from = join(dir, "config");
    writeFileSync(from, "broker.id=1\n".repeat(5000));
    try {
      await s.upload(from, join(dir, "uploaded"));
    } finally {
      s.close();
    }
    expect(readFileSync(join(dir, "uploaded"), "utf8")).toBe(readFileSync(from, "utf8"));
    expect(entries[1]).toMatchObject({ command: `(upload ${from} → ${join(dir, "uploaded")})`, status: 0 });
  });

  it("a login refused names the node and the login, and is logged", async () => {
    const entries: SshLogEntry[] = [];
    await expect(connect({ ...target, keyFile: join(dir, "other") }, async (e) => void entries.push(e))).rejects.toThrow(
      `kafka1: cannot log in to kh@127.0.0.1:${target.port}: All configured authentication methods failed`,
    );
    expect(entries).toMatchObject([
      { node: "kafka1", command: "(connect)", status: "error: All configured authentication methods failed" },
    ]);
  });

  it("a log line: time, node, status, duration, then the command on one line", () => {
    const startedAt = new Date("2026-12-07T09:00:00.000Z");
    expect(sshLogLine({ node: "kafka2", command: "kill -STOP $pid\nx", status: 0, startedAt, ms: 12 })).toBe(
      "2026-12-07T09:00:00.000Z\tkafka2\t0\t12ms\tkill -STOP $pid\\nx\n",
    );
  });
});
