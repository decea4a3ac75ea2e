// What a history says about consumer groups (docs/design.md, Consumer groups), gathered in the same
// pass that derives the client ops, so a streamed history is judged like one in memory: which
// process is a member of which group, its assignments and revocations, its crashes and leaves,
// and every offset commit with its outcome. Few ops (a rebalance or a commit per delivery at
// most), kept whole. The group checker (groups.ts) reads this beside the derived structures, and
// orders the two by the ops' history indexes.
import type { Op, Process } from "./history.ts";

export type CommitType = "ok" | "fail" | "info" | "unfinished";

export interface GroupCommit {
  process: Process;
  group: string;
  /** Next offset to read, per key (as a string). */
  offsets: ReadonlyMap<string, number>;
  /** History indexes of the invocation and completion (-1: never completed), and their times (ns;
   *  NaN: never completed). */
  invIndex: number;
  doneIndex: number;
  invTime: number;
  doneTime: number;
  type: CommitType;
  /** A commit the library made on its own (auto-commit), recorded when it reported it done. */
  auto: boolean;
}

export type GroupEventKind = "assigned" | "revoked" | "crash" | "leave";

export interface GroupEvent {
  process: Process;
  group: string;
  kind: GroupEventKind;
  /** assigned / revoked: the keys. */
  keys: string[];
  index: number;
  /** crash: the library failed on its own (`crash` "client"), not a crash the harness caused. */
  gaveUp?: true;
}

export interface GroupTrace {
  /** Process -> its group, from its subscribe op. */
  members: Map<Process, string>;
  events: GroupEvent[];
  commits: GroupCommit[];
  /** Commit invocations waiting for their completion, per process, by sequence number. */
  readonly open: Map<Process, Map<string, GroupCommit>>;
}

export const noGroupTrace = (): GroupTrace => ({ members: new Map(), events: [], commits: [], open: new Map() });

/** The group trace of a history in memory (the ops that carry a group). */
export function groupTraceOf(history: readonly Op[]): GroupTrace {
  const t = noGroupTrace();
  for (let i = 0; i < history.length; i++) if (typeof history[i]!.group === "string") noteGroup(t, history[i]!);
  return t;
}

const EVENT_FS: ReadonlySet<string> = new Set(["assigned", "revoked", "crash", "leave"]);

/** Notes one op of the history (the ops of group members, in order; any other op is ignored). */
export function noteGroup(t: GroupTrace, op: Op): void {
  const group = typeof op.group === "string" ? op.group : undefined;
  if (group === undefined) return;
  if (op.f === "subscribe") {
    t.members.set(op.process, group);
  } else if (op.f === "commit") {
    // A process that commits a group's offsets reads for it, subscribed or not (a copier that
    // assigns itself partitions and commits to the group).
    if (!t.members.has(op.process)) t.members.set(op.process, group);
    noteCommit(t, op, group);
  } else if (EVENT_FS.has(op.f) && op.type !== "invoke") {
    // A leave that did not complete ok may not have reached the coordinator: not an event.
    if (op.f === "leave" && op.type !== "ok") return;
    const keys = Array.isArray(op.value) ? (op.value as unknown[]).map(String) : [];
    const gaveUp = op.f === "crash" && op.value === "client" ? { gaveUp: true as const } : {};
    t.events.push({ process: op.process, group, kind: op.f as GroupEventKind, keys, index: op.index, ...gaveUp });
  }
}

function noteCommit(t: GroupTrace, op: Op, group: string): void {
  let open = t.open.get(op.process);
  if (!open) t.open.set(op.process, (open = new Map()));
  // Commits of one member may overlap (after-async): paired by their sequence number, or, without
  // one, by their offsets.
  const id = op.seq === undefined ? JSON.stringify(op.value) : String(op.seq);
  // A commit as invoked (a completion without its invocation: taken as made and answered at once).
  const invoked = (): GroupCommit => {
    const c: GroupCommit = {
      process: op.process,
      group,
      offsets: offsetsOf(op.value),
      invIndex: op.index,
      doneIndex: -1,
      invTime: op.time,
      doneTime: Number.NaN,
      type: "unfinished",
      auto: op.auto === true,
    };
    t.commits.push(c);
    return c;
  };
  if (op.type === "invoke") {
    open.set(id, invoked());
    return;
  }
  const c = open.get(id);
  if (c) open.delete(id);
  const done = c ?? invoked();
  done.doneIndex = op.index;
  done.doneTime = op.time;
  done.type = op.type as CommitType;
}

function offsetsOf(value: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const [k, o] of Object.entries(value as Record<string, unknown>)) {
      if (typeof o === "number" && Number.isInteger(o) && o >= 0) out.set(k, o);
    }
  }
  return out;
}

/** What the groups of a history exercised: how often a partition changed hands, and what was
 *  committed, for a verdict of no group loss to mean something. */
export interface GroupExercised {
  members: number;
  /** Keys handed to a member other than the one that held them last (a partition moving). */
  handoffs: number;
  /** `assigned` events: each member's share of each rebalance. */
  assignments: number;
  commits: { ok: number; fail: number; unknown: number; auto: number };
  /** Members the harness crashed (killed, or cut off as if killed). */
  crashes: number;
  /** Members whose library failed and gave up on its own: not part of the workload's plan. */
  gaveUp: number;
  leaves: number;
}

export function groupExercised(t: GroupTrace): GroupExercised | undefined {
  if (t.members.size === 0) return undefined;
  const holder = new Map<string, unknown>();
  let handoffs = 0;
  let assignments = 0;
  let crashes = 0;
  let gaveUp = 0;
  let leaves = 0;
  for (const e of t.events) {
    if (e.kind === "crash" && e.gaveUp) gaveUp++;
    else if (e.kind === "crash") crashes++;
    else if (e.kind === "leave") leaves++;
    else if (e.kind === "assigned") {
      assignments++;
      for (const k of e.keys) {
        const id = `${e.group}\u0000${k}`;
        if (holder.has(id) && holder.get(id) !== e.process) handoffs++;
        holder.set(id, e.process);
      }
    }
  }
  const commits = { ok: 0, fail: 0, unknown: 0, auto: 0 };
  for (const c of t.commits) {
    if (c.type === "ok") commits.ok++;
    else if (c.type === "fail") commits.fail++;
    else commits.unknown++;
    if (c.auto) commits.auto++;
  }
  return { members: t.members.size, handoffs, assignments, commits, crashes, gaveUp, leaves };
}

/** A commit answered this late (ns) was held up: a healthy coordinator answers in milliseconds. */
export const HELD_COMMIT_NS = 1e9;

/** Commits answered with a refusal, left unknown by their library, or held up at least a second:
 *  the group path disturbed, for telling a coordinator fault effective (effective-faults.ts). Not
 *  those that never completed: a member the harness crashed leaves its commit open, which says
 *  nothing of the coordinator. */
export function groupTroubles(t: GroupTrace): Array<{ start: number; end: number }> {
  return t.commits
    .filter((c) => c.type === "fail" || c.type === "info" || (c.type === "ok" && c.doneTime - c.invTime >= HELD_COMMIT_NS))
    .map((c) => ({ start: c.invTime, end: c.doneTime }));
}
