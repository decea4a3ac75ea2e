// Cluster kind "ssh": Kafka on hosts the harness logs in to (docs/design.md "Cluster kinds").
// Start: log in to every host, check it has what the mode needs, (install) upload the distribution
// and each node's configuration into the run's folder and start every process detached with a pid
// file, then wait for the cluster as the docker kind does (ZooKeeper serving or the quorum caught
// up, every broker seeing the others). The nodes are RunNodes whose faults are commands over SSH
// (node.ts); the network shapes are the nemesis's own iptables chain, run on the hosts over SSH.
// Teardown (also on Ctrl-C or a crash during the start): every node's log downloaded into the run
// folder, the harness's chain removed, and in mode install every process stopped and the run's
// folder removed; mode existing leaves the user's processes running, as the run's heal left them.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ClusterSpec } from "../../../spec/cluster.ts";
import type { SshInventory } from "../../../spec/ssh-inventory.ts";
import { messageOf } from "../../../util/errors.ts";
import { onShutdown } from "../../../util/shutdown.ts";
import { secondsSince } from "../../../util/wait.ts";
import { IPTABLES_FRONT_ENDS } from "../../iptables-front-ends.ts";
import { newRunId } from "../../labels.ts";
import { newKraftClusterId, quorumVoters } from "../../node-config.ts";
import { bootstrapOf, waitBrokersSeeEachOther, waitQuorumReady, waitZookeeperReady } from "../../readiness.ts";
import type { RunCluster, RunNode } from "../kind.ts";
import { asRoot, q, removeAllChainsCommand, signalCommand } from "./commands.ts";
import { kafkaDistribution } from "./distribution.ts";
import { NODE_LOG_BYTES, type SshNodePlan, sshLayout } from "./layout.ts";
import { sshNode } from "./node.ts";
import { connect, fileSshLog, type SshSession } from "./session.ts";

export interface SshCluster extends RunCluster {
  readonly kind: "ssh";
  /** Teardown (every node's log downloaded into the run's logs folder); idempotent. */
  stop(): Promise<void>;
}

/** What a host needs, by mode: the check's shell and what to call a missing tool. */
export const preflightCommand = (mode: SshInventory["mode"]): string =>
  [...(mode === "install" ? ["java", "tar"] : []), "bash", "ps", "timeout"]
    .map((tool) => `command -v ${tool} >/dev/null 2>&1 || echo "missing: ${tool}"`)
    .concat([
      `{ ${IPTABLES_FRONT_ENDS.map((v) => `command -v ${v}`).join(" || ")}; } >/dev/null 2>&1 || echo "missing: iptables"`,
      ...(mode === "install" ? [`java -version >/dev/null 2>&1 || echo "missing: a working java (java -version failed)"`] : []),
    ])
    .join("; ");

export async function startSshCluster(
  spec: ClusterSpec,
  o: { logsDir: string; progress: (m: string) => void; timeoutMs?: number },
): Promise<SshCluster> {
  const inv = spec.inventory;
  if (!inv) throw new Error('cluster kind "ssh" needs an inventory (--inventory FILE or --ssh-hosts)');
  const timeoutMs = o.timeoutMs ?? 120_000;
  const runId = newRunId();
  const layout = sshLayout(spec, inv, runId, newKraftClusterId());
  await mkdir(o.logsDir, { recursive: true });
  const log = fileSshLog(join(o.logsDir, "ssh.log"));
  const sessions = new Map<string, SshSession>();
  const started = performance.now();
  o.progress(
    `cluster ${runId}: ${inv.mode === "install" ? `installing Kafka ${spec.kafkaVersion} on` : "driving the existing Kafka of"} ${layout.nodes.length} host(s) over SSH (${layout.nodes.map((n) => `${n.name}@${n.host}`).join(", ")}); every command in logs/ssh.log`,
  );

  let stopped = false;
  const asRootOn = (plan: SshNodePlan, command: string) => asRoot(command, plan.login.user);
  const onEach = (what: (plan: SshNodePlan, s: SshSession) => Promise<unknown>) =>
    Promise.all(
      layout.nodes
        .filter((p) => sessions.has(p.name))
        .map((p) => what(p, sessions.get(p.name)!).catch((err: unknown) => o.progress(`cluster ${runId}: ${p.name}: ${messageOf(err)}`))),
    );
  /** Every node's log as <name>.log in the logs folder: its end, where a run's story is. */
  const saveLogs = () =>
    onEach(async (p, s) => {
      const r = await s.exec(asRootOn(p, `tail -c ${NODE_LOG_BYTES} ${q(p.log)}`), { timeoutMs: 60_000 });
      await writeFile(join(o.logsDir, `${p.name}.log`), r.stdout);
    });
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    unregister();
    await onEach(async (p, s) => {
      // Resumed first: a process still paused would keep its chain's effects and ignore a TERM.
      if (p.process.mode === "install")
        await s.exec(
          asRootOn(p, `${signalCommand({ file: p.process.pidFile }, "CONT")}; ${signalCommand({ file: p.process.pidFile }, "KILL")}`),
          { timeoutMs: 30_000 },
        );
      await s.exec(asRootOn(p, removeAllChainsCommand()), { timeoutMs: 30_000 });
    });
    await saveLogs();
    if (layout.runRoot) await onEach((p, s) => s.run(asRootOn(p, `rm -rf ${q(layout.runRoot!)}`), { timeoutMs: 60_000 }));
    for (const s of sessions.values()) s.close();
    o.progress(
      `cluster ${runId}: ${inv.mode === "install" ? "every process stopped and the run's folder removed" : "the harness's rules removed; the Kafka processes left running"} on ${layout.nodes.length} host(s)`,
    );
  };
  const unregister = onShutdown(stop);

  try {
    await Promise.all(
      layout.nodes.map(async (p) => {
        sessions.set(p.name, await connect(p.login, log));
      }),
    );
    const missing = (
      await Promise.all(
        layout.nodes.map(async (p) => ({
          p,
          out: await sessions.get(p.name)!.exec(asRootOn(p, preflightCommand(inv.mode)), { timeoutMs: 30_000 }),
        })),
      )
    ).flatMap(({ p, out }) => {
      const lines = out.stdout.split("\n").filter((l) => l.startsWith("missing: "));
      if (out.code !== 0 && lines.length === 0)
        lines.push(
          `the check failed (exit ${out.code ?? "none"}${out.stderr.trim() ? `: ${out.stderr.trim().split("\n").pop()}` : ""}; a login other than root needs sudo without a password)`,
        );
      return lines.map((l) => `${p.name} (${p.host}): ${l.replace(/^missing: /, "missing ")}`);
    });
    if (missing.length) throw new Error(`the hosts lack what mode ${inv.mode} needs:\n  ${missing.join("\n  ")}`);

    if (inv.mode === "install") {
      const tarball = await kafkaDistribution(spec.kafkaVersion, o.progress);
      const root = layout.runRoot!;
      await Promise.all(
        layout.nodes.map(async (p) => {
          const s = sessions.get(p.name)!;
          // Uploaded where the login may write, then moved into the run's folder as root.
          const upload = `/tmp/${runId}-kafka.tgz`;
          await s.upload(tarball, upload);
          await s.run(
            asRootOn(
              p,
              `mkdir -p ${q(root)} && tar -xzf ${q(upload)} -C ${q(root)} && rm -f ${q(upload)} && printf '%s\\n' ${q(p.config!)} > ${q(`${root}/node.properties`)}`,
            ),
            { timeoutMs: 120_000 },
          );
        }),
      );
      o.progress(`cluster ${runId}: Kafka ${spec.kafkaVersion} installed in ${root} on every host (${secondsSince(started)} s)`);
    }

    const nodes = layout.nodes.map((p) =>
      sshNode({
        name: p.name,
        role: p.role,
        id: p.id,
        host: p.host,
        session: sessions.get(p.name)!,
        process: p.process,
        ...(p.externalPort !== undefined ? { externalPort: p.externalPort } : {}),
        ...(p.controllerPort !== undefined ? { controllerPort: p.controllerPort } : {}),
      }),
    );
    // Every node at once, as the docker kind starts them; mode existing starts only what is down.
    await Promise.all(nodes.map(async (n) => (inv.mode === "install" || (await n.state()) === "exited" ? n.start() : undefined)));
    const zookeepers = nodes.filter((n) => n.role === "zookeeper");
    const brokers = nodes.filter((n) => n.role === "broker");
    const voters = spec.metadata === "kraft" ? quorumVoters(spec) : [];
    const controllers =
      spec.metadata !== "kraft"
        ? []
        : spec.combined
          ? brokers.filter((b) => voters.some((v) => v.name === b.name))
          : nodes.filter((n) => n.role === "controller");
    // A process that ended fails the start at once, with what it said last, instead of a timeout.
    const watching = { on: true };
    const ready = (async () => {
      if (zookeepers.length) await waitZookeeperReady(zookeepers, timeoutMs);
      if (voters.length)
        await waitQuorumReady(
          brokers,
          voters.map((v) => v.id),
          timeoutMs,
        );
      await waitBrokersSeeEachOther(brokers, timeoutMs);
    })();
    ready.catch(() => undefined); // when an exit wins the race, readiness's own failure comes later and is no news
    try {
      await Promise.race([ready, firstExit(nodes, layout.nodes, sessions, watching)]);
    } finally {
      watching.on = false;
    }
    const bootstrap = () => brokers.map(bootstrapOf);
    o.progress(`cluster ${runId}: ready in ${secondsSince(started)} s (bootstrap ${bootstrap().join(",")})`);
    return { kind: "ssh", runId, spec, zookeepers, brokers, controllers, bootstrap, stop };
  } catch (err) {
    o.progress(`cluster ${runId}: start failed (${messageOf(err)}), tearing down`);
    await stop().catch((e: unknown) => o.progress(messageOf(e)));
    throw err;
  }
}

/** Rejects when a node's process is gone (checked every intervalMs while `watching.on`), with the end of its log. */
export async function firstExit(
  nodes: readonly RunNode[],
  plans: readonly Pick<SshNodePlan, "name" | "host" | "log" | "login">[],
  sessions: ReadonlyMap<string, Pick<SshSession, "exec">>,
  watching: { on: boolean },
  intervalMs = 2000,
): Promise<never> {
  while (watching.on) {
    await new Promise((r) => setTimeout(r, intervalMs));
    for (const [i, n] of nodes.entries()) {
      if (!watching.on) break;
      if ((await n.state().catch(() => "running")) !== "exited") continue;
      const p = plans[i]!;
      const tail = await sessions
        .get(p.name)!
        .exec(asRoot(`tail -n 12 ${q(p.log)}`, p.login.user), { timeoutMs: 10_000 })
        .then((r) => r.stdout.trim())
        .catch(() => "");
      throw new Error(`${n.name} (${p.host}) exited during the start; the end of ${p.log}:\n${tail || "(empty)"}`);
    }
  }
  return new Promise<never>(() => {});
}
