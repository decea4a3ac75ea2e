// A started node and the operations the fault injector needs. testcontainers-node has no kill or
// pause, so these go through the runtime client's container handle. Each node has a fixed address
// on the run's network (see subnet.ts); start() puts it back on that address when Docker did not
// keep it, and address() reads what Docker reports.

import { getContainerRuntimeClient } from "testcontainers";
import { ExecGate } from "./exec-gate.ts";
import { retryFreeze } from "./freeze-retry.ts";
import type { Role } from "./node-container.ts";
import { containerFiles } from "./node-files.ts";

export interface ExecResult {
  exitCode: number;
  output: string;
}

/**
 * A node's files, read and written whether or not its process runs (Docker's archive API works on a
 * stopped container, which cannot exec; an ssh host's shell), and its log: what corrupt-segment needs.
 */
export interface NodeFiles {
  /** Where Kafka's log.dirs keeps its bytes on the node. */
  readonly logDir: string;
  /** The regular files directly in a folder, with their sizes. */
  list(dir: string): Promise<{ name: string; size: number }[]>;
  read(path: string): Promise<Buffer>;
  /** Replaces the file's content (a shorter buffer truncates it). */
  write(path: string, data: Buffer): Promise<void>;
  /** The node's log so far (stdout and stderr of its process), oldest first. */
  log(): Promise<string>;
  /** Present when the log directory is on the fault-injecting filesystem (images/kafka/faultfs.py):
   *  the folder of its control files (state: what the nemesis asks; applied: what the layer does). */
  readonly diskControl?: string;
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
  /** The node's address on the run's network, as Docker reports it (the node's fixed address). */
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
  /** Its files, whether it runs or not (Docker's archive API). */
  readonly files: NodeFiles;
}

export interface NodeInfo {
  name: string;
  role: Role;
  id: number;
  containerId: string;
  externalPort?: number;
  controllerPort?: number;
  /** The fixed address it was created with on the run's network. */
  address?: string;
  /** Started with its log directory on the fault-injecting filesystem (FAULTFS=1). */
  faultfs?: boolean;
}

/** What Docker reports of a container's endpoint on a network (dockerode types it loosely). */
interface Endpoint {
  IPAddress?: string;
  IPAMConfig?: { IPv4Address?: string } | null;
}

export async function nodeHandle(info: NodeInfo, networkName: string): Promise<NodeHandle> {
  const { address: given, faultfs, ...rest } = info;
  const client = await getContainerRuntimeClient();
  const container = client.container.getById(info.containerId);
  const inspect = () => client.container.inspect(container);
  const endpoint = async (): Promise<Endpoint | undefined> => (await inspect()).NetworkSettings.Networks[networkName];
  // Without one given (a handle rebuilt for an existing container), the address it was created with.
  const fixed = given ?? (await endpoint())?.IPAMConfig?.IPv4Address;
  /** Reconnects the stopped container on its fixed address when its endpoint lost it (or is gone). */
  const ensureFixedAddress = async () => {
    if (!fixed) return;
    const ep = await endpoint();
    if (ep?.IPAMConfig?.IPv4Address === fixed) return;
    const network = client.network.getById(networkName);
    if (ep) await network.disconnect({ Container: info.containerId, Force: true });
    await network.connect({ Container: info.containerId, EndpointConfig: { IPAMConfig: { IPv4Address: fixed }, Aliases: [info.name] } });
  };
  const address = async () => {
    const ip = (await endpoint())?.IPAddress;
    if (!ip) throw new Error(`${info.name} has no address on network ${networkName} (is it running?)`);
    return ip;
  };
  // A pause never freezes an exec that is starting (exec-gate.ts: that deadlocks Docker).
  const gate = new ExecGate();
  let lastAddress: string | undefined;
  const noteAddress = async () => {
    lastAddress = await address().catch(() => lastAddress);
  };
  const logs = async () => {
    const buf = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    return demuxDockerLog(buf);
  };
  return {
    ...rest,
    // With the layer, the bytes are in its backing folder, which is there while the node is down.
    files: await containerFiles(container, logs, faultfs ? FAULTFS_PATHS : { logDir: "/data/kafka" }),
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
      await ensureFixedAddress();
      await container.start();
    },
    async pause() {
      await gate.pause(() => retryFreeze(() => container.pause()));
    },
    async unpause() {
      await container.unpause();
    },
    async exec(command) {
      const r = await gate.exec(() => client.container.exec(container, command));
      return { exitCode: r.exitCode, output: r.output };
    },
    logs,
  };
}

/** Where the entrypoint puts the fault-injecting filesystem's backing folder and control files. */
export const FAULTFS_PATHS = { logDir: "/data/kafka-store", diskControl: "/data/faultfs" } as const;

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
