// The fault kinds a spec's faults.kinds may name, as plain data without zod (the CLI's help reads
// them at startup). The nemesis's fault families generate them; a test holds the families and this
// list to the same kinds.

export const FAULT_KINDS = [
  "kill",
  "stop",
  "pause",
  /** every partition shape below */
  "partition",
  "isolate",
  "halves",
  "ring",
  "cut-from-brokers",
  "cut-from-zookeeper",
  /** KRaft: controllers (the active one by default) cut from the other controllers, brokers still reach them */
  "isolate-controller",
  /** KRaft: brokers cut from every controller, still reaching each other and clients */
  "cut-from-quorum",
  /** kill, pause or isolate ZooKeeper nodes */
  "zk",
  "bounce",
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
