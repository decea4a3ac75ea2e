// When two faults may be in force at once. A fault occupies the parts of the cluster it touches
// (its domains); two faults may overlap only if their domains are disjoint, so no node ever gets
// two contradictory faults (a pause of a killed broker, iptables rules in a container that is
// restarted underneath them). Targets are resolved at fault time, so this is decided from the
// target *specs*: a ZooKeeper fault and a broker fault never share a node.
import type { FaultSpec, TargetSpec } from "./types.ts";

export type Domain = "broker" | "zookeeper";

// KRaft's controllers are the metadata quorum, ZooKeeper's place: the same domain.
const zkTarget = (t: TargetSpec) =>
  t.kind.startsWith("zk-") ||
  t.kind === "active-controller" ||
  t.kind.startsWith("controller-") ||
  t.kind === "all-controllers" ||
  (t.kind === "nodes" && t.names.every((n) => /^(zk|c)\d+$/.test(n)));

export function domainsOf(f: FaultSpec): Set<Domain> {
  switch (f.fault) {
    case "kill":
    case "stop":
    case "pause":
    case "start":
    case "resume":
      return new Set([zkTarget(f.targets) ? "zookeeper" : "broker"]);
    case "partition":
      // Every shape but a cut among brokers puts rules in ZooKeeper nodes, or cuts brokers from them;
      // isolate-controller touches only the controllers (dedicated ones: combined voters are brokers too).
      if (f.topology === "cut-from-brokers") return new Set(["broker"]);
      return new Set(f.topology === "isolate-controller" ? ["zookeeper"] : ["broker", "zookeeper"]);
    case "bounce":
      return new Set(["broker"]);
    case "heal":
      return new Set(["broker", "zookeeper"]);
  }
}

export function conflicts(a: FaultSpec, b: FaultSpec): boolean {
  const da = domainsOf(a);
  return [...domainsOf(b)].some((d) => da.has(d));
}
