// The settings of a run, described once (docs/design.md "Settings"). An entry holds where the value
// sits in a spec, its command-line flag and how the flag's text parses, its Kafka config name, its
// help, its short label, and, for a setting that decides the verdict, the CheckConfig field it
// becomes with that field's domain, chip and description. Made from it: the `run` and `check`
// flags, the suite table's configuration label, the report's chips, the reconstructed command, the
// checked configuration of a spec and its description.
//
// Why in checkers/: the checkers (check flags, a spec's checked configuration), the reports (chips,
// reconstructed command) and the harness (run flags, help, suite label) all read it, and checkers/
// is the one folder all three may import; checkers and reports import nothing of the harness. It is
// plain data: a run setting's range and default stay in the spec's schema (harness/spec), which
// test/spec/settings.test.ts holds in step with this table. No zod here: `check` and `--help` load
// this file at start, and zod takes a tenth of a second or more to load.
import type { CheckConfig } from "./guarantees.ts";

/** A flag's text as a value, or what was expected instead ("a number"), with the valid words if
 *  there are few (for "did you mean"). */
export type Parsed = { value: unknown } | { expected: string; choices?: readonly string[] };

type Key = keyof CheckConfig;

/** The verdict part of a setting: the CheckConfig field it is. */
export interface Verdict<K extends Key = Key> {
  key: K;
  /** The field's values, and how a bad one is named ("an integer >= 1"). */
  domain: { is(v: unknown): v is NonNullable<CheckConfig[K]>; expected: string };
  /** The spec's value as the field's (workload kind "txn" → transactional); default: itself. */
  of?(specValue: unknown): unknown;
  /** For the suite table (after the client): "" leaves it out. */
  label?(v: NonNullable<CheckConfig[K]>, c: CheckConfig): string;
  /** In the report's chips: the value, or the one assumed when not given (then marked so);
   *  undefined leaves the chip out. `txns`: shown only where transactions are in play. */
  chip?(v: CheckConfig[K]): string | undefined;
  txns?: boolean;
  /** In the terminal's "configuration:" line; default `<kafka>=<value>`. */
  describe?(v: NonNullable<CheckConfig[K]>): string | undefined;
}

export interface Setting {
  /** The flag without its dashes; the flags object's key is its camelCase (max-in-flight → maxInFlight). */
  flag: string;
  /** Where the value sits in a spec; absent: a `check`-only setting. */
  path?: readonly [string, string, string] | readonly [string, string] | readonly [string];
  /** The spec's default (its schema's, held equal by a test); absent where the runner decides
   *  (a drawn seed, the Kafka version of the metadata mode). */
  default?: unknown;
  /** The placeholder of a value flag ("<n>"); absent: a switch. */
  arg?: string;
  /** Text to value (value flags). The spec's schema then judges a run's value. */
  parse?(text: string): Parsed;
  /** A switch's value when given, and when given as --no-<flag> (only with `negatable`). */
  on?: unknown;
  off?: unknown;
  negatable?: boolean;
  /** The value as the flag's text (value flags); default String. */
  format?(v: unknown): string;
  /** Absent: the flag's help lists the fault families, so harness/cli.ts spells it (harness/nemesis owns those lists). */
  help?: string;
  noHelp?: string;
  /** Kafka's name for it, where it has one. */
  kafka?: string;
  /** A run-only setting shown in the suite table's label. */
  label?(v: unknown): string;
  verdict?: { [K in Key]: Verdict<K> }[Key];
}

// Parsers of a flag's text.
const number = (text: string): Parsed => {
  const n = Number(text);
  return text.trim() === "" || !Number.isFinite(n) ? { expected: "a number" } : { value: n };
};
const share = (text: string): Parsed => {
  const p = number(text);
  return "value" in p && !((p.value as number) >= 0 && (p.value as number) <= 1) ? { expected: "a share from 0 to 1" } : p;
};
const oneOf =
  (values: readonly string[]) =>
  (text: string): Parsed =>
    values.includes(text) ? { value: text } : { expected: values.join(" or "), choices: values };
const text = (t: string): Parsed => ({ value: t });
const list = (t: string): Parsed => ({
  value: t
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
});
const joined = (v: unknown) => (Array.isArray(v) ? v.join(",") : String(v));
// The spec's schema names a run's bad acks (`producer.acks: must be 0, 1 or "all"`); only text that
// is no acks at all is refused here.
const acks = (t: string): Parsed =>
  t === "all" || t === "-1" ? { value: "all" } : "value" in number(t) ? number(t) : { expected: "0, 1 or all", choices: ["0", "1", "all"] };

/** The copier's mode of a spec's workload.copy: transactional unless it says `transactional: false`. */
function copyMode(v: unknown): (typeof COPY_MODES)[number] | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  return (v as { transactional?: unknown }).transactional === false ? "at-least-once" : "transactional";
}

// Domains of the CheckConfig fields.
const positiveInt = { is: (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1, expected: "an integer >= 1" };
const bool = { is: (v: unknown): v is boolean => typeof v === "boolean", expected: "true or false" };
const among = <T extends string | number>(values: readonly T[], expected = values.join(" or ")) => ({
  is: (v: unknown): v is T => values.includes(v as T),
  expected,
});

export const ISOLATION_LEVELS = ["read_committed", "read_uncommitted"] as const;
export const WORKLOAD_KINDS = ["queue", "txn", "group", "copy"] as const;
export const COPY_MODES = ["transactional", "at-least-once"] as const;
export const CONSUMER_MODES = ["assign", "subscribe"] as const;
export const COMMIT_STRATEGIES = ["after-sync", "after-async", "auto", "before"] as const;
export const GROUP_PROTOCOLS = ["classic", "consumer"] as const;
export const CHURN_EVENTS = ["join", "leave", "crash", "stall"] as const;

/** The table. Its order is the order of the help, the label, the chips and the reconstructed command. */
export const SETTINGS = [
  {
    flag: "client",
    path: ["client"],
    default: "kafkajs",
    arg: "<name>",
    parse: text,
    label: String,
    help: "Kafka client library: kafkajs, platformatic (@platformatic/kafka) or confluent (librdkafka; kafka-harness install-client confluent first)",
  },
  {
    flag: "acks",
    path: ["producer", "acks"],
    default: "all",
    arg: "<0|1|all>",
    parse: acks,
    kafka: "acks",
    help: "producer acks: 0, 1 or all",
    verdict: { key: "acks", domain: among([0, 1, "all"], "0, 1 or all"), label: (v) => `acks=${v}`, chip: (v) => `acks=${v ?? "all"}` },
  },
  {
    flag: "min-isr",
    path: ["topic", "minInsyncReplicas"],
    default: 2,
    arg: "<n>",
    parse: number,
    kafka: "min.insync.replicas",
    help: "topic min.insync.replicas",
    verdict: {
      key: "minInsyncReplicas",
      domain: positiveInt,
      label: (v) => `minISR=${v}`,
      chip: (v) => `min.insync.replicas=${v ?? "≥2"}`,
    },
  },
  {
    flag: "unclean",
    path: ["topic", "uncleanLeaderElection"],
    default: false,
    on: true,
    off: false,
    negatable: true,
    kafka: "unclean.leader.election.enable",
    help: "unclean leader election enabled",
    noHelp: "unclean leader election disabled",
    verdict: {
      key: "uncleanLeaderElection",
      domain: bool,
      label: (v) => (v ? "unclean" : ""),
      chip: (v) => `unclean election ${v ? "on" : "off"}`,
    },
  },
  {
    flag: "flush-messages",
    path: ["cluster", "brokerConfig", "log.flush.interval.messages"],
    arg: "<n>",
    parse: number,
    kafka: "log.flush.interval.messages",
    help: "broker log.flush.interval.messages (1: every message synced to disk before it counts as written; only power-loss faults tell) (default: Kafka's, never by count)",
    verdict: {
      key: "flushMessages",
      domain: positiveInt,
      of: (v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : v),
      label: (v) => `flush=${v}`,
      chip: (v) => (v === undefined ? undefined : `log.flush.interval.messages=${v}`),
    },
  },
  {
    flag: "idempotent",
    path: ["producer", "idempotent"],
    default: false,
    on: true,
    off: false,
    negatable: true,
    kafka: "enable.idempotence",
    help: "idempotent producer (a txn workload's always is)",
    noHelp: "producer not idempotent",
    verdict: {
      key: "idempotent",
      domain: bool,
      label: (v) => (v ? "idempotent" : ""),
      chip: (v) => (v === false ? "not idempotent" : "idempotent"),
    },
  },
  {
    flag: "max-in-flight",
    path: ["producer", "maxInFlight"],
    default: 5,
    arg: "<n>",
    parse: number,
    kafka: "max.in.flight.requests.per.connection",
    help: "producer max.in.flight.requests.per.connection",
    verdict: { key: "maxInFlight", domain: positiveInt, label: (v) => `inflight=${v}`, chip: (v) => `max in flight ${v ?? "≤5"}` },
  },
  {
    flag: "subscribe",
    path: ["consumer", "mode"],
    default: "assign",
    on: "subscribe",
    off: "assign",
    negatable: true,
    help: "consumers share a group (subscribe)",
    noHelp: "consumers assign themselves partitions (assign)",
    verdict: {
      key: "consumerMode",
      domain: among(CONSUMER_MODES),
      label: (v) => (v === "subscribe" ? "subscribe" : ""),
      chip: (v) => `consumers: ${v ?? "assign"}`,
      describe: (v) => v,
    },
  },
  {
    flag: "ww-deps",
    on: true,
    help: "infer write-write dependencies from log order (finds G0)",
    verdict: {
      key: "wwDeps",
      domain: bool,
      chip: (v) => (v ? "ww deps inferred" : undefined),
      describe: (v) => (v ? "ww-deps" : undefined),
    },
  },
  {
    flag: "workload",
    path: ["workload", "kind"],
    default: "queue",
    arg: "<kind>",
    parse: oneOf(WORKLOAD_KINDS),
    help: "queue (sends and polls), txn (transactions of send/poll micro-ops; transactional producers), group (the queue's producers; consumers in one consumer group) or copy (copiers from the topic to <topic>.out)",
    verdict: {
      key: "transactional",
      domain: bool,
      // copy: the input's producers are plain ones (the copiers' transactions are txn ops anyway).
      of: (k) => (k === "txn" ? true : k === "queue" || k === "group" || k === "copy" ? false : undefined),
      label: (v) => (v ? "txn" : ""),
      txns: true,
      chip: (v) => (v === false ? "no transactions" : "transactional producers"),
      describe: (v) => (v ? "transactional producers" : "no transactions"),
    },
  },
  // For a queue run the isolation level decides nothing (only a transaction's records can be
  // aborted), so the label names it for txn runs only, as the chips do.
  {
    flag: "isolation",
    path: ["consumer", "isolation"],
    default: "read_committed",
    arg: "<level>",
    parse: oneOf(ISOLATION_LEVELS),
    kafka: "isolation.level",
    help: "the workload's consumers' isolation.level: read_committed or read_uncommitted (final reads: read_committed)",
    verdict: {
      key: "isolation",
      domain: among(ISOLATION_LEVELS),
      label: (v, c) => (c.transactional ? v : ""),
      txns: true,
      chip: (v) => `consumers ${v ?? "read_committed"}`,
    },
  },
  // The group workload's settings: absent from the spec of any other workload (no label, no chip).
  {
    flag: "commit",
    path: ["consumer", "group", "commit"],
    arg: "<strategy>",
    parse: oneOf(COMMIT_STRATEGIES),
    help: "group workload: when members commit: after-sync, after-async, auto or before (processing) (default: after-sync)",
    verdict: {
      key: "commit",
      domain: among(COMMIT_STRATEGIES),
      label: (v) => `commit=${v}`,
      chip: (v) => (v === undefined ? undefined : `commits ${v}`),
      describe: (v) => `commit=${v}`,
    },
  },
  {
    flag: "group-protocol",
    path: ["consumer", "group", "protocol"],
    arg: "<protocol>",
    parse: oneOf(GROUP_PROTOCOLS),
    kafka: "group.protocol",
    help: "group workload: classic or consumer (KIP-848, Kafka 4.x) (default: classic)",
  },
  {
    flag: "churn",
    path: ["consumer", "churn", "events"],
    arg: "<events>",
    parse: list,
    format: joined,
    help: "group workload: member events drawn from the seed, comma-separated: join,leave,crash,stall (default: none)",
  },
  {
    flag: "churn-interval",
    path: ["consumer", "churn", "intervalSeconds"],
    arg: "<s>",
    parse: number,
    help: "group workload: mean seconds between member events (default: 5)",
  },
  {
    flag: "crash-window",
    path: ["consumer", "churn", "crashWindow"],
    arg: "<window>",
    parse: oneOf(["now", "after-commit"]),
    help: "group workload: where a crash strikes: now, or after-commit (--commit before: after a delivery's commit was acknowledged, before it is processed) (default: now)",
  },
  {
    flag: "session-timeout",
    path: ["consumer", "group", "sessionTimeoutMs"],
    arg: "<ms>",
    parse: number,
    kafka: "session.timeout.ms",
    help: "group workload: the members' session timeout (default: 6000, Kafka's group.min.session.timeout.ms)",
  },
  // The spec holds the copiers' settings (workload.copy: copiers, transactional, crashes); the flag
  // sets only the mode, merged into them.
  {
    flag: "copy",
    path: ["workload", "copy"],
    arg: "<mode>",
    parse: (t: string): Parsed => {
      const p = oneOf(COPY_MODES)(t);
      return "value" in p ? { value: { transactional: p.value === "transactional" } } : p;
    },
    format: (v) => copyMode(v) ?? "transactional",
    help: "copy: transactional (each copy a transaction with its input offsets: exactly once) or at-least-once (produce, then commit the offsets) (default: transactional, with --workload copy)",
    verdict: {
      key: "copy",
      domain: among(COPY_MODES),
      of: copyMode,
      label: (v) => (v === "transactional" ? "copy-eos" : "copy-alo"),
      chip: (v) => (v === undefined ? undefined : `copiers ${v}`),
      describe: (v) => `copiers ${v}`,
    },
  },
  { flag: "retries", path: ["producer", "retries"], default: 5, arg: "<n>", parse: number, kafka: "retries", help: "producer retries" },
  {
    flag: "op-timeout",
    path: ["producer", "opTimeoutMs"],
    default: 40_000,
    arg: "<ms>",
    parse: number,
    help: "how long a send op waits for its records' answers (queue: at least the client's delivery budget)",
  },
  {
    flag: "allow-short-op-timeout",
    path: ["producer", "allowShortOpTimeout"],
    default: false,
    on: true,
    help: "run a queue workload whose --op-timeout is below the client's delivery budget",
  },
  {
    flag: "abort-rate",
    path: ["workload", "abortRate"],
    default: 0.1,
    arg: "<r>",
    parse: share,
    help: "txn: share of transactions aborted on purpose (0-1)",
  },
  { flag: "faults", path: ["faults", "kinds"], default: [], arg: "<kinds>", parse: list, format: joined },
  {
    flag: "targets",
    path: ["faults", "targets"],
    default: ["leader", "random-broker", "controller", "minority"],
    arg: "<kinds>",
    parse: list,
    format: joined,
  },
  { flag: "time-limit", path: ["workload", "timeLimitSeconds"], default: 30, arg: "<s>", parse: number, help: "workload seconds" },
  { flag: "rate", path: ["workload", "rate"], default: 50, arg: "<r>", parse: number, help: "send ops per second (all producers)" },
  { flag: "producers", path: ["workload", "producers"], default: 4, arg: "<n>", parse: number, help: "producer processes" },
  { flag: "consumers", path: ["consumer", "count"], default: 2, arg: "<n>", parse: number, help: "consumer processes" },
  {
    flag: "partitions",
    path: ["topic", "partitions"],
    default: 3,
    arg: "<n>",
    parse: number,
    help: "partitions of the test topic (one key each)",
  },
  { flag: "brokers", path: ["cluster", "brokers"], default: 3, arg: "<n>", parse: number, help: "brokers (1-5)" },
  {
    flag: "cluster",
    path: ["cluster", "kind"],
    arg: "<kind>",
    parse: text,
    help: "docker (the harness starts a cluster), attach (an existing cluster at --bootstrap) or ssh (hosts of --inventory or --ssh-hosts) (default: docker)",
  },
  {
    flag: "bootstrap",
    path: ["cluster", "bootstrap"],
    arg: "<host:port,...>",
    parse: list,
    format: joined,
    help: "attach: the cluster's bootstrap addresses (default: none; needed with --cluster attach)",
  },
  {
    flag: "keep-topic",
    path: ["cluster", "keepTopic"],
    on: true,
    help: "attach: leave the run's topic on the cluster (deleted at the end by default)",
  },
  {
    flag: "metadata",
    path: ["cluster", "metadata"],
    default: "zookeeper",
    arg: "<mode>",
    parse: text,
    help: "zookeeper (Kafka 3.9) or kraft (a controller quorum)",
  },
  {
    flag: "kafka-version",
    path: ["cluster", "kafkaVersion"],
    arg: "<v>",
    parse: text,
    help: "Apache Kafka release (default 3.9.1 for zookeeper, 4.4.0 for kraft)",
  },
  { flag: "zookeepers", path: ["cluster", "zookeepers"], default: 3, arg: "<n>", parse: number, help: "ZooKeeper nodes (1-5)" },
  {
    flag: "controllers",
    path: ["cluster", "controllers"],
    default: 3,
    arg: "<n>",
    parse: number,
    help: "KRaft controller quorum voters (1-5)",
  },
  {
    flag: "combined",
    path: ["cluster", "combined"],
    default: false,
    on: true,
    help: "KRaft: controllers run on the first brokers (broker,controller) instead of nodes of their own",
  },
  {
    flag: "seed",
    path: ["seed"],
    arg: "<n>",
    parse: number,
    help: "seed of the workload plan and fault schedule (default: drawn at random, printed and stored)",
  },
  { flag: "name", path: ["name"], default: "kafka", arg: "<name>", parse: text, help: "test name (store/<name>/...)" },
] as const satisfies readonly Setting[];

type Camel<S extends string> = S extends `${infer A}-${infer B}` ? `${A}${Capitalize<Camel<B>>}` : S;
type Entry = (typeof SETTINGS)[number];
type FlagsOf<E extends Entry> = { [S in E as Camel<S["flag"]>]?: S extends { arg: string } ? string : boolean };

/** The flags object commander gives `run` (every setting with a spec path). */
export type RunFlags = FlagsOf<Extract<Entry, { path: unknown }>>;
/** The flags object of `check` (every verdict setting). */
export type VerdictFlags = FlagsOf<Extract<Entry, { verdict: unknown }>>;

export const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export const RUN_SETTINGS: readonly Setting[] = SETTINGS.filter((s: Setting) => s.path !== undefined);
export const VERDICT_SETTINGS: ReadonlyArray<Setting & { verdict: Verdict }> = SETTINGS.filter(
  (s: Setting) => s.verdict !== undefined,
) as never;

/** The value a setting's flag gives (`given`: the flags object's entry), or what was expected. */
export function flagValue(s: Setting, given: string | boolean): Parsed {
  if (s.arg === undefined) return { value: given === false ? s.off : s.on };
  if (typeof given !== "string") return { expected: `a value ${s.arg}` };
  return s.parse ? s.parse(given) : { value: given };
}

/** The flag words that set `value`, e.g. ["--acks", "all"]; a switch's off value is said where it
 *  has a --no- form (the verdict's switches: a replay states them all), else left to the default. */
export function flagWords(s: Setting, value: unknown): string[] {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return [];
  if (s.arg === undefined) return value === s.on ? [`--${s.flag}`] : s.negatable && value === s.off ? [`--no-${s.flag}`] : [];
  return [`--${s.flag}`, (s.format ?? String)(value)];
}

/** The commander option heads: "--max-in-flight <n>", "--unclean" (and "--no-unclean");
 *  `withDefault` adds the run's default to the help (a value flag's value, the switch form that is
 *  the default, "off" for a switch without a --no- form); a check assumes the strongest instead. */
export function optionHeads(s: Setting, withDefault = false): Array<{ head: string; help: string }> {
  const text = s.help ?? "";
  if (s.arg !== undefined) {
    const shown = withDefault && s.default !== undefined && !(Array.isArray(s.default) && s.default.length === 0);
    return [{ head: `--${s.flag} ${s.arg}`, help: `${text}${shown ? ` (default: ${(s.format ?? String)(s.default)})` : ""}` }];
  }
  const mark = (isDefault: boolean) => (withDefault && isDefault ? " (default)" : "");
  if (!s.negatable) return [{ head: `--${s.flag}`, help: `${text}${withDefault ? " (default: off)" : ""}` }];
  return [
    { head: `--${s.flag}`, help: `${text}${mark(s.default === s.on)}` },
    { head: `--no-${s.flag}`, help: `${s.noHelp ?? `not: ${text}`}${mark(s.default === s.off)}` },
  ];
}

/** The value at a setting's path in a spec, or undefined. */
export function specValue(spec: unknown, s: Setting): unknown {
  let v: unknown = spec;
  for (const k of s.path ?? []) v = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[k] : undefined;
  return s.path ? v : undefined;
}

/** The CheckConfig value of a verdict setting's spec (or flag) value; undefined if outside the domain. */
export function checkValue(v: Verdict, specVal: unknown): unknown {
  const x = v.of ? v.of(specVal) : specVal;
  return v.domain.is(x) ? x : undefined;
}

// The Verdict union's members each take their own field's type; these helpers call one with the
// value of its own field, which TypeScript cannot correlate on its own.
type AnyVerdict = Verdict<Key> & {
  label?(v: unknown, c: CheckConfig): string;
  chip?(v: unknown): string | undefined;
  describe?(v: unknown): string | undefined;
};

/** The short labels of a checked configuration, in table order ("acks=all", "minISR=2", ...). */
export function configLabels(c: CheckConfig): string[] {
  return VERDICT_SETTINGS.flatMap(({ verdict }) => {
    const v = verdict as AnyVerdict;
    const x = c[v.key];
    return x === undefined || !v.label ? [] : [v.label(x, c)].filter(Boolean);
  });
}

/** The report's chips of a configuration; a setting not given reads "(assumed)". `txns`: the
 *  history has transactions (the transaction settings are shown too). */
export function configChips(c: CheckConfig, txns = false): string[] {
  return VERDICT_SETTINGS.flatMap(({ verdict }) => {
    const v = verdict as AnyVerdict;
    if (!v.chip || (v.txns && !txns && c.transactional !== true)) return [];
    const chip = v.chip(c[v.key]);
    return chip === undefined ? [] : [`${chip}${c[v.key] === undefined ? " (assumed)" : ""}`];
  });
}

/** The settings given, in Kafka's words where it has them ("acks=all, enable.idempotence=true"). */
export function describeSettings(c: CheckConfig): string[] {
  return VERDICT_SETTINGS.flatMap((s) => {
    const v = s.verdict as AnyVerdict;
    const x = c[v.key];
    if (x === undefined) return [];
    const d = v.describe ? v.describe(x) : `${s.kafka ?? s.flag}=${x}`;
    return d === undefined ? [] : [d];
  });
}
