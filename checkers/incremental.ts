// The live check: folds a growing history, op by op, into a state and reports only the anomalies
// that are sound on a prefix, so what a running run shows live is never taken back when the whole
// history is checked (check.ts finds each of them too, with the same evidence).
//
// Reported live, and why these: each is fixed by ops already recorded, whatever comes later.
// - inconsistent-offsets, duplicate: two values read or acknowledged at one offset, one value at two
//   offsets. More history only adds records to a key's log, never takes one out.
// - int-nonmonotonic-poll, int-poll-skip, int-nonmonotonic-send, int-send-skip: two consecutive
//   records of one key within one ok op, out of order or with a record known to sit between them.
//   Offsets never move, and later records only widen a gap.
// - G1a: an ok read of a value whose send failed: both outcomes are final once recorded.
// Not reported live: lost-write, unseen, committed-lost and torn-txn need the final reads; cycles
// (G0, G1c) and the orderings between ops (poll-skip, nonmonotonic-*) need the whole graph or
// each process's positions, which the live view leaves to the check at the end.
//
// To stay sound the fold takes only records whose place in the log no later op can change: a
// value read is placed when its one writer is a plain send, or a transaction already committed
// (an open or unknown transaction's value read under read_uncommitted may abort later, and then
// check.ts leaves it out of the log); a send is placed when its op completed ok with its offset.
// A key whose records in an op are not all placed is not checked in that op.
import type { AnomalyType } from "./findings.ts";
import type { Key, Op, Value } from "./history.ts";
import { lowerBound } from "./lower-bound.ts";

export const LIVE_ANOMALY_TYPES = [
  "G1a",
  "duplicate",
  "inconsistent-offsets",
  "int-nonmonotonic-poll",
  "int-nonmonotonic-send",
  "int-poll-skip",
  "int-send-skip",
] as const satisfies readonly AnomalyType[];
export type LiveAnomalyType = (typeof LIVE_ANOMALY_TYPES)[number];

export type LiveFinding =
  | { type: "inconsistent-offsets"; key: Key; offset: number; values: Value[]; ops: number[] }
  | { type: "duplicate"; key: Key; value: Value; offsets: number[]; ops: number[] }
  | { type: "G1a"; key: Key; value: Value; offset: number; writer: number; reader: number; ops: number[] }
  | {
      type: "int-nonmonotonic-poll" | "int-poll-skip" | "int-nonmonotonic-send" | "int-send-skip";
      key: Key;
      op: number;
      prevValue: Value;
      value: Value;
      prevOffset: number;
      offset: number;
      ops: number[];
    };

interface Writer {
  /** History index of the op's invocation (its completion when it had none). */
  op: number;
  /** Completion index, once completed. */
  done?: number;
  txn: boolean;
  type: "pending" | "ok" | "fail" | "info";
  /** Sent by more than one op: which one check.ts takes as the writer is not known yet. */
  ambiguous: boolean;
}

interface KeyLog {
  /** Offsets holding a placed record, ascending. */
  offsets: number[];
  /** offset -> value ids placed there, with the ops that placed them. */
  at: Map<number, Map<string, { value: Value; op: number }>>;
}

export interface IncrementalState {
  readonly transactional: boolean;
  /** Per process, its invocation not yet completed. */
  readonly pending: Map<string, Op>;
  readonly writers: Map<string, Writer>;
  readonly logs: Map<string, KeyLog>;
  /** value id -> offsets it is placed at (with the placing ops). */
  readonly placed: Map<string, Map<number, number>>;
  /** value id -> ok reads of it (for a G1a when its send fails after the read). */
  readonly okReads: Map<string, Array<{ reader: number; offset: number }>>;
  /** Findings by identity, in the order found (an offset's or a value's finding grows in place). */
  readonly findings: Map<string, LiveFinding>;
  /** Consecutive records of an op with a gap between their offsets that no placed record fills yet:
   *  a skip once one does. By key and each offset inside the gap (gaps up to GAP_INDEXED wide), or
   *  by key alone (wider gaps, looked through in full). */
  readonly gaps: Map<string, Gap[]>;
  /** value id -> sequences of reads waiting for its transaction to commit. */
  readonly deferred: Map<string, Deferred[]>;
}

interface Deferred {
  op: number;
  k: string;
  list: Rec[];
  done: boolean;
}

type OrderFinding = Extract<LiveFinding, { prevOffset: number }>;

interface Gap {
  id: string;
  finding: OrderFinding;
  found: boolean;
}

/** Gaps at most this wide are indexed by each offset inside them (a transaction marker leaves one). */
const GAP_INDEXED = 8;

/** The state before any op. `transactional`: the run's config (every send inside a transaction). */
export function incrementalState(config: { transactional?: boolean } = {}): IncrementalState {
  return {
    transactional: config.transactional === true,
    pending: new Map(),
    writers: new Map(),
    logs: new Map(),
    placed: new Map(),
    okReads: new Map(),
    findings: new Map(),
    gaps: new Map(),
    deferred: new Map(),
  };
}

const keyOf = (k: unknown): string => String(k);
/** (key, value): JSON object keys are strings, so a key is compared as a string; a value keeps its type. */
const vidOf = (k: unknown, v: unknown): string => `${keyOf(k)}\u0000${typeof v}:${String(v)}`;
const CLIENT_FS = new Set(["send", "poll", "txn"]);

/** Folds ops (in history order) into the state; returns it (mutated in place). */
export function foldOps(s: IncrementalState, ops: Iterable<Op>): IncrementalState {
  for (const op of ops) foldOp(s, op);
  return s;
}

function foldOp(s: IncrementalState, op: Op): void {
  if (!CLIENT_FS.has(op.f)) return;
  const proc = String(op.process);
  if (op.type === "invoke") {
    // A process that invokes again has given up on its previous invocation (it stays unknown).
    s.pending.set(proc, op);
    registerWriters(s, op, sendsOf(op.value), op.index, "pending");
    return;
  }
  const inv = s.pending.get(proc);
  const matched = inv !== undefined && inv.f === op.f ? inv : undefined;
  if (matched) s.pending.delete(proc);
  const mops = Array.isArray(op.value) ? op.value : matched?.value;
  const sends = sendsOf(mops);
  registerWriters(s, op, sends, matched?.index ?? op.index, op.type);
  if (op.type === "fail") for (const x of sends) failedAfterReads(s, x.key, x.value, op.index);
  if (op.type !== "ok") return;
  const reads = readsOf(mops);
  placeSends(s, op.index, sends);
  committed(s, sends);
  placeReads(s, op.index, reads);
  checkWithin(s, op.index, sends, false);
  checkWithin(s, op.index, reads, true);
}

interface Rec {
  key: Key;
  value: Value;
  /** null: no offset known (a plain send). */
  offset: number | null;
}

function sendsOf(mops: unknown): Rec[] {
  const out: Rec[] = [];
  if (!Array.isArray(mops)) return out;
  for (const m of mops) {
    if (!Array.isArray(m) || m[0] !== "send") continue;
    const sent = m[2];
    if (Array.isArray(sent)) out.push({ key: m[1], value: sent[1], offset: typeof sent[0] === "number" ? sent[0] : null });
    else out.push({ key: m[1], value: sent, offset: null });
  }
  return out;
}

function readsOf(mops: unknown): Rec[] {
  const out: Rec[] = [];
  if (!Array.isArray(mops)) return out;
  for (const m of mops) {
    if (!Array.isArray(m) || m[0] !== "poll" || m.length < 2 || typeof m[1] !== "object" || m[1] === null) continue;
    for (const [key, recs] of Object.entries(m[1] as Record<string, unknown>)) {
      if (!Array.isArray(recs)) continue;
      for (const r of recs) {
        if (Array.isArray(r)) out.push({ key, value: r[1], offset: typeof r[0] === "number" ? r[0] : null });
      }
    }
  }
  return out;
}

function registerWriters(s: IncrementalState, op: Op, sends: Rec[], opId: number, type: Writer["type"]): void {
  const txn = s.transactional || op.f === "txn";
  for (const x of sends) {
    const vid = vidOf(x.key, x.value);
    const w = s.writers.get(vid);
    if (w === undefined) s.writers.set(vid, { op: opId, txn, type, ambiguous: false, ...(type === "pending" ? {} : { done: op.index }) });
    else if (w.op !== opId) w.ambiguous = true;
    else if (type !== "pending") {
      w.type = type;
      w.done = op.index;
    }
  }
}

/** Whether a value read sits in the log for good: its one writer a plain send, or a committed transaction. */
function readPlaced(s: IncrementalState, r: Rec): boolean {
  if (r.offset === null) return false;
  const w = s.writers.get(vidOf(r.key, r.value));
  // A value no op has sent is in the log for check.ts too; a send recorded after a read of its
  // value cannot happen in a run (the invocation is recorded before anything is sent).
  if (w === undefined) return true;
  return !w.ambiguous && (!w.txn || w.type === "ok");
}

function placeSends(s: IncrementalState, opIndex: number, sends: Rec[]): void {
  for (const x of sends) if (x.offset !== null) place(s, x as Placed, opIndex);
}

function placeReads(s: IncrementalState, reader: number, reads: Rec[]): void {
  for (const r of reads) {
    const vid = vidOf(r.key, r.value);
    const w = s.writers.get(vid);
    if (w && !w.ambiguous && w.type === "fail" && r.offset !== null) addG1a(s, r.key, r.value, r.offset, w.done ?? w.op, reader);
    if (r.offset !== null) {
      const list = s.okReads.get(vid) ?? [];
      list.push({ reader, offset: r.offset });
      s.okReads.set(vid, list);
    }
    if (readPlaced(s, r)) place(s, r as Placed, reader);
  }
}

/** A send that failed after ok reads of its value: each of them read a failed write. */
function failedAfterReads(s: IncrementalState, key: Key, value: Value, writer: number): void {
  const w = s.writers.get(vidOf(key, value));
  if (!w || w.ambiguous) return;
  for (const r of s.okReads.get(vidOf(key, value)) ?? []) addG1a(s, key, value, r.offset, writer, r.reader);
}

function addG1a(s: IncrementalState, key: Key, value: Value, offset: number, writer: number, reader: number): void {
  const id = `G1a|${vidOf(key, value)}|${reader}`;
  if (!s.findings.has(id)) s.findings.set(id, { type: "G1a", key, value, offset, writer, reader, ops: [writer, reader] });
}

type Placed = Rec & { offset: number };

function place(s: IncrementalState, r: Placed, op: number): void {
  const k = keyOf(r.key);
  const vid = vidOf(r.key, r.value);
  let log = s.logs.get(k);
  if (!log) {
    log = { offsets: [], at: new Map() };
    s.logs.set(k, log);
  }
  let here = log.at.get(r.offset);
  if (!here) {
    here = new Map();
    log.at.set(r.offset, here);
    log.offsets.splice(lowerBound(log.offsets, r.offset), 0, r.offset);
    fillGaps(s, k, r.offset);
  }
  if (!here.has(vid)) {
    here.set(vid, { value: r.value, op });
    if (here.size > 1) {
      const entries = [...here.values()];
      s.findings.set(`inconsistent-offsets|${k}|${r.offset}`, {
        type: "inconsistent-offsets",
        key: r.key,
        offset: r.offset,
        values: entries.map((e) => e.value),
        ops: [...new Set(entries.map((e) => e.op))],
      });
    }
  }
  let at = s.placed.get(vid);
  if (!at) {
    at = new Map();
    s.placed.set(vid, at);
  }
  if (!at.has(r.offset)) {
    at.set(r.offset, op);
    if (at.size > 1) {
      const offsets = [...at.keys()].sort((a, b) => a - b);
      s.findings.set(`duplicate|${vid}`, {
        type: "duplicate",
        key: r.key,
        value: r.value,
        offsets,
        ops: [...new Set(offsets.map((o) => at.get(o)!))],
      });
    }
  }
}

/** Whether the key's log holds a placed record strictly between offsets a and b (a < b). */
function placedBetween(s: IncrementalState, key: string, a: number, b: number): boolean {
  const offsets = s.logs.get(key)?.offsets ?? [];
  const i = lowerBound(offsets, a);
  const next = offsets[offsets[i] === a ? i + 1 : i];
  return next !== undefined && next < b;
}

/** Consecutive records of each key within one ok op: out of order, or over a placed record. */
function checkWithin(s: IncrementalState, op: number, recs: Rec[], poll: boolean): void {
  const byKey = new Map<string, Rec[]>();
  for (const r of recs) {
    const k = keyOf(r.key);
    const list = byKey.get(k) ?? [];
    list.push(r);
    byKey.set(k, list);
  }
  for (const [k, list] of byKey) {
    if (list.length < 2) continue;
    if (!poll) {
      if (list.every((r) => r.offset !== null)) checkSequence(s, op, k, list, false);
      continue;
    }
    // Every record of the key must have its place for good, or the pairs could differ from check.ts's:
    // records of transactions still open wait for their commit (and are dropped if it never comes).
    const waiting = list.filter((r) => !readPlaced(s, r));
    if (waiting.length === 0) checkSequence(s, op, k, list, true);
    else if (waiting.every((r) => r.offset !== null && s.writers.get(vidOf(r.key, r.value))?.type === "pending")) {
      const d: Deferred = { op, k, list, done: false };
      for (const r of waiting) {
        const vid = vidOf(r.key, r.value);
        s.deferred.set(vid, [...(s.deferred.get(vid) ?? []), d]);
      }
    }
  }
}

/** A transaction committed: the reads of its values that waited for it are checked now. */
function committed(s: IncrementalState, sends: Rec[]): void {
  for (const x of sends) {
    const vid = vidOf(x.key, x.value);
    const waiting = s.deferred.get(vid);
    if (!waiting) continue;
    s.deferred.delete(vid);
    for (const d of waiting) {
      if (d.done || !d.list.every((r) => readPlaced(s, r))) continue;
      d.done = true;
      for (const r of d.list) place(s, r as Placed, d.op);
      checkSequence(s, d.op, d.k, d.list, true);
    }
  }
}

/** Consecutive records of key k within op: out of order, or over a placed record (or a gap to watch). */
function checkSequence(s: IncrementalState, op: number, k: string, list: Rec[], poll: boolean): void {
  for (let j = 1; j < list.length; j++) {
    const a = list[j - 1]!;
    const b = list[j]!;
    const [ao, bo] = [a.offset!, b.offset!];
    const skip: OrderFinding["type"] = poll ? "int-poll-skip" : "int-send-skip";
    const type: OrderFinding["type"] | undefined =
      bo <= ao ? (poll ? "int-nonmonotonic-poll" : "int-nonmonotonic-send") : placedBetween(s, k, ao, bo) ? skip : undefined;
    const id = `${type ?? skip}|${op}|${k}|${j}`;
    const finding: OrderFinding = {
      type: type ?? skip,
      key: b.key,
      op,
      prevValue: a.value,
      value: b.value,
      prevOffset: ao,
      offset: bo,
      ops: [op],
    };
    if (type) s.findings.set(id, finding);
    else if (bo - ao > 1) addGap(s, k, { id, finding, found: false });
  }
}

const gapKey = (k: string, offset?: number) => (offset === undefined ? k : `${k}\u0000${offset}`);

function addGap(s: IncrementalState, k: string, gap: Gap): void {
  const { prevOffset: a, offset: b } = gap.finding;
  const at =
    b - a - 1 <= GAP_INDEXED && Number.isInteger(a) && Number.isInteger(b)
      ? Array.from({ length: b - a - 1 }, (_, i) => a + 1 + i)
      : [undefined];
  for (const x of at) {
    const list = s.gaps.get(gapKey(k, x)) ?? [];
    list.push(gap);
    s.gaps.set(gapKey(k, x), list);
  }
}

/** A record newly placed at `offset` of key k: every gap around it is a skip now. */
function fillGaps(s: IncrementalState, k: string, offset: number): void {
  const indexed = s.gaps.get(gapKey(k, offset));
  if (indexed) s.gaps.delete(gapKey(k, offset));
  const wide = s.gaps.get(gapKey(k));
  const filled = (g: Gap) => g.finding.prevOffset < offset && offset < g.finding.offset;
  for (const g of [...(indexed ?? []), ...(wide?.filter(filled) ?? [])]) {
    if (g.found) continue;
    g.found = true;
    s.findings.set(g.id, g.finding);
  }
  if (wide)
    s.gaps.set(
      gapKey(k),
      wide.filter((g) => !g.found),
    );
}

export interface LiveAnomalies {
  /** Findings per type so far. */
  counts: Partial<Record<LiveAnomalyType, number>>;
  /** The first few findings of each type, in the order found. */
  examples: Partial<Record<LiveAnomalyType, LiveFinding[]>>;
}

/** What the state has found so far: counts and the first `cap` findings per type. */
export function liveAnomalies(s: IncrementalState, cap = 5): LiveAnomalies {
  const counts: LiveAnomalies["counts"] = {};
  const examples: LiveAnomalies["examples"] = {};
  for (const f of s.findings.values()) {
    counts[f.type] = (counts[f.type] ?? 0) + 1;
    const list = (examples[f.type] ??= []);
    if (list.length < cap) list.push(f);
  }
  return { counts, examples };
}
