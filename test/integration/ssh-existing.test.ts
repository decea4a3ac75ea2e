// Mode existing on a stand-in host: a Kafka node the user starts with a command of their own (here
// the image's entrypoint, detached, writing its pid file), driven by the ssh kind's node over SSH
// only: start, pause, resume, kill -9, start again, graceful stop, each seen in its state and the
// broker's port.
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunNode } from "../../harness/cluster/kinds/kind.ts";
import { q } from "../../harness/cluster/kinds/ssh/commands.ts";
import { sshNode } from "../../harness/cluster/kinds/ssh/node.ts";
import { connect, fileSshLog, type SshSession } from "../../harness/cluster/kinds/ssh/session.ts";
import { type StandInHosts, startStandInHosts } from "./ssh-hosts.ts";

const dir = mkdtempSync(join(tmpdir(), "kh-ssh-existing-"));
const logPath = join(dir, "logs", "ssh.log");
mkdirSync(join(dir, "logs"));
let hosts: StandInHosts;
let session: SshSession;
let node: RunNode;

/** The user's own setup: a single combined KRaft node, started by their command. */
const config = (address: string) =>
  [
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@${address}:9093`,
    "listeners=PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093",
    `advertised.listeners=PLAINTEXT://${address}:9092`,
    "controller.listener.names=CONTROLLER",
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "log.dirs=/data/kafka",
    "offsets.topic.replication.factor=1",
  ].join("\n");
const START =
  'cd /tmp && { KRAFT_CLUSTER_ID=khSshExistingTest0001A ROLE=broker JVM_OPTS="-Xms64m -Xmx256m -XX:+UseSerialGC" NODE_CONFIG="$(cat /etc/kafka-node.properties)" nohup /opt/kafka/entrypoint.sh < /dev/null >> /var/log/kafka.log 2>&1 & echo $! > /run/kafka.pid; }';

const listening = async () => (await session.exec("nc -z -w 1 127.0.0.1 9092", { timeoutMs: 10_000 })).code === 0;
async function until(what: string, test: () => Promise<boolean>, tries = 120): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await test()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what}: not after ${tries} tries (log: ${await session.exec("tail -20 /var/log/kafka.log").then((r) => r.stdout)})`);
}

beforeAll(async () => {
  hosts = await startStandInHosts(1, dir, (m) => console.error(m));
  const h = hosts.hosts[0]!;
  session = await connect(
    { name: "kafka1", host: "127.0.0.1", port: h.sshPort, user: "root", keyFile: hosts.keyFile },
    fileSshLog(logPath),
  );
  await session.run(`printf '%s\\n' ${q(config(h.address))} > /etc/kafka-node.properties`);
  node = sshNode({
    name: "kafka1",
    role: "broker",
    id: 1,
    host: h.address,
    externalPort: 9092,
    session,
    process: { mode: "existing", start: START, pid: "cat /run/kafka.pid" },
  });
});
afterAll(async () => {
  session?.close();
  await hosts?.[Symbol.asyncDispose]();
});

describe("ssh kind, mode existing, on a stand-in host", () => {
  it("start, pause, resume, kill -9, start again and a graceful stop, over SSH only", async () => {
    await node.start();
    await until("the broker listening", listening);
    expect(await node.state()).toBe("running");
    await node.pause();
    expect(await node.state()).toBe("paused");
    await node.unpause();
    expect(await node.state()).toBe("running");
    await node.kill();
    await until("the broker gone after kill -9", async () => (await node.state()) === "exited", 20);
    expect(await listening()).toBe(false);
    await node.start();
    await until("the broker listening again", listening);
    await node.stop(30);
    expect(await node.state()).toBe("exited");
    expect(await listening()).toBe(false);
    // A graceful stop: Kafka says it shut down (kill -9 leaves no such line).
    expect((await session.run("cat /var/log/kafka.log")).match(/shut down completed|shutting down/i)).not.toBeNull();
    const log = readFileSync(logPath, "utf8");
    expect(log).toMatch(/\tkafka1\t0\t\d+ms\tpid=\$\(cat \/run\/kafka.pid\) .*kill -STOP \$pid\n/);
    expect(log).toMatch(/\tkafka1\t0\t\d+ms\tpid=\$\(cat \/run\/kafka.pid\) .*kill -KILL \$pid\n/);
  });
});
