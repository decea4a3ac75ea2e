// A GenericContainer for one harness node (ZooKeeper, controller or broker) from the local image:
// role and configuration as env, run labels, NET_ADMIN for iptables partitions, a fixed address on
// the run's network, and published ports bound to 127.0.0.1 only (testcontainers binds to every
// interface by default).
import { GenericContainer } from "testcontainers";
import { NODE_LABEL, RUN_LABEL } from "./labels.ts";

export type Role = "zookeeper" | "broker" | "controller";

export class HarnessNodeContainer extends GenericContainer {
  private alias?: string;
  private network?: string;
  private address?: string;

  constructor(image: string) {
    super(image);
    // iptables inside the container, and nothing more.
    this.withAddedCapabilities("NET_ADMIN");
  }

  /** The node joins only the run's network, under its short name (kafka1, zk2, ...). */
  withNode(runId: string, name: string, role: Role): this {
    this.alias = name;
    this.network = runId;
    return this.withName(`${runId}-${name}`)
      .withLabels({ [RUN_LABEL]: runId, [NODE_LABEL]: name })
      .withNetworkMode(runId)
      .withHostname(name)
      .withEnvironment({ ROLE: role });
  }

  /** The node's fixed address on the run's network (Docker keeps it across stops and starts). */
  withAddress(address: string): this {
    this.address = address;
    return this;
  }

  /**
   * The broker's log directory on the fault-injecting filesystem (images/kafka/faultfs.py), which
   * FUSE needs: /dev/fuse, CAP_SYS_ADMIN for the mount, and no AppArmor profile (Docker's default
   * one denies mount). Only for runs whose faults include disk faults.
   */
  withFaultfs(writebackMs = 0): this {
    this.hostConfig.Devices = [
      ...(this.hostConfig.Devices ?? []),
      { PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm" },
    ];
    this.hostConfig.SecurityOpt = [...(this.hostConfig.SecurityOpt ?? []), "apparmor:unconfined"];
    return this.withAddedCapabilities("SYS_ADMIN").withEnvironment({ FAULTFS: "1", FAULTFS_WRITEBACK_MS: String(writebackMs) });
  }

  withNodeConfig(text: string, jvmOpts: string): this {
    return this.withEnvironment({ NODE_CONFIG: text, JVM_OPTS: jvmOpts });
  }

  /** Publishes a container port on the same host port, on 127.0.0.1 only. */
  withLoopbackPort(port: number): this {
    return this.withExposedPorts({ container: port, host: port });
  }

  protected override async beforeContainerCreated(): Promise<void> {
    // Aliases and address set at creation on the run's network. (testcontainers' withNetworkAliases
    // creates the container on Docker's default bridge, shared with every other container, and
    // connects it to the run's network afterwards.)
    if (this.network && this.alias) {
      const ipam = this.address ? { IPAMConfig: { IPv4Address: this.address } } : {};
      this.createOpts.NetworkingConfig = { EndpointsConfig: { [this.network]: { Aliases: [this.alias], ...ipam } } };
    }
    for (const bindings of Object.values(this.hostConfig.PortBindings ?? {}) as { HostIp?: string }[][]) {
      for (const binding of bindings) binding.HostIp = "127.0.0.1";
    }
  }
}
