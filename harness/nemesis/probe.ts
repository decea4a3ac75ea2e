// The cluster's own answers to "who leads t-0?", "who is the controller?", "is broker 2 still
// registered?": metadata from one chosen healthy broker, ephemerals from ZooKeeper. Faults resolve
// their targets and the failover watch measures recovery through this, never through guesses.
import { fetchBrokerMetadata, type BrokerMetadata } from "./broker-metadata.ts";
import type { FaultableNode, NemesisCluster } from "./capabilities.ts";
import { controllerOf, readEphemerals, registeredBrokers, zkMode } from "../cluster/zookeeper-words.ts";

export interface SourcedMetadata extends BrokerMetadata {
  /** The broker that answered. */
  from: string;
}

export interface ClusterProbe {
  /** Metadata from the first broker (in id order) that is not avoided and answers. */
  metadata(opts?: { avoid?: ReadonlySet<string>; topics?: readonly string[] }): Promise<SourcedMetadata>;
  /** Metadata from every broker not avoided that answers (in parallel); empty if none does. */
  metadataAll(opts?: { avoid?: ReadonlySet<string>; topics?: readonly string[] }): Promise<SourcedMetadata[]>;
  /** The controller's broker id, from ZooKeeper (/controller's session); from metadata if ZooKeeper cannot say. */
  controller(avoid?: ReadonlySet<string>): Promise<number>;
  /** Broker id → ZooKeeper session, for every broker registered under /brokers/ids. */
  registered(avoid?: ReadonlySet<string>): Promise<Map<number, string>>;
  /** The ZooKeeper node in Mode: leader. */
  zkLeader(avoid?: ReadonlySet<string>): Promise<string>;
}

const none: ReadonlySet<string> = new Set();

export function clusterProbe(cluster: NemesisCluster, opts: { timeoutMs?: number } = {}): ClusterProbe {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const zks = (avoid: ReadonlySet<string>) => cluster.zookeepers.filter((z) => !avoid.has(z.name));

  async function metadata(o: { avoid?: ReadonlySet<string>; topics?: readonly string[] } = {}): Promise<SourcedMetadata> {
    const avoid = o.avoid ?? none;
    const problems: string[] = [];
    for (const b of cluster.brokers.filter((x) => !avoid.has(x.name))) {
      try {
        return { ...(await fetchBrokerMetadata(portOf(b), o.topics, timeoutMs)), from: b.name };
      } catch (err) {
        problems.push(`${b.name}: ${(err as Error).message}`);
      }
    }
    throw new Error(`no broker answered metadata (${problems.join("; ") || "all avoided"})`);
  }

  return {
    metadata,
    async metadataAll(o = {}) {
      const avoid = o.avoid ?? none;
      const answers = await Promise.all(
        cluster.brokers
          .filter((x) => !avoid.has(x.name))
          .map((b) => fetchBrokerMetadata(portOf(b), o.topics, timeoutMs).then((md) => ({ ...md, from: b.name }), () => undefined)),
      );
      return answers.filter((a): a is SourcedMetadata => a !== undefined);
    },
    async controller(avoid = none) {
      let why: string;
      try {
        const id = controllerOf(await readEphemerals(zks(avoid)));
        if (id !== undefined) return id;
        why = "no /controller in ZooKeeper";
      } catch (err) {
        why = (err as Error).message;
      }
      const md = await metadata({ avoid, topics: [] });
      if (md.controller < 0) throw new Error(`no controller: ${why}; ${md.from} knows none either`);
      return md.controller;
    },
    async registered(avoid = none) {
      return registeredBrokers(await readEphemerals(zks(avoid)));
    },
    async zkLeader(avoid = none) {
      for (const z of zks(avoid)) if ((await zkMode(z).catch(() => undefined)) === "leader") return z.name;
      throw new Error("no ZooKeeper node is leader");
    },
  };
}

function portOf(b: FaultableNode): number {
  if (!b.externalPort) throw new Error(`${b.name} has no external port`);
  return b.externalPort;
}
