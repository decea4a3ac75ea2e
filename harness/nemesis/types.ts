// The nemesis vocabulary: what a fault is (plain data, so schedules can be stored, replayed and
// shrunk), whom it targets (a *spec* resolved against the live cluster at the moment of the fault),
// and what invoking it returns.
import type { FaultProper, HEAL_ALL } from "../../checkers/fault-names.ts";
import type { OpType } from "../history/recorder.ts";
import type { TargetSpec, Topology } from "../spec/faults.ts";
import type { FamilySpec } from "./families/index.ts";

export { type TargetSpec, TOPOLOGIES, type Topology } from "../spec/faults.ts";

export type TargetKind = TargetSpec["kind"];

/**
 * Faults proper, and the undos (start, resume, heal) that are faults of their own in the history:
 * each family's (families/*.ts), e.g. {fault: "kill", targets}, {fault: "partition", topology,
 * targets?}, {fault: "bounce"}, {fault: "heal"}.
 */
export type FaultSpec = FamilySpec;

/** A fault proper (not an undo): what a schedule holds. */
export type ScheduledSpec = Extract<FaultSpec, { fault: FaultProper }>;

export type FaultName = FaultSpec["fault"];

/** The `value` of a nemesis op in the history (docs/design.md, History). Extra fields are per fault. */
export interface FaultValue {
  targets: string[];
  /** Set when the targets were chosen as the leader of this topic-partition. */
  leaderOf?: string;
  /** The target spec's kind, e.g. "controller", "random-broker". */
  selector?: TargetKind;
  topology?: Topology;
  /** For partitions: node → nodes whose packets it drops. */
  grudge?: Record<string, string[]>;
  /** Why a fault was refused (fail) or may have half-happened (info). */
  reason?: string;
  [extra: string]: unknown;
}

export interface FaultResult {
  /** ok: in force; info: may or may not have happened (an action failed midway); fail: did not happen. */
  type: Exclude<OpType, "invoke">;
  f: FaultName | typeof HEAL_ALL;
  value: FaultValue;
  /** History index of the completion op (absent for the noop nemesis). */
  index?: number;
  /** The fault that undoes this one, once it is in force (absent for undos, bounce and failures). */
  undo?: FaultSpec;
}

export interface Nemesis {
  /** Resolves the targets, records the invoke, acts, records ok / info / fail, returns the completion. */
  invoke(fault: FaultSpec): Promise<FaultResult>;
  /** Undoes everything in force: starts stopped nodes, resumes paused ones, removes every rule. */
  healAll(): Promise<FaultResult>;
  /** Ends background measurements and unregisters the shutdown hook. Does not heal. */
  close(): Promise<void>;
}
