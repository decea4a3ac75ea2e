// A correct model of Kafka transactions that generates histories (docs/design.md, History; Jepsen's
// shape): each process owns a transactional producer and a consumer; an op is one transaction of
// 1 to 4 micro-ops ([send k v], [poll]) that takes effect at its invocation (sends appended as open
// records, polls read from the consumer's position) and completes when its process next acts:
// committed (ok), aborted (fail: planned, or on a definite error, offsets given or not), or unknown
// (info, committed or aborted underneath). Commit and abort write a control marker in every
// partition the transaction wrote, so offsets have holes. read_committed consumers stop at the
// first open record (the last stable offset) and step over aborted records and markers;
// read_uncommitted ones return every data record up to the end. After a failed or unknown
// transaction the consumer seeks back to the first offsets it read, and an unknown outcome may
// replace the process (a fenced producer). Final reads (read_committed, every key from offset 0)
// run after every transaction has ended, between the harness's phase markers.
import fc from "fast-check";
import type { History, Key, Op, Process, Value } from "../../checkers/index.ts";

export type Isolation = "read_committed" | "read_uncommitted";
type Outcome = "ok" | "fail-planned" | "fail-error" | "info-committed" | "info-aborted";
type Mop = { kind: "send"; key: number } | { kind: "poll"; max: number };

export interface TxnCommand {
  proc: number;
  mops: Mop[];
  outcome: Outcome;
  /** Whether a failed or unknown completion gives the offsets the broker returned. */
  offsets: boolean;
  /** An unknown outcome replaces the process (its producer was fenced). */
  fenced: boolean;
}

export interface TxnPlan {
  procs: number;
  keys: number;
  intKeys: boolean;
  commands: TxnCommand[];
}

export type Rec = [number, Value];

/** One send of a transaction and where it landed. */
export interface TxnSendAt {
  key: Key;
  value: Value;
  offset: number;
}

/** A completed transaction op: its position, outcome and sends. */
export interface TxnOp {
  pos: number;
  type: "ok" | "fail" | "info";
  committed: boolean;
  sends: TxnSendAt[];
}

export interface TxnModel {
  history: History;
  keys: Key[];
  isolation: Isolation;
  nextValue: number;
  nextProc: number;
  txns: TxnOp[];
  /** Position of the final read: one ok poll of every key from offset 0. */
  finalRead: number;
}

const mopArb: fc.Arbitrary<Mop> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("send" as const), key: fc.nat(2) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("poll" as const), max: fc.integer({ min: 1, max: 4 }) }) },
);

const commandArb = (outcomes: Outcome[]): fc.Arbitrary<TxnCommand> =>
  fc.record({
    proc: fc.nat(3),
    mops: fc.array(mopArb, { minLength: 1, maxLength: 4 }),
    outcome: fc.constantFrom(...outcomes),
    offsets: fc.boolean(),
    fenced: fc.boolean(),
  });

// Mostly commits, as in a run with a 10-30 % abort rate and some faults.
const OUTCOMES: Outcome[] = ["ok", "ok", "ok", "ok", "ok", "fail-planned", "fail-error", "info-committed", "info-aborted"];

/**
 * Plans. Every outcome under both isolation levels: under read_uncommitted an unknown transaction
 * that aborts after a dirty read of its value must not be taken as committed (derive.ts
 * markMustCommit takes only the read_committed final reads as proof there).
 */
export const txnPlanArb = (isolation: Isolation): fc.Arbitrary<TxnPlan> =>
  fc.record({
    procs: fc.integer({ min: 2, max: 4 }),
    keys: fc.integer({ min: 1, max: 3 }),
    intKeys: fc.boolean(),
    commands: fc.array(commandArb(OUTCOMES), {
      minLength: 1,
      maxLength: 40,
      size: "medium",
    }),
  });

type Draft = Omit<Op, "index" | "time">;
/** A log entry: a data record (state open, committed or aborted) or a control marker. */
interface Entry {
  value?: Value;
  state: "open" | "committed" | "aborted" | "marker";
}

interface Client {
  id: Process;
  txnId: string;
  /** Next offset to read, per key. */
  pos: number[];
  pending?: {
    cmd: TxnCommand;
    sends: TxnSendAt[];
    keysWritten: Set<number>;
    readFrom: Map<number, number>;
    invoked: unknown[][];
    result: unknown[][];
  };
}

export function runTxnPlan(plan: TxnPlan, isolation: Isolation): TxnModel {
  const keys: Key[] = Array.from({ length: plan.keys }, (_, i) => (plan.intKeys ? i : `t-${i}`));
  const logs: Entry[][] = keys.map(() => []);
  const history: History = [];
  const txns: TxnOp[] = [];
  let nextValue = 100;
  let nextProc = plan.procs;
  const append = (d: Draft): number => {
    history.push({ index: history.length, time: history.length * 1000, ...d } as Op);
    return history.length - 1;
  };
  const fresh = (id: number): Client => ({ id, txnId: `txn-${id}`, pos: keys.map(() => 0) });
  const clients = Array.from({ length: plan.procs }, (_, i) => fresh(i));

  /** Reads up to max data records of key k from `from`, as this isolation level returns them. */
  const readKey = (k: number, from: number, max: number): { records: Rec[]; next: number } => {
    const log = logs[k]!;
    const records: Rec[] = [];
    let o = from;
    for (; o < log.length && records.length < max; o++) {
      const e = log[o]!;
      if (isolation === "read_committed" && e.state === "open") break;
      if (e.state === "marker" || (isolation === "read_committed" && e.state === "aborted")) continue;
      records.push([o, e.value!]);
    }
    return { records, next: o };
  };

  const complete = (slot: number) => {
    const c = clients[slot]!;
    const p = c.pending;
    if (!p) return;
    c.pending = undefined;
    const committed = p.cmd.outcome === "ok" || p.cmd.outcome === "info-committed";
    for (const s of p.sends) logs[keys.indexOf(s.key)]![s.offset]!.state = committed ? "committed" : "aborted";
    for (const k of p.keysWritten) logs[k]!.push({ state: "marker" });
    const type = p.cmd.outcome === "ok" ? "ok" : p.cmd.outcome.startsWith("fail") ? "fail" : "info";
    // Offsets of a failed or unknown transaction's sends only when the broker returned them.
    const value = type === "ok" || p.cmd.offsets ? p.result : p.invoked;
    const extra = { transactionalId: c.txnId, ...(p.cmd.outcome === "fail-planned" ? { aborted: "planned" } : {}) };
    const pos = append({ process: c.id, type, f: "txn", value, ...extra });
    txns.push({ pos, type, committed, sends: p.sends });
    if (type === "ok") return;
    // Not committed, or not known to be: the consumer goes back to where the transaction began reading.
    for (const [k, from] of p.readFrom) c.pos[k] = from;
    if (type === "info" && p.cmd.fenced) clients[slot] = fresh(nextProc++);
  };

  for (const cmd of plan.commands) {
    const slot = cmd.proc % plan.procs;
    complete(slot);
    const c = clients[slot]!;
    const invoked: unknown[][] = [];
    const result: unknown[][] = [];
    const sends: TxnSendAt[] = [];
    const keysWritten = new Set<number>();
    const readFrom = new Map<number, number>();
    for (const mop of cmd.mops) {
      if (mop.kind === "send") {
        const k = mop.key % plan.keys;
        const v = nextValue++;
        const offset = logs[k]!.push({ value: v, state: "open" }) - 1;
        keysWritten.add(k);
        sends.push({ key: keys[k]!, value: v, offset });
        invoked.push(["send", keys[k], v]);
        result.push(["send", keys[k], [offset, v]]);
      } else {
        const out: Record<string, Rec[]> = {};
        for (let k = 0; k < plan.keys; k++) {
          const { records, next } = readKey(k, c.pos[k]!, mop.max);
          if (!readFrom.has(k)) readFrom.set(k, c.pos[k]!);
          c.pos[k] = next;
          if (records.length > 0) out[String(keys[k])] = records;
        }
        invoked.push(["poll"]);
        result.push(["poll", out]);
      }
    }
    append({ process: c.id, type: "invoke", f: "txn", value: invoked });
    c.pending = { cmd, sends, keysWritten, readFrom, invoked, result };
  }
  for (let slot = 0; slot < clients.length; slot++) complete(slot);

  // Final reads: a fresh read_committed consumer reads every key from offset 0 to its end.
  append({ process: "harness", type: "invoke", f: "final-reads", value: null });
  const fin = nextProc++;
  append({ process: fin, type: "invoke", f: "poll", value: [["poll"]] });
  const result: Record<string, Rec[]> = {};
  keys.forEach((key, k) => {
    const recs = logs[k]!.flatMap((e, o): Rec[] => (e.state === "committed" ? [[o, e.value!]] : []));
    if (recs.length > 0) result[String(key)] = recs;
  });
  const finalRead = append({ process: fin, type: "ok", f: "poll", value: [["poll", result]] });
  append({ process: "harness", type: "ok", f: "final-reads", value: null });
  return { history, keys, isolation, nextValue, nextProc, txns, finalRead };
}

export const txnModelArb = (isolation: Isolation): fc.Arbitrary<TxnModel> => txnPlanArb(isolation).map((p) => runTxnPlan(p, isolation));
