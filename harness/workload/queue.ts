// The queue workload: producers send planned bursts to keys, consumers poll them (execute.ts).
// Nothing to prepare beyond the topic, nothing to end before the final reads.
import type { KafkaClient } from "../clients/client.ts";
import type { TestSpec } from "../spec/test-spec.ts";
import { runWorkload } from "./execute.ts";
import { generatePlan } from "./plan.ts";
import type { Workload } from "./workload.ts";

export function queueWorkload(spec: TestSpec, client: KafkaClient): Workload {
  const plan = generatePlan(spec);
  return {
    plan,
    transactional: false,
    prepare: async () => {},
    run: (ctx, signal, onProgress) => runWorkload(spec, plan, ctx, client, signal, onProgress),
    beforeFinalReads: async () => {},
  };
}
