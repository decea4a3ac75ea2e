// When two faults may be in force at once. A fault occupies the parts of the cluster it touches
// (its domains, which its family decides); two faults may overlap only if their domains are
// disjoint, so no node ever gets two contradictory faults (a pause of a killed broker, iptables
// rules in a container that is restarted underneath them). Targets are resolved at fault time, so
// this is decided from the target *specs*: a ZooKeeper fault and a broker fault never share a node.

import type { Domain } from "./families/family.ts";
import { familyOf } from "./families/index.ts";
import type { FaultSpec } from "./types.ts";

export type { Domain } from "./families/family.ts";

export const domainsOf = (f: FaultSpec): Set<Domain> => new Set(familyOf(f.fault).domains(f));

export function conflicts(a: FaultSpec, b: FaultSpec): boolean {
  const da = domainsOf(a);
  return [...domainsOf(b)].some((d) => da.has(d));
}
