// The ssh kind's edge and node commands on stand-in hosts (containers with sshd, reached over SSH
// only): a process started detached, paused, resumed, stopped and killed by its pid file; a host cut
// off by DROP rules in the run's own chain, healed by flushing that chain, the host's other rules
// untouched; every command in logs/ssh.log.
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  q,
  removeAllChainsCommand,
  signalCommand,
  startDetachedCommand,
  stateCommand,
  stateOf,
  stopCommand,
} from "../../harness/cluster/kinds/ssh/commands.ts";
import { connect, fileSshLog, type SshSession } from "../../harness/cluster/kinds/ssh/session.ts";
import { CHAIN, dropScript, flushScript } from "../../harness/nemesis/iptables.ts";
import { type StandInHosts, startStandInHosts } from "./ssh-hosts.ts";

const dir = mkdtempSync(join(tmpdir(), "kh-ssh-hosts-"));
const logPath = join(dir, "logs", "ssh.log");
mkdirSync(join(dir, "logs"));
let hosts: StandInHosts;
let s1: SshSession;
let s2: SshSession;

beforeAll(async () => {
  hosts = await startStandInHosts(2, dir, (m) => console.error(m));
  const log = fileSshLog(logPath);
  const [h1, h2] = hosts.hosts;
  const target = (h: typeof h1) => ({ name: h!.name, host: "127.0.0.1", port: h!.sshPort, user: "root", keyFile: hosts.keyFile });
  s1 = await connect(target(h1), log);
  s2 = await connect(target(h2), log);
});
afterAll(async () => {
  s1?.close();
  s2?.close();
  await hosts?.[Symbol.asyncDispose]();
});

describe("ssh kind on stand-in hosts", () => {
  it("a process: started detached, paused, resumed, stopped gracefully and killed -9 by its pid file", async () => {
    const p = { file: "/tmp/kh-proc.pid" };
    const state = async () => stateOf(await s1.run(stateCommand(p)));
    await s1.run(startDetachedCommand({ command: "sleep 600", pidFile: p.file, log: "/tmp/kh-proc.log", dir: "/tmp" }));
    expect(await state()).toBe("running");
    await s1.run(signalCommand(p, "STOP"));
    expect(await state()).toBe("paused");
    await s1.run(signalCommand(p, "CONT"));
    expect(await state()).toBe("running");
    await s1.run(stopCommand(p, 5), { timeoutMs: 10_000 });
    expect(await state()).toBe("exited");
    await s1.run(startDetachedCommand({ command: "sleep 600", pidFile: p.file, log: "/tmp/kh-proc.log" }));
    expect(await state()).toBe("running");
    await s1.run(signalCommand(p, "KILL"));
    for (let i = 0; i < 50 && (await state()) !== "exited"; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await state()).toBe("exited");
  });

  it("a host cut off in the nemesis's chain over SSH, healed by removing it; the host's own rules stay", async () => {
    const [h1, h2] = hosts.hosts;
    const chain = CHAIN;
    const v = "iptables-nft";
    const reaches = async () => (await s2.exec(`nc -z -w 1 ${h1!.address} 22`, { timeoutMs: 10_000 })).code === 0;
    // A rule of the host's own, before the harness comes.
    const own = "-A INPUT -s 10.99.99.99/32 -j DROP";
    await s1.run(`${v} -w ${own}`);
    expect(await reaches()).toBe(true);
    await s1.run(`bash -c ${q(dropScript(v, []))}`);
    await s1.run(`bash -c ${q(dropScript(v, [h2!.address]))}`); // idempotent: one jump only
    expect(await reaches()).toBe(false);
    const during = await s1.run(`${v} -w -S`);
    expect(during.split("\n").filter((l) => l === `-A INPUT -j ${chain}`)).toHaveLength(1);
    expect(during).toContain(`-A ${chain} -s ${h2!.address}/32 -j DROP`);
    await s1.run(`bash -c ${q(flushScript(v))}`);
    expect(await reaches()).toBe(true);
    const after = await s1.run(`${v} -w -S`);
    expect(after).not.toContain("KH-");
    expect(after).toContain(own);
  });

  it("healing by hand removes a crashed run's chain with its rules, and nothing else", async () => {
    const [h1, h2] = hosts.hosts;
    const crashed = "KH-20260101T000000-crash1";
    await s1.run(
      `iptables-nft -w -N ${crashed} && iptables-nft -w -I INPUT 1 -j ${crashed} && iptables-nft -w -A ${crashed} -s ${h2!.address} -j DROP`,
    );
    await s1.run("iptables-nft -w -N USER-RULES && iptables-nft -w -A USER-RULES -s 10.99.99.98/32 -j DROP");
    expect((await s2.exec(`nc -z -w 1 ${h1!.address} 22`, { timeoutMs: 10_000 })).code).toBe(1);
    await s1.run(removeAllChainsCommand());
    expect((await s2.exec(`nc -z -w 1 ${h1!.address} 22`, { timeoutMs: 10_000 })).code).toBe(0);
    const after = await s1.run("iptables-nft -w -S");
    expect(after).not.toContain("KH-");
    expect(after).toContain("-A USER-RULES -s 10.99.99.98/32 -j DROP");
  });

  it("every command is in logs/ssh.log: time, node, exit status, duration, command", () => {
    const lines = readFileSync(logPath, "utf8").trim().split("\n");
    expect(lines[0]).toMatch(/^\S+Z\thost1\t0\t\d+ms\t\(connect; host key SHA256 \S+\)$/);
    expect(lines).toContainEqual(expect.stringMatching(/\thost1\t0\t\d+ms\tiptables-nft -w -A INPUT -s 10\.99\.99\.99\/32 -j DROP$/));
    expect(lines).toContainEqual(expect.stringMatching(/\thost2\t1\t\d+ms\tnc -z -w 1 \S+ 22$/));
  });
});
