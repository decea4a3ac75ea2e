// `kafka-harness run` flags → a TestSpec input layered over an optional spec file. Pure, so the
// mapping is tested without a cluster; a flag that is not a number says so, naming the flag.
import { SpecError } from "../spec/errors.ts";
import { ISOLATION_LEVELS, WORKLOAD_KINDS } from "../spec/test-spec.ts";
import { deepMerge, type Plain } from "../util/merge.ts";

export interface RunFlags {
  acks?: string;
  minIsr?: string;
  unclean?: boolean;
  idempotent?: boolean;
  maxInFlight?: string;
  retries?: string;
  faults?: string;
  targets?: string;
  timeLimit?: string;
  rate?: string;
  seed?: string;
  client?: string;
  brokers?: string;
  zookeepers?: string;
  metadata?: string;
  kafkaVersion?: string;
  controllers?: string;
  combined?: boolean;
  partitions?: string;
  producers?: string;
  consumers?: string;
  subscribe?: boolean;
  name?: string;
  workload?: string;
  abortRate?: string;
  isolation?: string;
}

function num(flag: string, v: string | undefined, problems: string[]): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n)) {
    problems.push(`--${flag}: expected a number (got ${JSON.stringify(v)})`);
    return undefined;
  }
  return n;
}

function oneOf(flag: string, v: string | undefined, allowed: readonly string[], problems: string[]): string | undefined {
  if (v === undefined || allowed.includes(v)) return v;
  problems.push(`--${flag}: expected ${allowed.join(" or ")} (got ${JSON.stringify(v)})`);
  return undefined;
}

function share(flag: string, v: string | undefined, problems: string[]): number | undefined {
  const n = num(flag, v, problems);
  if (n === undefined || (n >= 0 && n <= 1)) return n;
  problems.push(`--${flag}: expected a share from 0 to 1 (got ${JSON.stringify(v)})`);
  return undefined;
}

const list = (v: string | undefined) => (v === undefined ? undefined : v.split(",").map((s) => s.trim()).filter(Boolean));

export function specFromFlags(flags: RunFlags, base: Plain = {}): Plain {
  const problems: string[] = [];
  const acks = flags.acks === undefined ? undefined : flags.acks === "all" || flags.acks === "-1" ? "all" : num("acks", flags.acks, problems);
  const over: Plain = {
    name: flags.name,
    seed: num("seed", flags.seed, problems),
    client: flags.client,
    cluster: {
      brokers: num("brokers", flags.brokers, problems),
      zookeepers: num("zookeepers", flags.zookeepers, problems),
      metadata: flags.metadata,
      kafkaVersion: flags.kafkaVersion,
      controllers: num("controllers", flags.controllers, problems),
      combined: flags.combined,
    },
    topic: { minInsyncReplicas: num("min-isr", flags.minIsr, problems), uncleanLeaderElection: flags.unclean, partitions: num("partitions", flags.partitions, problems) },
    producer: { acks, idempotent: flags.idempotent, maxInFlight: num("max-in-flight", flags.maxInFlight, problems), retries: num("retries", flags.retries, problems) },
    consumer: { mode: flags.subscribe ? "subscribe" : undefined, count: num("consumers", flags.consumers, problems), isolation: oneOf("isolation", flags.isolation, ISOLATION_LEVELS, problems) },
    workload: { kind: oneOf("workload", flags.workload, WORKLOAD_KINDS, problems), abortRate: share("abort-rate", flags.abortRate, problems), timeLimitSeconds: num("time-limit", flags.timeLimit, problems), rate: num("rate", flags.rate, problems), producers: num("producers", flags.producers, problems) },
    faults: { kinds: list(flags.faults), targets: list(flags.targets) },
  };
  if (problems.length) throw new SpecError("command line", problems);
  return deepMerge(base, over);
}
