// `run --dry-run`: what a spec and its seed will do, without a cluster or an engine: the settings,
// the workload plan and the fault schedule (previewRun), as text for a terminal or as one JSON
// object. Pure: the CLI prints what these return.
import { configLabels } from "../../checkers/settings.ts";
import { checkConfigOfSpec } from "../../checkers/spec-config.ts";
import type { Schedule } from "../nemesis/index.ts";
import { describe } from "../nemesis/run-schedule.ts";
import { redactSecrets, type SecuritySpec } from "../spec/security.ts";
import type { TestSpec } from "../spec/test-spec.ts";
import { groupIdOf } from "../workload/group-plan.ts";
import { generatePlan, type WorkloadPlan } from "../workload/plan.ts";
import { faultSchedule } from "./fault-driver.ts";

export interface Preview {
  spec: TestSpec;
  plan: WorkloadPlan;
  faults: Schedule;
}

/** What a validated spec will do: the plan and the schedule its seed gives (previewRun's). */
export const previewOf = (spec: TestSpec): Preview => ({ spec, plan: generatePlan(spec), faults: faultSchedule(spec) });

/** Sends (or transactions) shown per producer in the text form; the JSON has them all. */
const SHOWN = 8;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function planLines(spec: TestSpec, plan: WorkloadPlan): string[] {
  const w = spec.workload;
  const head = `workload  ${w.kind}: ${w.producers} producers, ${spec.consumer.count} consumers (${spec.consumer.mode}), keys ${plan.keys.join(", ")}; ${w.timeLimitSeconds} s at ${w.rate} ops/s`;
  if (plan.transactions) {
    const txns = plan.transactions.map((slot, i) => {
      const shown = slot
        .slice(0, SHOWN)
        .map((t) => `[${t.ops.map((o) => (o[0] === "send" ? `send ${o[1]}` : "poll")).join(", ")}]${t.abort ? " abort" : ""}`);
      return `  slot ${i}: ${shown.join(" ")}${slot.length > SHOWN ? ` … (${slot.length} planned)` : ""}`;
    });
    return [head, `          transactions of each slot, in order (abort rate ${w.abortRate}):`, ...txns];
  }
  const sends = plan.producers.map((steps, i) => {
    const shown = steps.slice(0, SHOWN).map((s) => `${s.key}×${s.burst}`);
    return `  producer ${i}: ${shown.join(" ")}${steps.length > SHOWN ? ` … (${steps.length} planned; the rate stops them earlier)` : ""}`;
  });
  const churn = plan.churn
    ? [
        `          group ${groupIdOf(spec)}, member events (slot: the member it strikes)${plan.churn.length ? ":" : ": none"}`,
        ...plan.churn.map((e) => `  ${seconds(e.atMs).padStart(7)}  ${e.kind} slot ${e.slot}`),
      ]
    : [];
  return [head, "          sends of each producer, in order (key × records in the burst):", ...sends, ...churn];
}

function faultLines(spec: TestSpec, faults: Schedule): string[] {
  const source = spec.faults.schedule ? "the spec's explicit schedule" : `drawn from seed ${spec.seed}`;
  if (faults.length === 0)
    return [
      `faults    none${spec.faults.kinds.length || spec.faults.schedule ? ` (${source}: no fault fits the time limit)` : " (no --faults)"}`,
    ];
  return [
    `faults    ${faults.length} (${source}; times from the workload start):`,
    ...faults.map((f) => `  at ${seconds(f.at).padStart(7)}  ${describe(f)}`),
  ];
}

/** " over TLS, SASL scram-sha-256 as bob" (never the password). */
const securityText = (s: SecuritySpec | undefined) =>
  [...(s?.tls ? [" over TLS"] : []), ...(s?.sasl ? [`${s.tls ? "," : ""} SASL ${s.sasl.mechanism} as ${s.sasl.username}`] : [])].join("");

/** The preview as terminal lines: settings, seed, plan, faults, and how to run it. */
export function formatPreview({ spec, plan, faults }: Preview): string {
  const c = spec.cluster;
  const hooks = Object.keys(spec.faults.hooks ?? {}).filter((k) => k !== "timeoutSeconds");
  const cluster =
    c.kind === "attach"
      ? `attached at ${(c.bootstrap ?? []).join(",")}${securityText(c.security)}: nothing started or stopped there; a topic of the run's own, ${c.keepTopic ? "kept at the end (keepTopic)" : "deleted at the end"}${hooks.length ? `; faults by hooks: ${hooks.join(", ")}` : ""}`
      : c.metadata === "kraft"
        ? `Kafka ${c.kafkaVersion}, KRaft (${c.controllers} controllers${c.combined ? ", combined" : ""}), ${c.brokers} brokers`
        : `Kafka ${c.kafkaVersion}, ZooKeeper mode (${c.zookeepers} ZooKeeper nodes), ${c.brokers} brokers`;
  const inv = c.kind === "ssh" ? c.inventory : undefined;
  const where = inv ? `over SSH (mode ${inv.mode}) on ${inv.nodes.map((n) => `${n.host} (${n.role})`).join(", ")}: ` : "";
  return [
    "dry run: nothing was started",
    `cluster   ${where}${cluster}`,
    `settings  client ${spec.client}; ${configLabels(checkConfigOfSpec(spec)).join(" ")}; topic ${spec.topic.name}, ${spec.topic.partitions} partitions, replication ${spec.topic.replicationFactor}`,
    `seed      ${spec.seed}`,
    ...planLines(spec, plan),
    ...faultLines(spec, faults),
    `run it:   the same command without --dry-run; with --seed ${spec.seed} it gets this plan and schedule again`,
  ].join("\n");
}

/** The preview as `--json` prints it: one object, the whole plan and schedule. */
export const previewJson = ({ spec, plan, faults }: Preview) => ({
  dryRun: true,
  seed: spec.seed,
  spec: redactSecrets(spec),
  plan,
  faults,
});
