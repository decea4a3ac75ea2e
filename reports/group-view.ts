// The group view's data (docs/design.md, Consumer groups): per consumer group, which member owned
// which key when (a span from each `assigned` to the member's revocation of the key, its crash or
// leave), the members' joins, crashes, leaves and stalls, the group's rebalances, and its commits by
// outcome; and, per key, the offsets the groups committed, for the log views. Commits are read
// through the checker's own group trace (checkers/group-trace.ts), so the page counts what was judged.
//
// A rebalance is a stretch during which the group's assignment was changing: it starts at the first
// event that takes a key from its owner (a revocation, a crash or leave of a member holding keys)
// or hands one out, and ends at the event after which every key the group was ever handed has an
// owner again. A stretch still open at the end of the history is `unfinished` while members
// remain; once none does the group is over and the stretch is no rebalance.
import { type GroupCommit, type GroupTrace, groupTraceOf } from "../checkers/group-trace.ts";
import type { History, Op, Process } from "../checkers/index.ts";
import { type Clock, onClock } from "./clock.ts";
import { round } from "./ops.ts";
import { procName } from "./refs.ts";

/** Spans, member events and rebalances drawn per page at most (the counts say how many there were). */
export const GROUP_SPANS = 5000;
export const GROUP_EVENTS = 3000;
export const GROUP_REBALANCES = 1000;

/** How a member's span of a key ended: revoked (or revoked as lost), the member crashed or left, the
 *  key was handed to it again without a revocation between, or it still held it at the end. */
export const SPAN_ENDS = ["revoked", "lost", "crash", "leave", "reassigned", "open"] as const;
export type SpanEnd = (typeof SPAN_ENDS)[number];
export const EVENT_KINDS = ["join", "crash", "leave", "stall"] as const;
export type MemberEventKind = (typeof EVENT_KINDS)[number];

export interface OwnSpan {
  /** Positions in the group's `keys` and `members`. */
  key: number;
  member: number;
  /** Seconds on the page's clock. */
  from: number;
  to: number;
  end: SpanEnd;
  /** History indexes of the `assigned` op and of the op that ended the span (-1: open). */
  index: number;
  endIndex: number;
}

export interface MemberEvent {
  member: number;
  kind: MemberEventKind;
  /** Seconds; a stall lasts from its invocation to its completion, anything else is a moment. */
  from: number;
  to: number;
  index: number;
  /** crash: "now" | "after-commit" | "client"; leave: "info" when not acknowledged; stall: its ms. */
  detail?: string;
}

export interface Rebalance {
  from: number;
  to: number;
  index: number;
  endIndex: number;
  /** Some key still had no owner when the history ended. */
  unfinished: boolean;
}

export interface MemberLife {
  name: string;
  /** First and last moment of the member in the group (seconds): its subscribe, its crash / leave or the end. */
  from: number;
  to: number;
  end: "crash" | "leave" | "open";
}

export interface CommitCounts {
  ok: number;
  fail: number;
  info: number;
  unfinished: number;
  /** Of all, those the library made on its own. */
  auto: number;
}

export interface GroupOf {
  name: string;
  members: MemberLife[];
  keys: string[];
  spans: OwnSpan[];
  events: MemberEvent[];
  rebalances: Rebalance[];
  commits: CommitCounts;
  /** Per member (position in `members`): its commits by outcome. */
  memberCommits: CommitCounts[];
  counts: { joins: number; crashes: number; leaves: number; stalls: number; spans: number; rebalances: number };
  crashesBy: Record<string, number>;
}

export interface GroupView {
  groups: GroupOf[];
  /** Left out of the page past the caps, over all groups. */
  leftOut: { spans: number; events: number; rebalances: number };
}

const noCommits = (): CommitCounts => ({ ok: 0, fail: 0, info: 0, unfinished: 0, auto: 0 });

/** Whether the history has a consumer group's ops (one pass, stops at the first). */
export function hasGroups(history: History): boolean {
  for (let i = 0; i < history.length; i++) if (typeof history[i]!.group === "string") return true;
  return false;
}

interface Building {
  g: GroupOf;
  memberOf: Map<Process, number>;
  keyOf: Map<string, number>;
  /** Open span per "member key" (positions). */
  open: Map<string, OwnSpan>;
  /** Owners per key position. */
  owners: Map<number, Set<number>>;
  stretch?: Rebalance;
  stalls: Map<number, { from: number; index: number; ms: string }>;
}

export function groupView(
  history: History,
  clock: Clock,
  endNs: number,
  caps = { spans: GROUP_SPANS, events: GROUP_EVENTS, rebalances: GROUP_REBALANCES },
  trace: GroupTrace = groupTraceOf(history),
): GroupView {
  const ops: Op[] = [];
  for (let i = 0; i < history.length; i++) if (typeof history[i]!.group === "string") ops.push(history[i]!);
  // Every key each group was ever handed: a rebalance ends when each has an owner again.
  const handed = new Map<string, Set<string>>();
  for (const op of ops) {
    if (op.f !== "assigned") continue;
    let s = handed.get(op.group as string);
    if (!s) handed.set(op.group as string, (s = new Set()));
    for (const k of keysOf(op)) s.add(k);
  }
  const at = (op: Op) => round(onClock(clock, op.time), 4);
  const end = round(onClock(clock, endNs), 4);
  const groups = new Map<string, Building>();
  const building = (name: string): Building => {
    let b = groups.get(name);
    if (!b) {
      const g: GroupOf = {
        name,
        members: [],
        keys: [...(handed.get(name) ?? [])].sort(),
        spans: [],
        events: [],
        rebalances: [],
        commits: noCommits(),
        memberCommits: [],
        counts: { joins: 0, crashes: 0, leaves: 0, stalls: 0, spans: 0, rebalances: 0 },
        crashesBy: {},
      };
      groups.set(
        name,
        (b = {
          g,
          memberOf: new Map(),
          keyOf: new Map(g.keys.map((k, i) => [k, i])),
          open: new Map(),
          owners: new Map(),
          stalls: new Map(),
        }),
      );
    }
    return b;
  };
  const member = (b: Building, op: Op): number => {
    let m = b.memberOf.get(op.process);
    if (m === undefined) {
      m = b.g.members.length;
      b.memberOf.set(op.process, m);
      b.g.members.push({ name: procName(op.process), from: at(op), to: end, end: "open" });
      b.g.memberCommits.push(noCommits());
    }
    return m;
  };
  const keyPos = (b: Building, k: string): number => {
    let p = b.keyOf.get(k);
    if (p === undefined) b.keyOf.set(k, (p = b.g.keys.push(k) - 1));
    return p;
  };
  const close = (b: Building, m: number, k: number, op: Op, how: SpanEnd): boolean => {
    const id = `${m} ${k}`;
    const s = b.open.get(id);
    if (!s) return false;
    b.open.delete(id);
    s.to = at(op);
    s.end = how;
    s.endIndex = op.index;
    b.owners.get(k)?.delete(m);
    return true;
  };
  const changed = (b: Building, op: Op) => {
    let unowned = 0;
    for (const k of handed.get(b.g.name) ?? []) if ((b.owners.get(b.keyOf.get(k)!)?.size ?? 0) === 0) unowned++;
    if (!b.stretch) b.stretch = { from: at(op), to: at(op), index: op.index, endIndex: op.index, unfinished: false };
    b.stretch.to = at(op);
    b.stretch.endIndex = op.index;
    if (unowned === 0) {
      b.g.rebalances.push(b.stretch);
      b.stretch = undefined;
    }
  };
  const gone = (b: Building, m: number, op: Op, how: "crash" | "leave") => {
    let any = false;
    for (let k = 0; k < b.g.keys.length; k++) if (close(b, m, k, op, how)) any = true;
    const life = b.g.members[m]!;
    if (life.end === "open") {
      life.end = how;
      life.to = at(op);
    }
    // A stall the member never came back from ends with it.
    const st = b.stalls.get(m);
    if (st) {
      b.stalls.delete(m);
      b.g.events.push({ member: m, kind: "stall", from: st.from, to: at(op), index: st.index, detail: st.ms });
    }
    if (any) changed(b, op);
  };

  for (const op of ops) {
    const b = building(op.group as string);
    const m = member(b, op);
    switch (op.f) {
      case "subscribe":
        if (op.type !== "invoke") {
          b.g.events.push({
            member: m,
            kind: "join",
            from: at(op),
            to: at(op),
            index: op.index,
            ...(op.type === "ok" ? {} : { detail: op.type }),
          });
        }
        break;
      case "assigned": {
        const keys = keysOf(op);
        for (const key of keys) {
          const k = keyPos(b, key);
          close(b, m, k, op, "reassigned");
          b.open.set(`${m} ${k}`, { key: k, member: m, from: at(op), to: end, end: "open", index: op.index, endIndex: -1 });
          b.g.spans.push(b.open.get(`${m} ${k}`)!);
          let o = b.owners.get(k);
          if (!o) b.owners.set(k, (o = new Set()));
          o.add(m);
        }
        // An empty assignment changes nothing (a member handed no key): it only extends a rebalance under way.
        if (keys.length > 0 || b.stretch) changed(b, op);
        break;
      }
      case "revoked": {
        let any = false;
        for (const key of keysOf(op)) if (close(b, m, keyPos(b, key), op, op.lost === true ? "lost" : "revoked")) any = true;
        if (any) changed(b, op);
        break;
      }
      case "crash": {
        const how = typeof op.value === "string" ? op.value : "crash";
        b.g.events.push({ member: m, kind: "crash", from: at(op), to: at(op), index: op.index, detail: how });
        b.g.crashesBy[how] = (b.g.crashesBy[how] ?? 0) + 1;
        gone(b, m, op, "crash");
        break;
      }
      case "leave":
        if (op.type !== "invoke") {
          b.g.events.push({
            member: m,
            kind: "leave",
            from: at(op),
            to: at(op),
            index: op.index,
            ...(op.type === "ok" ? {} : { detail: op.type }),
          });
          gone(b, m, op, "leave");
        }
        break;
      case "stall":
        if (op.type === "invoke") b.stalls.set(m, { from: at(op), index: op.index, ms: String(op.value) });
        else {
          const st = b.stalls.get(m);
          b.stalls.delete(m);
          b.g.events.push({
            member: m,
            kind: "stall",
            from: st?.from ?? at(op),
            to: at(op),
            index: st?.index ?? op.index,
            detail: String(op.value),
          });
        }
        break;
    }
  }

  for (const b of groups.values()) {
    for (const [m, st] of b.stalls) b.g.events.push({ member: m, kind: "stall", from: st.from, to: end, index: st.index, detail: st.ms });
    if (b.stretch && b.g.members.some((l) => l.end === "open")) b.g.rebalances.push({ ...b.stretch, unfinished: true });
    b.g.events.sort((x, y) => x.index - y.index);
    const n = (kind: MemberEventKind) => b.g.events.filter((e) => e.kind === kind).length;
    b.g.counts = {
      joins: n("join"),
      crashes: n("crash"),
      leaves: n("leave"),
      stalls: n("stall"),
      spans: b.g.spans.length,
      rebalances: b.g.rebalances.length,
    };
  }
  for (const c of trace.commits) {
    const b = building(c.group);
    countCommit(b.g.commits, c);
    const m = b.memberOf.get(c.process);
    if (m !== undefined) countCommit(b.g.memberCommits[m]!, c);
  }

  // The caps: each list keeps its first entries in history order.
  const leftOut = { spans: 0, events: 0, rebalances: 0 };
  const out = [...groups.values()].map((b) => b.g).sort((x, y) => x.name.localeCompare(y.name));
  let budget = { ...caps };
  for (const g of out) {
    for (const [list, cap] of [
      ["spans", "spans"],
      ["events", "events"],
      ["rebalances", "rebalances"],
    ] as const) {
      const keep = Math.min(g[list].length, budget[cap]);
      leftOut[cap] += g[list].length - keep;
      budget = { ...budget, [cap]: budget[cap] - keep };
      (g[list] as unknown[]).length = keep;
    }
  }
  return { groups: out, leftOut };
}

function countCommit(c: CommitCounts, commit: GroupCommit): void {
  c[commit.type]++;
  if (commit.auto) c.auto++;
}

function keysOf(op: Op): string[] {
  return Array.isArray(op.value) ? (op.value as unknown[]).map(String) : [];
}

/** An offset a group committed (acknowledged) on a key, and how often. */
export interface CommitMark {
  group: string;
  offset: number;
  /** Acknowledged commits of this offset, and the history index (completion) of the first one. */
  count: number;
  op: number;
  process: Process;
  /** The group's highest acknowledged commit of the key. */
  highest: boolean;
}

/** Per key: the offsets each group committed with an acknowledgement (ok), ascending by offset. */
export function commitMarks(trace: GroupTrace): Map<string, CommitMark[]> {
  const byKey = new Map<string, Map<string, CommitMark>>();
  for (const c of trace.commits) {
    if (c.type !== "ok") continue;
    for (const [key, offset] of c.offsets) {
      let marks = byKey.get(key);
      if (!marks) byKey.set(key, (marks = new Map()));
      const id = `${c.group}\u0000${offset}`;
      const m = marks.get(id);
      if (m) m.count++;
      else marks.set(id, { group: c.group, offset, count: 1, op: c.doneIndex, process: c.process, highest: false });
    }
  }
  const out = new Map<string, CommitMark[]>();
  for (const [key, marks] of byKey) {
    const list = [...marks.values()].sort((a, b) => a.offset - b.offset || a.group.localeCompare(b.group));
    const top = new Map<string, CommitMark>();
    for (const m of list) top.set(m.group, m);
    for (const m of top.values()) m.highest = true;
    out.set(key, list);
  }
  return out;
}

/** A group's lanes as the page's script draws them: flat arrays, small whatever the history. */
export interface GroupChart {
  name: string;
  keys: string[];
  members: string[];
  /** Per member: its life in the group (s) and how it ended (0 still in at the end, 1 crash, 2 leave). */
  life: { x0: number[]; x1: number[]; e: number[] };
  /** Per span: key, member, from, to (s), how it ended (SPAN_ENDS), the assigned op's index. */
  spans: { k: number[]; m: number[]; x0: number[]; x1: number[]; e: number[]; i: number[] };
  /** Per member event: member, kind (EVENT_KINDS), from, to (s), op index, detail. */
  events: { m: number[]; k: number[]; x0: number[]; x1: number[]; i: number[]; d: string[] };
  /** Rebalances: from, to (s), 1 when unfinished at the end. */
  rebalances: { x0: number[]; x1: number[]; u: number[] };
}

const LIFE_END = { open: 0, crash: 1, leave: 2 } as const;

export function groupCharts(v: GroupView): GroupChart[] {
  return v.groups.map((g) => ({
    name: g.name,
    keys: g.keys,
    members: g.members.map((l) => l.name),
    life: { x0: g.members.map((l) => l.from), x1: g.members.map((l) => l.to), e: g.members.map((l) => LIFE_END[l.end]) },
    spans: {
      k: g.spans.map((s) => s.key),
      m: g.spans.map((s) => s.member),
      x0: g.spans.map((s) => s.from),
      x1: g.spans.map((s) => s.to),
      e: g.spans.map((s) => SPAN_ENDS.indexOf(s.end)),
      i: g.spans.map((s) => s.index),
    },
    events: {
      m: g.events.map((e) => e.member),
      k: g.events.map((e) => EVENT_KINDS.indexOf(e.kind)),
      x0: g.events.map((e) => e.from),
      x1: g.events.map((e) => e.to),
      i: g.events.map((e) => e.index),
      d: g.events.map((e) => e.detail ?? ""),
    },
    rebalances: {
      x0: g.rebalances.map((r) => r.from),
      x1: g.rebalances.map((r) => r.to),
      u: g.rebalances.map((r) => (r.unfinished ? 1 : 0)),
    },
  }));
}
