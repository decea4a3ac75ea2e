// The ssh kind's node commands: their exact text, and the process ones run for real in a local
// sh (what sshd would run), so a quoting or pid slip shows here and not on someone's host.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  asRoot,
  chainName,
  dropFromCommand,
  ensureChainCommand,
  flushChainCommand,
  q,
  removeAllChainsCommand,
  removeChainCommand,
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

  it("network faults live in the run's own chain, jumped to from INPUT; healing flushes only that chain", () => {
    const chain = chainName("kh-20261207T090450-abc123");
    expect(chain).toBe("KH-20261207T090450-abc123");
    expect(chain.length).toBeLessThanOrEqual(28);
    expect(() => chainName("kh-20261207T090450-abc123-and-more")).toThrow(/no iptables chain name/);
    expect(() => chainName("kh-x;rm -rf /")).toThrow(/no iptables chain name/);
    expect(ensureChainCommand(chain)).toBe(
      `iptables -w -N ${chain} 2>/dev/null || true; iptables -w -C INPUT -j ${chain} 2>/dev/null || iptables -w -I INPUT 1 -j ${chain}`,
    );
    expect(dropFromCommand(chain, ["10.0.0.2", "kafka3.example.com"])).toBe(
      `iptables -w -A ${chain} -s '10.0.0.2' -j DROP && iptables -w -A ${chain} -s 'kafka3.example.com' -j DROP`,
    );
    expect(dropFromCommand(chain, [])).toBe("true");
    expect(flushChainCommand(chain)).toBe(`iptables -w -F ${chain} 2>/dev/null || true`);
    expect(removeChainCommand(chain)).toBe(
      `while iptables -w -D INPUT -j ${chain} 2>/dev/null; do :; done; iptables -w -F ${chain} 2>/dev/null || true; iptables -w -X ${chain} 2>/dev/null || true`,
    );
    // No command of the chain's names another chain or flushes a built-in one.
    for (const c of [ensureChainCommand(chain), flushChainCommand(chain), removeChainCommand(chain)]) {
      expect(c).not.toMatch(/-F( INPUT| OUTPUT| FORWARD)?( |$)(?!KH-)/);
      expect(c).not.toMatch(/-X( |$)(?!KH-)/);
    }
  });

  it("healing by hand removes every KH- chain, a crashed run's too, and lists no other", async () => {
    const all = removeAllChainsCommand();
    expect(all).toBe(`for c in $(iptables -w -S | sed -n 's/^-N \\(KH-[A-Za-z0-9-]*\\)$/\\1/p'); do ${removeChainCommand("$c")}; done`);
    // The listing part, on what iptables -S prints.
    const listing = /\$\((.*)\); do/.exec(all)![1]!.replace("iptables -w -S", "printf '%s\\n' \"$RULES\"");
    const rules = ["-P INPUT ACCEPT", "-N DOCKER", "-N KH-20261207T090450-abc123", "-N MY-KH-X", "-A INPUT -j KH-20261207T090450-abc123"];
    const r = await promisify(execFile)("/bin/sh", ["-c", listing], { env: { RULES: rules.join("\n") } });
    expect(r.stdout).toBe("KH-20261207T090450-abc123\n");
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
