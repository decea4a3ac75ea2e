// The checked configuration of a test spec: the one mapping from a spec (a validated TestSpec, or a
// stored spec.json read back by the report) to what the checkers judge against. Read tolerantly: a
// spec from an older or newer runner may lack fields, and a setting left out is judged at its
// strongest by the checkers. Structural, so the checkers import nothing of the harness.
import type { CheckConfig } from "./guarantees.ts";

/** The parts of a spec that decide the guarantees, as they sit in spec.json. */
export interface SpecSettings {
  producer?: { acks?: unknown; idempotent?: unknown; maxInFlight?: unknown };
  topic?: { minInsyncReplicas?: unknown; uncleanLeaderElection?: unknown };
  consumer?: { mode?: unknown; isolation?: unknown };
  workload?: { kind?: unknown };
}

export function checkConfigOfSpec(spec: SpecSettings | undefined): CheckConfig {
  const c: CheckConfig = {};
  if (!spec) return c;
  const acks = spec.producer?.acks;
  if (acks === 0 || acks === 1 || acks === "all") c.acks = acks;
  if (typeof spec.topic?.minInsyncReplicas === "number") c.minInsyncReplicas = spec.topic.minInsyncReplicas;
  if (typeof spec.topic?.uncleanLeaderElection === "boolean") c.uncleanLeaderElection = spec.topic.uncleanLeaderElection;
  if (typeof spec.producer?.idempotent === "boolean") c.idempotent = spec.producer.idempotent;
  if (typeof spec.producer?.maxInFlight === "number") c.maxInFlight = spec.producer.maxInFlight;
  if (spec.consumer?.mode === "assign" || spec.consumer?.mode === "subscribe") c.consumerMode = spec.consumer.mode;
  const isolation = spec.consumer?.isolation;
  if (isolation === "read_committed" || isolation === "read_uncommitted") c.isolation = isolation;
  // A spec from before workload kinds says nothing: left out, not taken for a queue.
  if (spec.workload?.kind === "txn" || spec.workload?.kind === "queue") c.transactional = spec.workload.kind === "txn";
  return c;
}
