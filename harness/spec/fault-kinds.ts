// The fault kinds a spec's faults.kinds may name, as plain data without zod (the CLI's help reads
// them at startup). The nemesis's fault families generate them; a test holds the families and this
// list to the same kinds.

/**
 * Network shapes. Each becomes a grudge (node → nodes whose packets it drops):
 * - isolate: the targets (together) cut from every other node, brokers and ZooKeeper alike;
 * - halves: all nodes split in two (targets, if any, on the smaller side);
 * - ring: Jepsen's majorities ring over all nodes: each node sees a majority, no two the same one;
 * - cut-from-brokers: the targets cut from the other brokers but still reaching ZooKeeper (the
 *   2013 Jepsen scenario in which acks=all lost writes: the leader keeps its ZooKeeper session,
 *   shrinks the ISR to itself and goes on acknowledging);
 * - cut-from-zookeeper: the targets cut from every ZooKeeper node, still reaching the brokers
 *   (ZooKeeper mode only);
 * - isolate-controller (KRaft only): the target controllers cut from the other controllers, while
 *   brokers and clients still reach them (a quorum leader that loses its voters but not its brokers);
 * - cut-from-quorum (KRaft only): the target brokers (every broker without targets) cut from every
 *   controller, still reaching each other and clients (fenced, perhaps still leading: zombies).
 * In KRaft mode, a partition leader cut-from-brokers keeps the controllers: the 2013 scenario.
 */
export const TOPOLOGIES = [
  "isolate",
  "halves",
  "ring",
  "cut-from-brokers",
  "cut-from-zookeeper",
  "isolate-controller",
  "cut-from-quorum",
] as const;
export type Topology = (typeof TOPOLOGIES)[number];

/** Every fault kind; `partition` picks among every shape above, `zk` kills, pauses or isolates
 *  ZooKeeper nodes. The order is part of stored seeds' schedules: append, never reorder. */
export const FAULT_KINDS = [
  "kill",
  "stop",
  "pause",
  "partition",
  ...TOPOLOGIES,
  "zk",
  "bounce",
  "packet-loss",
  "slow-link",
  "clock-bump",
  "clock-strobe",
  "corrupt-segment",
  "disk-full",
  "log-dir-failure",
  "reassign",
  "elect-leaders",
  "shrink-replicas",
  "add-broker",
  "decommission-broker",
  "power-loss",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type MetadataMode = "zookeeper" | "kraft";

/** Kinds only one metadata mode has; the others exist in both. */
export const KIND_NEEDS: Partial<Record<FaultKind, MetadataMode>> = {
  "cut-from-zookeeper": "zookeeper",
  zk: "zookeeper",
  "isolate-controller": "kraft",
  "cut-from-quorum": "kraft",
};

/** The kinds a cluster of this metadata mode cannot have. */
export const kindsNotIn = (mode: MetadataMode): FaultKind[] =>
  FAULT_KINDS.filter((k) => KIND_NEEDS[k] !== undefined && KIND_NEEDS[k] !== mode);

/** The --faults help: ZooKeeper mode's kinds, then what KRaft has instead. */
export function faultKindsHelp(): string {
  const zkOnly = kindsNotIn("kraft");
  return `comma-separated fault kinds: ${FAULT_KINDS.filter((k) => KIND_NEEDS[k] !== "kraft").join(",")} (KRaft: ${kindsNotIn("zookeeper").join(",")} instead of ${zkOnly.join(",")})`;
}
