// The ssh kind's node over a recorded session: which commands each fault sends, and a graceful
// stop that falls back to kill -9 only when the process outlives the wait.
import { describe, expect, it } from "vitest";
import { signalCommand, startDetachedCommand, stopCommand } from "../../harness/cluster/kinds/ssh/commands.ts";
import { type SshProcess, sshNode } from "../../harness/cluster/kinds/ssh/node.ts";
import type { ExecResult, SshSession } from "../../harness/cluster/kinds/ssh/session.ts";

function recorded(answer: (command: string) => Partial<ExecResult> = () => ({}), user = "root") {
  const sent: string[] = [];
  const exec = async (command: string) => {
    sent.push(command);
    return { code: 0, stdout: "", stderr: "", timedOut: false, ...answer(command) };
  };
  const session = {
    target: { name: "kafka1", host: "10.0.0.1", port: 22, user },
    exec,
    run: async (command: string) => {
      const r = await exec(command);
      if (r.code !== 0) throw new Error(`exited ${r.code}`);
      return r.stdout;
    },
  } as unknown as SshSession;
  return { sent, session };
}

const install: SshProcess = { mode: "install", command: "bin/kafka-server-start.sh c", pidFile: "/k/p", log: "/k/l", dir: "/k" };
const existing: SshProcess = { mode: "existing", start: "systemctl start kafka", pid: "pgrep -f kafka.Kafka" };
const nodeOf = (process: SshProcess, session: SshSession) =>
  sshNode({ name: "kafka1", role: "broker", id: 1, host: "10.0.0.1", externalPort: 9092, session, process });

describe("an ssh node's faults", () => {
  it("another login than root runs the node commands through sudo -n, and the user's start command as given", async () => {
    const r = recorded(() => ({}), "kafka");
    const n = nodeOf(existing, r.session);
    await n.kill();
    await n.start();
    expect(r.sent).toEqual([
      `sudo -n sh -c '${signalCommand({ command: "pgrep -f kafka.Kafka" }, "KILL").replaceAll("'", "'\\''")}'`,
      "systemctl start kafka",
    ]);
  });

  it("kill, pause, resume and start send the node commands; mode existing starts with the user's command", async () => {
    const r = recorded();
    const n = nodeOf(install, r.session);
    await n.kill();
    await n.pause();
    await n.unpause();
    await n.start();
    expect(r.sent).toEqual([
      signalCommand({ file: "/k/p" }, "KILL"),
      signalCommand({ file: "/k/p" }, "STOP"),
      signalCommand({ file: "/k/p" }, "CONT"),
      startDetachedCommand(install),
    ]);
    expect(n.lastAddress()).toBe("10.0.0.1");
    const e = recorded();
    await nodeOf(existing, e.session).start();
    await nodeOf(existing, e.session).kill();
    expect(e.sent).toEqual(["systemctl start kafka", signalCommand({ command: "pgrep -f kafka.Kafka" }, "KILL")]);
  });

  it("a graceful stop kills -9 only when the process is still there after the wait", async () => {
    const stop = stopCommand({ file: "/k/p" }, 7);
    const gone = recorded();
    await nodeOf(install, gone.session).stop(7);
    expect(gone.sent).toEqual([stop]);
    const stuck = recorded((c) => (c === stop ? { code: 1 } : {}));
    await nodeOf(install, stuck.session).stop(7);
    expect(stuck.sent).toEqual([stop, signalCommand({ file: "/k/p" }, "KILL")]);
    const noPid = recorded((c) => (c === stop ? { code: 3, stderr: "no pid\n" } : {}));
    await expect(nodeOf(install, noPid.session).stop(7)).rejects.toThrow("kafka1: stop exited 3: no pid");
  });

  it("reads its state from the process: T is paused, gone is exited", async () => {
    for (const [stdout, state] of [
      ["Sl\n", "running"],
      ["Tl\n", "paused"],
      ["gone\n", "exited"],
    ] as const)
      expect(await nodeOf(install, recorded(() => ({ stdout })).session).state()).toBe(state);
  });
});
