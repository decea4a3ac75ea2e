// What a configuration promises (docs/design.md, Promises), in ONE table: for each anomaly, the rules
// under which it is permitted, each with the reason the report shows. Everything not permitted by
// a rule is forbidden. A setting left out is taken at its strongest, so no configuration at all
// is the strict default.
import { ANOMALY_TYPES, type AnomalyType } from "./findings.ts";
import type { PowerCut } from "./power-cut.ts";

/** When a group member commits relative to processing a delivery (harness/clients/group-member.ts). */
export type CommitStrategy = "after-sync" | "after-async" | "auto" | "before";

/** The settings a history is judged under. Each field is a verdict setting of the settings table
 *  (checkers/settings.ts), which maps it to a spec path, a flag, a label and a chip. */
export interface CheckConfig {
  acks?: 0 | 1 | "all";
  minInsyncReplicas?: number;
  uncleanLeaderElection?: boolean;
  /** The brokers' log.flush.interval.messages. Left out: Kafka's default (never by count), so a
   *  power cut takes what the replicas had not synced. */
  flushMessages?: number;
  idempotent?: boolean;
  maxInFlight?: number;
  consumerMode?: "assign" | "subscribe";
  /** The group workload's commit strategy: its members' assignments are recorded, so reads are
   *  judged per assignment. Left out: no group workload (commits, if any, taken as after processing). */
  commit?: CommitStrategy;
  /** Infer write-write dependencies from log order (finds G0, makes G1c noisy). */
  wwDeps?: boolean;
  /** The workload consumers' isolation level (final reads are always read_committed). Left out:
   *  read_committed, the strongest. */
  isolation?: "read_committed" | "read_uncommitted";
  /** The producers are transactional (workload kind txn). Left out: the rules of both kinds apply
   *  where they agree, and read_uncommitted's permissions (which only transactions need) apply. */
  transactional?: boolean;
  /** The copier's mode (workload kind copy; checkers/copy.ts): transactional (exactly once) or
   *  at-least-once (produce, then commit the offsets). Left out: no copier, no copy checks. */
  copy?: "transactional" | "at-least-once";
}

export interface Guarantee {
  forbidden: boolean;
  /** Why it is permitted, or what makes it forbidden. */
  reason: string;
}

export type Guarantees = Record<AnomalyType, Guarantee>;

/** What the history says besides the configuration that a promise depends on: the power cuts
 *  against the lost writes (checkers/power-cut.ts). */
export interface CheckFacts {
  powerCut?: PowerCut;
}

/** A rule: returns the reason the anomaly is permitted under this configuration, or undefined. */
type Rule = (c: CheckConfig, f: CheckFacts) => string | undefined;

const acks0: Rule = (c) => (c.acks === 0 ? "acks=0: the producer never waits for the broker, so nothing it sends is promised" : undefined);
const acks1Loss: Rule = (c) =>
  c.acks === 1 ? "acks=1: a leader may acknowledge before followers copy it, and a failover loses the write" : undefined;
const unclean: Rule = (c) =>
  c.uncleanLeaderElection === true
    ? "unclean leader election: an out-of-sync replica may become leader and truncate acknowledged records"
    : undefined;
const uncleanCommitted: Rule = (c) =>
  c.uncleanLeaderElection === true
    ? "unclean leader election: an out-of-sync replica may become leader and truncate records below the old high watermark, which consumers had read"
    : undefined;
const notIdempotent: Rule = (c) =>
  c.idempotent === false ? "non-idempotent producer: a retry after a lost acknowledgement appends the record again" : undefined;
const reorder: Rule = (c) => {
  if (c.idempotent === false && c.maxInFlight !== undefined && c.maxInFlight > 1) {
    return `non-idempotent producer with ${c.maxInFlight} requests in flight: a retried batch can land after a later one`;
  }
  if (c.idempotent !== false && c.maxInFlight !== undefined && c.maxInFlight > 5) {
    return `${c.maxInFlight} requests in flight: the idempotent producer only keeps order with at most 5`;
  }
  return undefined;
};
// The group workload records each assignment: a member's reads are judged within one, where
// they continue exactly (order.ts resets them at each rebalance event).
const subscribe: Rule = (c) =>
  c.consumerMode === "subscribe" && c.commit === undefined
    ? "subscribe: a rebalance hands a partition to another consumer, which resumes from the last committed offset"
    : undefined;
// Found only with --ww-deps (checkers/cycles.ts): cycles made of write-read edges alone stay G1c.
const wwNoise: Rule[] = always(
  "--ww-deps: write-write order inferred from the log is no isolation promise (Kafka orders writes within one partition only, and appends a transaction's records when sent, not when it commits), so cycles through it are expected",
);
// read_uncommitted returns every record up to the high watermark, in open and aborted transactions
// too; only a transactional producer's records can be aborted, so without transactions it permits
// nothing (a failed plain send was never appended).
const readUncommitted =
  (what: string): Rule =>
  (c) =>
    c.isolation === "read_uncommitted" && c.transactional !== false
      ? `read_uncommitted: a consumer returns records of open and aborted transactions, so ${what}`
      : undefined;
const abortedReads = readUncommitted("reading an aborted transaction's value is expected");
const ownReads = readUncommitted("a transaction may read its own sends before it commits");
const dirtyCycles = readUncommitted("two transactions may read each other's writes before either commits");
const noWriteIsolation = "Kafka orders writes within one partition only: cycles of write order across keys are expected";

// Loss is permitted exactly for acks=0, acks=1 and unclean leader election. Not for acks=all with
// min.insync.replicas=1 and unclean election off: the in-sync set may shrink to the leader alone,
// which then acknowledges alone, but only an in-sync replica can lead, and the leader is the only
// one left. Losing the write would take a broker losing data it had written, which only a power
// cut does (a SIGKILL or a pause keeps the page cache): powerLoss below.
// A power cut of every in-sync replica together is the exception (checkers/power-cut.ts), unless
// each replica syncs every message before it counts it written.
const powerLoss: Rule = (c, f) =>
  f.powerCut?.kind === "whole-isr" && c.flushMessages !== 1
    ? `power loss: every in-sync replica of ${f.powerCut.partitions.join(", ") || "the partitions"} lost power together, and a write is acknowledged once it is in the in-sync replicas' memory (page cache), not on disk (${flushWords(c)}), so what none of them had synced is gone`
    : undefined;
const flushWords = (c: CheckConfig) =>
  c.flushMessages === undefined
    ? "log.flush.interval.messages is Kafka's default: Kafka leaves syncing to the operating system"
    : `log.flush.interval.messages=${c.flushMessages}: a replica syncs only every ${c.flushMessages} messages`;
const LOSS: Rule[] = [acks0, acks1Loss, unclean, powerLoss];
/** The reason loss is permitted under this configuration, if it is. */
const lossPermitted: Rule = (c, f) => LOSS.map((rule) => rule(c, f)).find(Boolean);
// Where loss is permitted, the lost record's offset is reused by the next leader's log: the
// acknowledgement says one value, the log (and later reads) another. A symptom of the loss.
const offsetReuse: Rule = (c, f) => {
  const loss = lossPermitted(c, f);
  return loss ? `${loss}; the new leader then reuses the lost record's offset` : undefined;
};
// A transaction's sends in several partitions: where loss is permitted, one partition's committed
// records can be truncated while another's stay, and the transaction looks torn.
const tornByLoss: Rule = (c, f) => {
  const loss = lossPermitted(c, f);
  return loss ? `${loss}; a committed transaction's records lost in one partition and kept in another look torn` : undefined;
};
const REORDER: Rule[] = [acks0, reorder];
// A member's position within one assignment moves only forward, unless the log under it was
// truncated: where loss is permitted, its next fetch is out of range and resets.
const groupLossPermitted: Rule = (c, f) => {
  if (c.commit === undefined) return undefined;
  const loss = lossPermitted(c, f);
  return loss ? `${loss}; a member's position past the truncated log's end is out of range and resets` : undefined;
};
const atMostOnce: Rule = (c) =>
  c.commit === "before"
    ? "commit before processing (at-most-once): a member that dies after its commit and before processing the delivery skips it"
    : c.commit === "auto"
      ? "auto-commit (at-most-once across a crash): the library commits what it handed out on its own timer, so a member that dies after such a commit and before processing skips those records"
      : undefined;
const redelivery: Rule = (c) =>
  c.commit === "before"
    ? "consumer groups deliver at most once under commit-before-processing only while commits succeed: a failed commit or a rebalance hands the records out again"
    : "at-least-once: a member that dies or loses a partition before its commit lands leaves those records to the next owner, which reads them again";
// An input record the input itself may lose (acks=0/1, unclean election) may be lost before a
// copier read it, or its copy truncated the same way.
const copyByLoss: Rule = (c, f) => {
  const loss = lossPermitted(c, f);
  return loss ? `${loss}; an input record lost before a copier read it, or its copy lost, is missing from the output` : undefined;
};
const atLeastOnce: Rule = (c) =>
  c.copy === "at-least-once"
    ? "at-least-once copier: it commits its input offsets after producing, so a copier that dies between the two (or whose commit fails) leaves them uncommitted, and the next owner of the partition copies the records again"
    : undefined;

function always(reason: string): Rule[] {
  return [() => reason];
}

/** The table. Anomalies with no rules are always forbidden. */
export const GUARANTEE_RULES: Record<AnomalyType, Rule[]> = {
  "lost-write": LOSS,
  unseen: LOSS,
  // Not acks=0/1: those lose what a leader acknowledged alone; a read value was below the high
  // watermark, on every in-sync replica.
  // A value a read returned was on every in-sync replica, in memory: a cut of all of them takes it too.
  "committed-lost": [uncleanCommitted, powerLoss],
  duplicate: [acks0, notIdempotent],
  "nonmonotonic-send": REORDER,
  "int-nonmonotonic-send": REORDER,
  "int-send-skip": always("records of other producers interleave with a burst: Kafka promises no write isolation"),
  "inconsistent-offsets": [offsetReuse],
  G1a: [abortedReads],
  "precommitted-read": [ownReads],
  "poll-skip": [subscribe, groupLossPermitted],
  "nonmonotonic-poll": [subscribe, groupLossPermitted],
  "group-loss": [atMostOnce],
  "group-rewind": [],
  "group-jump": [groupLossPermitted],
  "group-duplicate": [redelivery],
  "int-poll-skip": [],
  "int-nonmonotonic-poll": [],
  G0: always(noWriteIsolation),
  "G0-process": always(noWriteIsolation),
  "G0-realtime": always(noWriteIsolation),
  G1c: [dirtyCycles],
  "G1c-process": [dirtyCycles],
  "G1c-realtime": [dirtyCycles],
  "G1c-ww": wwNoise,
  "torn-txn": [tornByLoss],
  "copy-loss": [copyByLoss],
  "copy-duplicate": [atLeastOnce],
};

/** Whose promise a loss breaks: Kafka's, or the client library's (one that reports an acknowledgement
 *  it never got, or drops records it read, as kafkajs's pipelined idempotent producer can). */
const BROKEN =
  "a broken promise of Kafka or of the client library (which may report an acknowledgement it never got, or drop records): " +
  "the same seed run with another client tells which, as the client's findings file or docs may say";

/** Why acks=all without unclean election keeps acknowledged writes, whatever min.insync.replicas is. */
const durable = (what: string, c: CheckConfig, f: CheckFacts) =>
  `acks=all, no unclean election: ${what}. Every in-sync replica has every acknowledged write (with min.insync.replicas=1 the ` +
  "in-sync set may shrink to the leader alone, but then only that leader can lead), and only an in-sync replica can become leader. " +
  `Losing one would take a broker losing data it had written: ${powerWords(c, f)}, so such a loss is ${BROKEN}`;

/** What the run's power cuts (if any) could take, for the forbidden reasons. */
function powerWords(c: CheckConfig, f: CheckFacts): string {
  const cut = f.powerCut;
  if (cut === undefined)
    return "only a power-loss fault drops data a broker had not synced (a SIGKILL keeps the page cache), and this run had none";
  if (cut.kind === "whole-isr")
    return `every in-sync replica of ${cut.partitions.join(", ") || "a partition"} lost power together, but with log.flush.interval.messages=1 each replica syncs every message to disk before it counts it written, so the cut took nothing acknowledged`;
  if (cut.eligible)
    return `every in-sync replica of ${cut.uncovered?.key ?? "a partition"} lost power together, but its eligible leader replicas ${cut.eligible.join(", ")} kept theirs and had no unclean shutdown in the run: each had every write acknowledged before it left the ISR, and KRaft elects one of them rather than a replica back from a power loss`;
  return `power was cut in this run, but never of every in-sync replica of ${cut.uncovered ? `${cut.uncovered.key} after the lost write was acknowledged` : "a partition"}: a replica that kept its power had the write`;
}

/** Transactional runs: a commit acknowledges every send of the transaction. */
const committedTxn = (c: CheckConfig): string =>
  c.transactional === true
    ? ". A committed transaction's sends are acknowledged writes (the commit needs every one of them in the log), and read_committed final reads return them"
    : "";

/** Transactional runs: why read_committed hides what an aborted or open transaction wrote. */
const committedOnly = (c: CheckConfig, what: string, plain: string): string =>
  c.transactional === true ? `read_committed: a consumer returns only records of committed transactions, so ${what}` : plain;

const FORBIDDEN_REASON: Partial<Record<AnomalyType, string | ((c: CheckConfig, f: CheckFacts) => string)>> = {
  "lost-write": (c, f) => durable("an acknowledged write must never vanish below what later reads reached", c, f) + committedTxn(c),
  unseen: (c, f) => durable("every acknowledged write must still be readable at the end", c, f) + committedTxn(c),
  "committed-lost": (c, f) =>
    "no unclean election: a consumer is served only records below the high watermark, which every in-sync replica has, and only " +
    `an in-sync replica can become leader, so a value a read returned stays in the log whatever acks is${c.transactional === true ? " (a transaction's value counts once a read_committed read or the final reads returned one of its values)" : ""}` +
    `${f.powerCut ? ` (${powerWords(c, f)})` : ""}. Losing one is ${BROKEN}`,
  duplicate: "idempotent producer: the broker drops a retried batch it already appended",
  "nonmonotonic-send": "idempotent producer (at most 5 in flight) or 1 request in flight: sends land in the order they were made",
  "int-nonmonotonic-send": "idempotent producer (at most 5 in flight) or 1 request in flight: sends land in the order they were made",
  "inconsistent-offsets": "no acknowledged write is lost here, so an offset names exactly one record",
  G1a: (c) =>
    committedOnly(
      c,
      "no one reads an aborted transaction's value",
      "a failed send was never appended (and read_committed hides aborted transactions), so no one can read it",
    ),
  "precommitted-read": (c) =>
    committedOnly(c, "a transaction cannot read its own sends before it commits", "a read must not see the op's own uncommitted writes"),
  "poll-skip": (c) =>
    c.commit !== undefined
      ? "within one assignment a member owns its position, so its reads continue exactly where they stopped"
      : "assign: a consumer owns its position, so its reads continue exactly where they stopped",
  "nonmonotonic-poll": (c) =>
    c.commit !== undefined
      ? "within one assignment a member owns its position, so its reads never go back"
      : "assign: a consumer owns its position, so its reads never go back",
  "group-loss":
    "commit after processing (at-least-once): a member commits only offsets of records it has handed out, so every record below an acknowledged commit was polled by a member of the group",
  "group-rewind":
    "a member handed a partition starts at the group's committed offset, and an acknowledged commit is kept (__consumer_offsets is replicated and written with acks=all): starting below it means the commit was lost or the client used a stale offset",
  "group-jump":
    "a member handed a partition starts at the group's committed offset (with none, at the start of the log): starting above it skips records no member read",
  "int-poll-skip": "one poll returns a contiguous range of the log",
  "int-nonmonotonic-poll": "one poll returns the log in order",
  G1c: (c) =>
    committedOnly(
      c,
      "a value read was committed before, so write-read dependencies cannot form a cycle",
      "a value read was written before, so reads cannot form a cycle",
    ),
  "G1c-process": "a process's later op cannot be read by an op that came before it",
  "G1c-realtime": "an op cannot read a value written by an op that started after it finished",
  "copy-loss": (c) =>
    `${c.copy === "at-least-once" ? "at-least-once copier" : "transactional copier"}: it commits an input record's offset only once its copy was produced (${c.copy === "at-least-once" ? "acknowledged" : "in the same transaction"}), so every input record reaches the output`,
  "copy-duplicate":
    "transactional copier: a transaction holds the copies and the input offsets, committed together or not at all, and read_committed reads only committed copies, so each input record is in the output once",
  "torn-txn":
    "a transaction commits all its sends or none (one commit marker in each of its partitions), so a committed transaction is visible whole: each of its sends is read, or none is",
};

export function guaranteesFor(config: CheckConfig = {}, facts: CheckFacts = {}): Guarantees {
  const out = {} as Guarantees;
  for (const type of ANOMALY_TYPES) {
    let reason: string | undefined;
    for (const rule of GUARANTEE_RULES[type]) {
      reason = rule(config, facts);
      if (reason) break;
    }
    const why = FORBIDDEN_REASON[type];
    out[type] = reason
      ? { forbidden: false, reason }
      : { forbidden: true, reason: (typeof why === "function" ? why(config, facts) : why) ?? "forbidden under this configuration" };
  }
  return out;
}
