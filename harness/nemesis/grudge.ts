// Network topologies as grudges (Jepsen's term): node → the nodes whose packets it drops. Pure, so
// every shape is unit-tested without Docker; partition.ts turns a grudge into iptables rules.

import { KIND_NEEDS } from "../spec/fault-kinds.ts";
import { type Rng, shuffle } from "./rng.ts";
import { TOPOLOGIES, type Topology } from "./types.ts";

export type Grudge = Record<string, string[]>;

export interface Nodes {
  brokers: readonly string[];
  /** The metadata quorum's own nodes: ZooKeeper's ensemble, or KRaft's dedicated controllers. */
  zookeepers: readonly string[];
  /** KRaft: every voter of the controller quorum (dedicated, or brokers in combined mode); absent in ZooKeeper mode. */
  voters?: readonly string[];
}

const minus = (xs: readonly string[], ys: readonly string[]) => xs.filter((x) => !ys.includes(x));

/** A symmetric cut: every node of a drops b, every node of b drops a. */
export function cut(a: readonly string[], b: readonly string[]): Grudge {
  const g: Grudge = {};
  const add = (from: string, others: readonly string[]) => {
    const set = new Set([...(g[from] ?? []), ...others.filter((o) => o !== from)]);
    if (set.size) g[from] = [...set].sort();
  };
  for (const x of a) add(x, b);
  for (const y of b) add(y, a);
  return g;
}

/** Halves of the whole cluster. Brokers split smaller/larger; ZooKeeper's majority lands on either side. */
export function halves(nodes: Nodes, rng: Rng, targets: readonly string[] = []): [string[], string[]] {
  const side: string[] = [...targets];
  for (const group of [nodes.brokers, nodes.zookeepers]) {
    const mine = group.filter((n) => targets.includes(n));
    const rest = shuffle(rng, minus(group, targets));
    const small = Math.floor(group.length / 2);
    // For ZooKeeper, a coin decides whether the small broker side also gets the ZK majority.
    const want = group === nodes.zookeepers && rng.int(2) === 1 ? group.length - small : small;
    side.push(...rest.slice(0, Math.max(0, want - mine.length)));
  }
  const all = [...nodes.brokers, ...nodes.zookeepers];
  return [all.filter((n) => side.includes(n)), minus(all, side)];
}

/**
 * Jepsen's majorities ring: nodes in a shuffled ring; each sees the window of a majority of nodes
 * around it and drops the rest. Every node sees a majority, yet no two see the same one.
 */
export function majoritiesRing(all: readonly string[], rng: Rng): Grudge {
  const ring = shuffle(rng, all);
  const n = ring.length;
  const m = Math.floor(n / 2) + 1;
  const g: Grudge = {};
  for (let i = 0; i < n; i++) {
    const window = Array.from({ length: m }, (_, k) => ring[(i - Math.floor(m / 2) + k + n) % n]!);
    const drops = minus(all, window).sort();
    if (drops.length) g[ring[i]!] = drops;
  }
  return g;
}

/** Topologies that only mean something with a KRaft quorum, and those that only mean something with ZooKeeper. */
export const KRAFT_ONLY_TOPOLOGIES: readonly Topology[] = TOPOLOGIES.filter((t) => KIND_NEEDS[t] === "kraft");
export const ZOOKEEPER_ONLY_TOPOLOGIES: readonly Topology[] = TOPOLOGIES.filter((t) => KIND_NEEDS[t] === "zookeeper");

/** Why this topology cannot be cut in this cluster's metadata mode, or undefined. Pure. */
export function topologyRefusal(topology: Topology, nodes: Nodes): string | undefined {
  const kraft = nodes.voters !== undefined && nodes.voters.length > 0;
  if (!kraft && KRAFT_ONLY_TOPOLOGIES.includes(topology))
    return `${topology} needs a KRaft controller quorum; this cluster runs ZooKeeper mode`;
  if (kraft && ZOOKEEPER_ONLY_TOPOLOGIES.includes(topology))
    return `${topology} needs ZooKeeper; this cluster runs KRaft (cut brokers from the controller quorum with cut-from-quorum)`;
  return undefined;
}

export function grudgeFor(topology: Topology, nodes: Nodes, targets: readonly string[], rng: Rng): Grudge {
  const refused = topologyRefusal(topology, nodes);
  if (refused) throw new Error(refused);
  const g = shapeOf(topology, nodes, targets, rng);
  if (Object.keys(g).length === 0) throw new Error(`partition ${topology} of [${targets.join(", ")}] cuts nothing in this cluster`);
  return g;
}

function shapeOf(topology: Topology, nodes: Nodes, targets: readonly string[], rng: Rng): Grudge {
  const all = [...nodes.brokers, ...nodes.zookeepers];
  const need = () => {
    if (targets.length === 0) throw new Error(`partition ${topology} needs targets`);
  };
  switch (topology) {
    case "isolate":
      need();
      return cut(targets, minus(all, targets));
    case "halves": {
      const [a, b] = halves(nodes, rng, targets);
      return cut(a, b);
    }
    case "ring":
      return majoritiesRing(all, rng);
    case "cut-from-brokers":
      need();
      return cut(targets, minus(nodes.brokers, targets));
    case "cut-from-zookeeper":
      need();
      return cut(minus(targets, nodes.zookeepers), nodes.zookeepers);
    case "isolate-controller": {
      // Controllers cut from the other controllers only: brokers (and clients) still reach them.
      need();
      const voters = nodes.voters ?? [];
      const strangers = minus(targets, voters);
      if (strangers.length)
        throw new Error(
          `isolate-controller cuts controllers from the other voters; ${strangers.join(", ")} is not a voter (voters: ${voters.join(", ")})`,
        );
      return cut(targets, minus(voters, targets));
    }
    case "cut-from-quorum": // Brokers (all of them without targets) cut from every controller, still reaching each other
      // and clients: the controller fences them, yet they go on answering as leaders (zombies).
      // (Combined mode: brokers that are voters are never cut from themselves, so no targets cuts nothing.)
      {
        const who = targets.length ? targets : minus(nodes.brokers, nodes.voters ?? []);
        return cut(who, minus(nodes.voters ?? [], who));
      }
  }
}

/** Nodes with rules to install (keys) plus nodes whose address the rules name. */
export function nodesOf(g: Grudge): string[] {
  return [...new Set([...Object.keys(g), ...Object.values(g).flat()])].sort();
}
