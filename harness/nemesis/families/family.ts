// The fault-family contract (Jepsen's nemesis packages, fast-check's command objects): one module
// per family of faults says which spec kinds it generates and how (its schedule arbitraries), which
// fault names it acts on, which parts of the cluster they occupy (schedule-rules.ts), what they
// contradict in force, and how the nemesis invokes them. The nemesis keeps the shared scaffolding
// and looks the family up in the registry (index.ts).
import type fc from "fast-check";
import type { BrokerTargetKind, FaultKind } from "../../spec/faults.ts";
import type { NemesisContext } from "../context.ts";
import type { FaultState } from "../fault-state.ts";
import type { ScheduleOptions } from "../schedule.ts";
import type { FaultResult, ScheduledSpec, TargetSpec } from "../types.ts";

/** The parts of the cluster a fault occupies; faults overlap in a schedule only across disjoint domains.
 *  "link": a node's link quality (link.ts); "replicas": the workload partitions' assignment
 *  (membership.ts), which moves under kills too. */
export type Domain = "broker" | "zookeeper" | "link" | "replicas";

/** What a family's arbitraries build on: the options, the kinds they enable, and the target choices. */
export interface ScheduleGen {
  readonly o: ScheduleOptions;
  readonly kinds: ReadonlySet<FaultKind>;
  /** Any of the allowed target kinds the options enable, or undefined when they enable none. */
  target(allowed: readonly BrokerTargetKind[]): fc.Arbitrary<TargetSpec> | undefined;
}

/** Any fault spec: the registry derives the union of them all from the families, so no constraint names it. */
export type SpecShape = { fault: string };

/** One spec per fault name, each with targets: {fault: "kill", targets} | {fault: "stop", targets}. */
export type TargetedSpec<F extends string> = F extends string ? { fault: F; targets: TargetSpec } : never;

export type Action<S extends SpecShape> = (spec: S, ctx: NemesisContext) => Promise<FaultResult>;

export interface FaultFamily<S extends SpecShape = never> {
  readonly name: string;
  /** The spec's fault kinds (faults.kinds) this family generates; spec/fault-kinds.ts lists them all. */
  readonly kinds: readonly FaultKind[];
  /**
   * One arbitrary per enabled kind, in a fixed order: the schedule picks among every family's, in
   * registry order, so changing either order changes what stored seeds replay to.
   */
  arbitraries(g: ScheduleGen): fc.Arbitrary<ScheduledSpec>[];
  /** The fault names it acts on, faults proper and their undos (checkers/fault-names.ts pairs them). */
  readonly faults: readonly S["fault"][];
  /** The domains a fault of this family occupies. */
  domains(spec: S): readonly Domain[];
  /** What this family has in force, one line per fault ("kafka1 kill"), for the run's progress lines. */
  inForce?(state: FaultState): string[];
  /** Why a fault of this family on these nodes would contradict what is in force, or undefined. */
  conflict?(state: FaultState, nodes: readonly string[]): string | undefined;
  /**
   * Heal-all's part for this family's faults (those the node containers' states do not show: a
   * lossy link, a clock offset, a failing disk), judged by asking the nodes rather than the fault
   * state alone. Runs after heal-all started and resumed every node. Returns the nodes it healed
   * and what it could not undo.
   */
  heal?(ctx: NemesisContext): Promise<FamilyHeal>;
  /** Ends what the family runs in the background (a clock strobe's timer) when the nemesis closes. */
  close?(ctx: NemesisContext): Promise<void>;
  /** Resolve, refuse or record the op pair, act: one action per fault name. */
  readonly act: { readonly [F in S["fault"]]: Action<Extract<S, { fault: F }>> };
}

/** What a family's heal undid (node names) and what it could not (the heal-all op is then info). */
export interface FamilyHeal {
  healed: string[];
  problems: string[];
}

/** Targets in the metadata quorum (ZooKeeper's, or KRaft's controllers: ZooKeeper's place) rather than brokers. */
export const quorumTarget = (t: TargetSpec) =>
  t.kind.startsWith("zk-") ||
  t.kind === "active-controller" ||
  t.kind.startsWith("controller-") ||
  t.kind === "all-controllers" ||
  (t.kind === "nodes" && t.names.every((n) => /^(zk|c)\d+$/.test(n)));
