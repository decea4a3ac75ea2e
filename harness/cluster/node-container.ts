// A GenericContainer for one harness node (ZooKeeper or broker) from the local image: role and
// configuration as env, run labels, NET_ADMIN for iptables partitions, and published ports bound to
// 127.0.0.1 only (testcontainers binds to every interface by default).
import { GenericContainer } from "testcontainers";
import { NODE_LABEL, RUN_LABEL } from "./labels.ts";

export type Role = "zookeeper" | "broker";

export class HarnessNodeContainer extends GenericContainer {
  constructor(image: string) {
    super(image);
    // iptables inside the container, and nothing more.
    this.withAddedCapabilities("NET_ADMIN");
  }

  withNode(runId: string, name: string, role: Role): this {
    return this.withName(`${runId}-${name}`)
      .withLabels({ [RUN_LABEL]: runId, [NODE_LABEL]: name })
      .withNetworkAliases(name)
      .withHostname(name)
      .withEnvironment({ ROLE: role });
  }

  withNodeConfig(text: string, jvmOpts: string): this {
    return this.withEnvironment({ NODE_CONFIG: text, JVM_OPTS: jvmOpts });
  }

  /** Publishes a container port on the same host port, on 127.0.0.1 only. */
  withLoopbackPort(port: number): this {
    return this.withExposedPorts({ container: port, host: port });
  }

  protected override async beforeContainerCreated(): Promise<void> {
    for (const bindings of Object.values(this.hostConfig.PortBindings ?? {}) as { HostIp?: string }[][]) {
      for (const binding of bindings) binding.HostIp = "127.0.0.1";
    }
  }
}
