// The checked configuration of a stored spec, read tolerantly: a spec from an older or newer
// runner may lack fields, and a setting left out is judged at its strongest by the checkers.
import type { CheckConfig } from "../checkers/index.ts";
import type { SpecLike } from "./verdict.ts";

export function checkConfigOfSpec(spec: SpecLike | undefined): CheckConfig {
  const c: CheckConfig = {};
  if (!spec) return c;
  const acks = spec.producer?.acks;
  if (acks === 0 || acks === 1 || acks === "all") c.acks = acks;
  if (typeof spec.topic?.minInsyncReplicas === "number") c.minInsyncReplicas = spec.topic.minInsyncReplicas;
  if (typeof spec.topic?.uncleanLeaderElection === "boolean") c.uncleanLeaderElection = spec.topic.uncleanLeaderElection;
  if (typeof spec.producer?.idempotent === "boolean") c.idempotent = spec.producer.idempotent;
  if (typeof spec.producer?.maxInFlight === "number") c.maxInFlight = spec.producer.maxInFlight;
  if (spec.consumer?.mode === "assign" || spec.consumer?.mode === "subscribe") c.consumerMode = spec.consumer.mode;
  return c;
}
