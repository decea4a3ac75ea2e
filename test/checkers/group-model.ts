// A correct model of a consumer group that generates histories: a producer appends to a few keys,
// members of one group are handed keys at eager rebalances (every key revoked, then handed out
// again), each starts a key at the group's committed offset and polls contiguous ranges from
// there, commits after processing (ok, fail, or unknown and applied or not), crashes, joins, and
// the final reads read every key whole. Such a history must show no forbidden anomaly: only
// group-duplicate (records a crashed member had read and not committed, read again).
import fc from "fast-check";
import type { History, Op, Value } from "../../checkers/index.ts";

export type GroupCommand =
  | { kind: "send"; key: number; n: number }
  | { kind: "poll"; member: number; key: number; max: number }
  | { kind: "commit"; member: number; outcome: "ok" | "fail" | "info-applied" | "info-lost" }
  | { kind: "rebalance"; seed: number }
  | { kind: "crash"; member: number }
  | { kind: "join" };

export interface GroupPlan {
  keys: number;
  members: number;
  commands: GroupCommand[];
}

export const GROUP = "g";
const PRODUCER = 0;
const FINAL = "final";

/** A commit that landed (ok, or unknown and applied), with its history index. */
export interface ModelCommit {
  pos: number;
  member: number;
  offsets: Record<string, number>;
  ok: boolean;
}

/** A member's first poll of a key after an assignment. */
export interface SpanStart {
  assigned: number;
  poll: number;
  member: number;
  key: string;
  /** The group's committed offset the member started at. */
  offset: number;
}

export interface GroupModel {
  history: History;
  keys: string[];
  logs: Value[][];
  commits: ModelCommit[];
  starts: SpanStart[];
  /** Per key: the index of every ok poll of a member, with the offsets it returned. */
  polls: Array<{ pos: number; member: number; key: string; offsets: number[] }>;
  finalRead: number;
}

const commandArb = (members: number, keys: number): fc.Arbitrary<GroupCommand> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("send" as const), key: fc.nat(keys - 1), n: fc.integer({ min: 1, max: 3 }) }) },
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant("poll" as const),
        member: fc.nat(members + 2),
        key: fc.nat(keys - 1),
        max: fc.integer({ min: 1, max: 4 }),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant("commit" as const),
        member: fc.nat(members + 2),
        outcome: fc.constantFrom("ok" as const, "ok" as const, "fail" as const, "info-applied" as const, "info-lost" as const),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("rebalance" as const), seed: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("crash" as const), member: fc.nat(members + 2) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("join" as const) }) },
  );

export const groupPlanArb: fc.Arbitrary<GroupPlan> = fc
  .record({ keys: fc.integer({ min: 1, max: 3 }), members: fc.integer({ min: 1, max: 3 }) })
  .chain(({ keys, members }) =>
    fc.record({ keys: fc.constant(keys), members: fc.constant(members), commands: fc.array(commandArb(members, keys), { maxLength: 60 }) }),
  );

export function buildGroupModel(plan: GroupPlan): GroupModel {
  const h: History = [];
  const add = (op: Omit<Op, "index" | "time">): number => {
    h.push({ index: h.length, time: h.length * 1000, ...op } as Op);
    return h.length - 1;
  };
  const keys = Array.from({ length: plan.keys }, (_, i) => `g-${i}`);
  const logs: Value[][] = keys.map(() => []);
  const committed = keys.map(() => 0);
  const owner: Array<number | undefined> = keys.map(() => undefined);
  /** Member process -> its position per key (while it holds the key). */
  const pos = new Map<number, Map<number, number>>();
  /** Members whose first poll of a key since their assignment is still to come: key -> assigned index. */
  const pending = new Map<number, Map<number, number>>();
  const alive: number[] = [];
  const commits: ModelCommit[] = [];
  const starts: SpanStart[] = [];
  const polls: GroupModel["polls"] = [];
  let nextMember = 1;
  let value = 1;
  let seq = 0;

  const join = () => {
    const m = nextMember++;
    add({ process: m, type: "invoke", f: "subscribe", value: keys, group: GROUP });
    add({ process: m, type: "ok", f: "subscribe", value: keys, group: GROUP });
    alive.push(m);
    pos.set(m, new Map());
    pending.set(m, new Map());
  };
  const rebalance = (seed: number) => {
    // Eager: every member gives up every key, then the keys are dealt out again from the commits.
    for (const m of alive) {
      const held = [...pos.get(m)!.keys()];
      if (held.length) add({ process: m, type: "ok", f: "revoked", value: held.map((k) => keys[k]!), group: GROUP });
      pos.get(m)!.clear();
      pending.get(m)!.clear();
    }
    owner.fill(undefined);
    if (alive.length === 0) return;
    const handed = new Map<number, number[]>();
    keys.forEach((_, k) => {
      const m = alive[(k + seed) % alive.length]!;
      owner[k] = m;
      handed.set(m, [...(handed.get(m) ?? []), k]);
    });
    for (const [m, ks] of handed) {
      const at = add({ process: m, type: "ok", f: "assigned", value: ks.map((k) => keys[k]!), group: GROUP });
      for (const k of ks) {
        pos.get(m)!.set(k, committed[k]!);
        pending.get(m)!.set(k, at);
      }
    }
  };

  for (let i = 0; i < plan.members; i++) join();
  rebalance(0);
  for (const c of plan.commands) {
    switch (c.kind) {
      case "send": {
        const vals = Array.from({ length: c.n }, () => value++);
        add({ process: PRODUCER, type: "invoke", f: "send", value: vals.map((v) => ["send", keys[c.key]!, v]) });
        const offsets = vals.map((v) => logs[c.key]!.push(v) - 1);
        add({ process: PRODUCER, type: "ok", f: "send", value: vals.map((v, j) => ["send", keys[c.key]!, [offsets[j]!, v]]) });
        break;
      }
      case "poll": {
        const m = alive[c.member % Math.max(1, alive.length)];
        if (m === undefined || owner[c.key] !== m) break;
        const from = pos.get(m)!.get(c.key)!;
        const to = Math.min(logs[c.key]!.length, from + c.max);
        if (to <= from) break;
        const recs = logs[c.key]!.slice(from, to).map((v, j) => [from + j, v] as [number, Value]);
        add({ process: m, type: "invoke", f: "poll", value: [["poll"]] });
        const at = add({ process: m, type: "ok", f: "poll", value: [["poll", { [keys[c.key]!]: recs }]] });
        pos.get(m)!.set(c.key, to);
        polls.push({ pos: at, member: m, key: keys[c.key]!, offsets: recs.map(([o]) => o) });
        const assigned = pending.get(m)!.get(c.key);
        if (assigned !== undefined) {
          starts.push({ assigned, poll: at, member: m, key: keys[c.key]!, offset: from });
          pending.get(m)!.delete(c.key);
        }
        break;
      }
      case "commit": {
        const m = alive[c.member % Math.max(1, alive.length)];
        if (m === undefined || pos.get(m)!.size === 0) break;
        const offsets = Object.fromEntries([...pos.get(m)!].map(([k, o]) => [keys[k]!, o]));
        const s = seq++;
        add({ process: m, type: "invoke", f: "commit", value: offsets, group: GROUP, seq: s });
        const type = c.outcome === "ok" ? "ok" : c.outcome === "fail" ? "fail" : "info";
        const at = add({ process: m, type, f: "commit", value: offsets, group: GROUP, seq: s });
        if (c.outcome === "ok" || c.outcome === "info-applied") {
          for (const [k, o] of pos.get(m)!) committed[k] = o;
          commits.push({ pos: at, member: m, offsets, ok: c.outcome === "ok" });
        }
        break;
      }
      case "rebalance":
        rebalance(c.seed);
        break;
      case "crash": {
        const m = alive[c.member % Math.max(1, alive.length)];
        if (m === undefined) break;
        add({ process: m, type: "info", f: "crash", value: "now", group: GROUP });
        alive.splice(alive.indexOf(m), 1);
        pos.get(m)!.clear();
        rebalance(c.member);
        break;
      }
      case "join":
        join();
        rebalance(nextMember);
        break;
    }
  }
  add({ process: FINAL, type: "invoke", f: "poll", value: [["poll"]] });
  const finalRead = add({
    process: FINAL,
    type: "ok",
    f: "poll",
    value: [["poll", Object.fromEntries(keys.map((k, i) => [k, logs[i]!.map((v, o) => [o, v])]))]],
  });
  return { history: h, keys, logs, commits, starts, polls, finalRead };
}

export const groupModelArb: fc.Arbitrary<GroupModel> = groupPlanArb.map(buildGroupModel);
