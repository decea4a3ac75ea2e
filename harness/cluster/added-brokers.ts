// Brokers added to a running docker cluster and removed again (the membership family's add-broker
// and remove-broker): the next broker id, on its fixed address of the run's network, its EXTERNAL
// port published on 127.0.0.1 only, started like every other broker (broker-node.ts). The cluster's
// broker list grows in place, so the nemesis, its probe and the clients' bootstrap see the new
// broker. Only a broker added here may be removed: the cluster's own stay what its spec says.
import { run } from "../util/exec.ts";
import { type BrokerSite, startBrokerNode } from "./broker-node.ts";
import { freePorts } from "./free-ports.ts";
import { brokerName } from "./node-config.ts";
import type { NodeHandle } from "./node-handle.ts";

/** The highest broker id: a broker's fixed address is .31-.39 of the run's /24 (subnet.ts). */
export const MAX_BROKER_ID = 9;

export interface BrokerMembership {
  /** Starts broker max(id)+1; resolves once its JVM serves (registration is the caller's to await). */
  addBroker(): Promise<NodeHandle>;
  /** Removes the container of a broker addBroker started (its data goes with it). */
  removeBroker(name: string): Promise<void>;
}

/** The id the next added broker gets, or why there is none. Pure. */
export function nextBrokerId(ids: readonly number[]): number | string {
  const next = Math.max(0, ...ids) + 1;
  return next <= MAX_BROKER_ID
    ? next
    : `the cluster has broker ${next - 1} already: a broker's fixed address on the run's network allows ids up to ${MAX_BROKER_ID}`;
}

export function addedBrokers(site: BrokerSite, brokers: NodeHandle[], byName: Map<string, NodeHandle>): BrokerMembership {
  const added = new Set<string>();
  const removeContainer = (nameOrId: string) => run("docker", ["rm", "-f", "-v", nameOrId]);
  return {
    async addBroker() {
      const id = nextBrokerId(brokers.map((b) => b.id));
      if (typeof id === "string") throw new Error(id);
      const [port] = await freePorts(1);
      let node: NodeHandle;
      try {
        node = await startBrokerNode(site, id, port!);
      } catch (err) {
        // A container that never served is not left behind on a cluster others may share.
        await removeContainer(`${site.runId}-${brokerName(id)}`).catch(() => undefined);
        throw err;
      }
      brokers.push(node);
      byName.set(node.name, node);
      added.add(node.name);
      return node;
    },
    async removeBroker(name) {
      if (!added.has(name))
        throw new Error(
          `${name} is not a broker added to this cluster (added: ${[...added].join(", ") || "none"}); its own brokers are not removed`,
        );
      const node = byName.get(name)!;
      await removeContainer(node.containerId);
      brokers.splice(brokers.indexOf(node), 1);
      byName.delete(name);
      added.delete(name);
    },
  };
}
