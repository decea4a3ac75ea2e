// The ssh kind's node commands: their exact text, and the process ones run for real in a local
// sh (what sshd would run), so a quoting or pid slip shows here and not on someone's host.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  asRoot,
  q,
  removeAllChainsCommand,
  signalCommand,
  startDetachedCommand,
  stateCommand,
  stateOf,
  stopCommand,
} from "../../harness/cluster/kinds/ssh/commands.ts";

const shellRun = async (command: string, shell = "/bin/sh") => {
  try {
    const r = await promisify(execFile)(shell, ["-c", command]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
};

describe("node commands: the exact text", () => {
  it("quotes every word it did not write, and runs as root through sudo -n for another user", async () => {
    expect(q("it's")).toBe(`'it'\\''s'`);
    expect((await shellRun(`printf %s ${q(`a 'b' $c; \`d\``)}`)).stdout).toBe(`a 'b' $c; \`d\``);
    expect(asRoot("iptables -w -F KH-x", "root")).toBe("iptables -w -F KH-x");
    expect(asRoot("iptables -w -F 'KH-x'", "kafka")).toBe(`sudo -n sh -c 'iptables -w -F '\\''KH-x'\\'''`);
  });

  it("signals by pid file or by the user's pid command", () => {
    expect(signalCommand({ file: "/opt/kh/kafka1.pid" }, "KILL")).toBe(
      `pid=$(cat '/opt/kh/kafka1.pid') && [ -n "$pid" ] || { echo "no pid" >&2; exit 3; }; kill -KILL $pid`,
    );
    expect(signalCommand({ command: "pgrep -f kafka.Kafka" }, "STOP")).toBe(
      `pid=$(pgrep -f kafka.Kafka) && [ -n "$pid" ] || { echo "no pid" >&2; exit 3; }; kill -STOP $pid`,
    );
    expect(stopCommand({ file: "/p" }, 2)).toBe(
      `pid=$(cat '/p') && [ -n "$pid" ] || { echo "no pid" >&2; exit 3; }; kill -TERM $pid; i=0; while ps -o stat= -p $pid 2>/dev/null | grep -qv '^Z'; do [ $i -ge 20 ] && exit 1; i=$((i+1)); sleep 0.1; done`,
    );
    expect(
      startDetachedCommand({
        command: "bin/kafka-server-start.sh config/server.properties",
        pidFile: "/k/b.pid",
        log: "/k/b.log",
        dir: "/k",
      }),
    ).toBe(
      `cd '/k' && { nohup sh -c 'exec bin/kafka-server-start.sh config/server.properties' < /dev/null >> '/k/b.log' 2>&1 & echo $! > '/k/b.pid'; }`,
    );
  });

  it("healing by hand removes every KH- chain with every front-end the host has, and touches no other chain", async () => {
    // Stand-in front-ends on PATH: iptables-nft holds the nemesis's chain and a crashed run's,
    // iptables-legacy one more; each call is logged. (No plain iptables here: it is skipped.)
    const dir = mkdtempSync(join(tmpdir(), "kh-iptables-"));
    const fake = (name: string, rules: string[]) =>
      writeFileSync(
        join(dir, name),
        `#!/bin/sh\necho "${name} $*" >> ${dir}/calls\ncase "$*" in "-w -S") printf '%s\\n' ${rules.map(q).join(" ")};; "-w -D INPUT -j "*) exit 1;; esac\n`,
        { mode: 0o755 },
      );
    fake("iptables-nft", [
      "-P INPUT ACCEPT",
      "-N DOCKER",
      "-N KH-NEMESIS",
      "-N MY-KH-X",
      "-N KH-20260101T000000-crash1",
      "-A INPUT -j KH-NEMESIS",
    ]);
    fake("iptables-legacy", ["-N KH-NEMESIS"]);
    await promisify(execFile)("/bin/sh", ["-c", removeAllChainsCommand()], { env: { PATH: `${dir}:/usr/bin:/bin` } });
    const calls = readFileSync(join(dir, "calls"), "utf8").trim().split("\n");
    expect(calls).toEqual([
      "iptables-nft -w -S",
      "iptables-nft -w -D INPUT -j KH-NEMESIS",
      "iptables-nft -w -F KH-NEMESIS",
      "iptables-nft -w -X KH-NEMESIS",
      "iptables-nft -w -D INPUT -j KH-20260101T000000-crash1",
      "iptables-nft -w -F KH-20260101T000000-crash1",
      "iptables-nft -w -X KH-20260101T000000-crash1",
      "iptables-legacy -w -S",
      "iptables-legacy -w -D INPUT -j KH-NEMESIS",
      "iptables-legacy -w -F KH-NEMESIS",
      "iptables-legacy -w -X KH-NEMESIS",
    ]);
  });

  it("reads a process state: T is paused, gone or a zombie is exited", () => {
    expect(["S", "Sl", "R+", "T", "Tl", "Z", "gone", ""].map(stateOf)).toEqual([
      "running",
      "running",
      "running",
      "paused",
      "paused",
      "exited",
      "exited",
      "exited",
    ]);
  });
});

// sshd runs a command with the login shell: dash (Debian's sh) or bash (root on most hosts).
describe.each(["/bin/sh", "/bin/bash"])("node commands: run in a local %s", (shell) => {
  // A start that kept the session's output open would wait for the process (600 s): the test's
  // own timeout is what catches it.
  it("start detached, pause, resume, stop gracefully and kill -9, each seen in the state", { timeout: 30_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "kh-ssh-cmd-"));
    const p = { file: join(dir, "p.pid") };
    const sh = (command: string) => shellRun(command, shell);
    const state = async () => stateOf((await sh(stateCommand(p))).stdout);
    const start = startDetachedCommand({ command: "sleep 600", pidFile: p.file, log: join(dir, "out.log"), dir });
    expect((await sh(start)).code).toBe(0);
    const pid = Number(readFileSync(p.file, "utf8"));
    expect(pid).toBeGreaterThan(1);
    // exec: the pid written is sleep's own, not a shell's.
    expect((await sh(`ps -o comm= -p ${pid}`)).stdout.trim()).toBe("sleep");
    expect(await state()).toBe("running");
    expect((await sh(signalCommand(p, "STOP"))).code).toBe(0);
    expect(await state()).toBe("paused");
    expect((await sh(signalCommand(p, "CONT"))).code).toBe(0);
    expect(await state()).toBe("running");
    expect((await sh(stopCommand(p, 5))).code).toBe(0);
    expect(await state()).toBe("exited");
    expect((await sh(start)).code).toBe(0);
    expect((await sh(signalCommand(p, "KILL"))).code).toBe(0);
    for (let i = 0; i < 50 && (await state()) !== "exited"; i++) await sh("sleep 0.1");
    expect(await state()).toBe("exited");
    const none = await sh(signalCommand({ command: "true" }, "KILL"));
    expect(none).toMatchObject({ code: 3, stderr: "no pid\n" });
  });
});
