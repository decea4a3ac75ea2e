// The registry of fault families, in the order the schedule picks among their arbitraries (stored
// seeds replay through it: append new families at the end). A new family is one module exporting a
// FaultFamily (family.ts) and one line here; its fault names and undo pairing go in
// checkers/fault-names.ts, its spec kinds in spec/fault-kinds.ts (test/nemesis/families.test.ts
// holds the three to the same names).
import type { FaultName } from "../../../checkers/fault-names.ts";
import type { FaultSpec } from "../types.ts";
import { bounceFamily } from "./bounce.ts";
import { clockFamily } from "./clock.ts";
import { diskFamily } from "./disk.ts";
import type { Action, FaultFamily } from "./family.ts";
import { linkFamily } from "./link.ts";
import { membershipFamily } from "./membership.ts";
import { networkFamily } from "./network.ts";
import { pauseFamily } from "./pause.ts";
import { powerFamily } from "./power.ts";
import { processFamily } from "./process.ts";
import { zookeeperFamily } from "./zookeeper.ts";

export const FAMILIES = [
  processFamily,
  pauseFamily,
  networkFamily,
  zookeeperFamily,
  bounceFamily,
  linkFamily,
  clockFamily,
  diskFamily,
  membershipFamily,
  powerFamily,
] as const;

/** Every fault the nemesis takes: the union of the families' own. */
export type FamilySpec = (typeof FAMILIES)[number] extends infer F ? (F extends FaultFamily<infer S> ? S : never) : never;

// The families act on exactly the fault names checkers/fault-names.ts pairs: a compile error otherwise.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
true satisfies Same<FamilySpec["fault"], FaultName>;

const BY_FAULT = new Map<string, FaultFamily<FaultSpec>>(
  FAMILIES.flatMap((f) => f.faults.map((n) => [n, f as FaultFamily<FaultSpec>] as const)),
);

/** The family that acts on this fault name. */
export function familyOf(fault: FaultSpec["fault"]): FaultFamily<FaultSpec> {
  const family = BY_FAULT.get(fault);
  if (!family) throw new Error(`no fault family acts on ${fault}`);
  return family;
}

/** The action for this fault, from its family. */
export const actionOf = <S extends FaultSpec>(spec: S): Action<S> =>
  (familyOf(spec.fault).act as unknown as Record<string, Action<S>>)[spec.fault]!;
