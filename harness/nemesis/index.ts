// The fault injector (docs/design.md, Fault families). What the runner uses:
//   const nemesis = clusterNemesis(cluster, { recorder, rng: seededRng(seed) });
//   const schedule = generateSchedule(seed, { faults: ["kill", "partition"], timeLimitMs, meanIntervalMs, durationMs, partitions });
//   await runSchedule(schedule, nemesis, { signal, origin });   // ends with heal-all
//   await nemesis.close({ waitMs });                             // lets recovery measurements finish

export { type BrokerMetadata, fetchBrokerMetadata, type PartitionMetadata } from "./broker-metadata.ts";
export type { FaultableNode, Killable, NemesisCluster, Partitionable, Pausable, Stoppable } from "./capabilities.ts";
export type { WatchOptions } from "./failover-watch.ts";
export type { FaultFamily } from "./families/family.ts";
export { FAMILIES } from "./families/index.ts";
export { filterRules } from "./iptables.ts";
export { type ClusterNemesis, type ClusterNemesisOptions, clusterNemesis } from "./nemesis.ts";
export { noopNemesis } from "./noop.ts";
export { type ClusterProbe, clusterProbe } from "./probe.ts";
export { type Rng, seededRng } from "./rng.ts";
export { type RunScheduleOptions, runSchedule, type ScheduleOutcome } from "./run-schedule.ts";
export {
  BROKER_TARGETS,
  FAULT_KINDS,
  type FaultKind,
  generateSchedule,
  parseScheduleOptions,
  type Schedule,
  type ScheduledFault,
  type ScheduleOptions,
  type ScheduleOptionsInput,
  ScheduleOptionsSchema,
  scheduleArbitrary,
} from "./schedule.ts";
export { conflicts, domainsOf } from "./schedule-rules.ts";
export type { FaultName, FaultResult, FaultSpec, FaultValue, Nemesis, TargetKind, TargetSpec, Topology } from "./types.ts";
export { TOPOLOGIES } from "./types.ts";
export { checkResult, NemesisContractError, validateNemesis } from "./validate.ts";
