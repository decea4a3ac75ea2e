// A started node and the operations the fault injector needs. testcontainers-node has no kill or
// pause, so these go through the runtime client's container handle; addresses are re-read on
// demand because a restarted container may get a new one.
import { getContainerRuntimeClient } from "testcontainers";
import type { Role } from "./node-container.ts";

export interface ExecResult {
  exitCode: number;
  output: string;
}

export type ContainerState = "running" | "paused" | "exited" | "created" | "restarting" | "removing" | "dead";

export interface NodeHandle {
  readonly name: string;
  readonly role: Role;
  readonly id: number;
  readonly containerId: string;
  /** For brokers: the EXTERNAL listener's port on 127.0.0.1. */
  readonly externalPort?: number;
  /** For dedicated KRaft controllers: the CONTROLLER listener's port on 127.0.0.1 (DescribeQuorum asked of each voter). */
  readonly controllerPort?: number;
  /** The node's address on the run's network (may change after a restart). */
  address(): Promise<string>;
  /** The address it had when it was last killed or stopped (undefined before). */
  lastAddress(): string | undefined;
  state(): Promise<ContainerState>;
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after the timeout: a clean shutdown if the node manages one in time. */
  stop(timeoutSeconds?: number): Promise<void>;
  start(): Promise<void>;
  pause(): Promise<void>;
  unpause(): Promise<void>;
  exec(command: string[]): Promise<ExecResult>;
  logs(): Promise<string>;
}

export async function nodeHandle(
  info: { name: string; role: Role; id: number; containerId: string; externalPort?: number; controllerPort?: number },
  networkName: string,
): Promise<NodeHandle> {
  const client = await getContainerRuntimeClient();
  const container = client.container.getById(info.containerId);
  const inspect = () => client.container.inspect(container);
  const address = async () => {
    const ip = (await inspect()).NetworkSettings.Networks[networkName]?.IPAddress;
    if (!ip) throw new Error(`${info.name} has no address on network ${networkName} (is it running?)`);
    return ip;
  };
  let lastAddress: string | undefined;
  const noteAddress = async () => {
    lastAddress = await address().catch(() => lastAddress);
  };
  return {
    ...info,
    address,
    lastAddress: () => lastAddress,
    async state() {
      return (await inspect()).State.Status as ContainerState;
    },
    async kill() {
      await noteAddress();
      await container.kill({ signal: "SIGKILL" });
    },
    async stop(timeoutSeconds = 30) {
      await noteAddress();
      await container.stop({ t: timeoutSeconds });
    },
    async start() {
      await container.start();
    },
    async pause() {
      await container.pause();
    },
    async unpause() {
      await container.unpause();
    },
    async exec(command) {
      const r = await client.container.exec(container, command);
      return { exitCode: r.exitCode, output: r.output };
    },
    async logs() {
      const buf = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
      return demuxDockerLog(buf);
    },
  };
}

/** Docker multiplexes stdout/stderr in 8-byte-header frames when no TTY is attached. */
export function demuxDockerLog(buf: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(parts).toString("utf8");
}
