// The fault injector (docs/design.md, Fault families). What the runner uses:
//   const nemesis = clusterNemesis(cluster, { recorder, rng: seededRng(seed) });
//   const schedule = generateSchedule(seed, { faults: ["kill", "partition"], timeLimitMs, meanIntervalMs, durationMs, partitions });
//   await runSchedule(schedule, nemesis, { signal, origin });   // ends with heal-all
//   await nemesis.close({ waitMs });                             // lets recovery measurements finish
export type { FaultName, FaultResult, FaultSpec, FaultValue, Nemesis, TargetKind, TargetSpec, Topology } from "./types.ts";
export { TOPOLOGIES } from "./types.ts";
export type { FaultableNode, Killable, NemesisCluster, Partitionable, Pausable, Stoppable } from "./capabilities.ts";
export { clusterNemesis, type ClusterNemesis, type ClusterNemesisOptions } from "./nemesis.ts";
export { noopNemesis } from "./noop.ts";
export { FAMILIES } from "./families/index.ts";
export type { FaultFamily } from "./families/family.ts";
export { validateNemesis, checkResult, NemesisContractError } from "./validate.ts";
export { seededRng, type Rng } from "./rng.ts";
export {
  BROKER_TARGETS,
  FAULT_KINDS,
  generateSchedule,
  parseScheduleOptions,
  scheduleArbitrary,
  ScheduleOptionsSchema,
  type FaultKind,
  type Schedule,
  type ScheduledFault,
  type ScheduleOptions,
  type ScheduleOptionsInput,
} from "./schedule.ts";
export { conflicts, domainsOf } from "./schedule-rules.ts";
export { runSchedule, type RunScheduleOptions, type ScheduleOutcome } from "./run-schedule.ts";
export { clusterProbe, type ClusterProbe } from "./probe.ts";
export { fetchBrokerMetadata, type BrokerMetadata, type PartitionMetadata } from "./broker-metadata.ts";
export { filterRules } from "./iptables.ts";
export type { WatchOptions } from "./failover-watch.ts";
