// Which runs put their brokers' log directories on the fault-injecting filesystem: those whose
// faults can make a disk full or failing. The layer costs throughput and needs FUSE in the
// containers, so no other run gets it; a suite's shared clusters differ by it (their specs do).
import type { ClusterSpec } from "./cluster.ts";
import type { FaultKind } from "./fault-kinds.ts";

/** The fault kinds that need the layer. */
export const DISK_LAYER_KINDS: readonly FaultKind[] = ["disk-full", "log-dir-failure", "power-loss"];

interface FaultsPart {
  readonly kinds: readonly string[];
  readonly schedule?: ReadonlyArray<{ readonly fault: string }>;
}

export const needsDiskLayer = (f: FaultsPart): boolean =>
  [...f.kinds, ...(f.schedule ?? []).map((e) => e.fault)].some((k) => (DISK_LAYER_KINDS as readonly string[]).includes(k));

/** The cluster a run starts or leases: its spec's, with the layer when its faults need it. */
export const clusterFor = <C extends ClusterSpec>(spec: { cluster: C; faults: FaultsPart }): C =>
  needsDiskLayer(spec.faults) && !spec.cluster.faultfs ? { ...spec.cluster, faultfs: true } : spec.cluster;
