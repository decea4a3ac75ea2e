// A correct consumer-group history for the checker benchmark (bench/checkers.ts), seeded, written
// as JSON Lines in the shapes harness/clients/group-recorder.ts records (docs/design.md, Consumer
// groups): producers send to 8 keys; six members of one group are handed keys, deliver each key's
// records in order from the group's committed offset and commit after processing (sync, or async
// with up to three commits in flight, completed in order; a few refused or unknown); every few
// thousand ops a rebalance (eager: every key revoked and dealt out again; or cooperative: one key
// moves), and a member crashes or leaves and is replaced; final reads read every key whole.
//
// A member commits everything it delivered before it gives a key up, crashes or leaves (a crash
// with deliveries not committed would be read again: group-duplicate, permitted but not the path
// measured here), so the checker must find no anomaly at all; the bench asserts it does not.
import { closeSync, openSync, writeSync } from "node:fs";
import type { CheckConfig, Results } from "../checkers/index.ts";
import { mulberry32 as rng } from "../harness/util/random.ts";

/** The settings a group history is judged under: the group workload committing after processing. */
export const GROUP_CHECK_CONFIG: CheckConfig = { commit: "after-async", consumerMode: "subscribe" };

const KEYS = 8;
const PRODUCERS = 4;
const MEMBERS = 6;
const GROUP = `,"group":"g"`;
/** Mean ops between two rebalances, and between two members crashing or leaving. */
const REBALANCE_EVERY = 3000;
const CHURN_EVERY = 5000;
/** Ops left for the end: pending completions, members leaving, final reads. */
const TAIL = 120;

interface Member {
  process: number;
  /** Key number -> the next offset to deliver, for the keys it holds. */
  positions: Map<number, number>;
  /** Completions of its async commits, oldest first (the coordinator answers them in order). */
  inFlight: Array<() => void>;
  /** The completion of its sync commit: the member waits for it. */
  blocked: (() => void) | undefined;
  seq: number;
}

/** Appends lines in the canonical field order (checkers/write.ts), time 1 µs per op. */
class Lines {
  index = 0;
  private buf = "";
  private readonly fd: number;

  constructor(path: string) {
    this.fd = openSync(path, "w");
  }

  add(process: number | string, type: string, f: string, value: string | undefined, extra = ""): void {
    const p = typeof process === "number" ? String(process) : JSON.stringify(process);
    const v = value === undefined ? "" : `,"value":${value}`;
    this.buf += `{"index":${this.index},"time":${this.index * 1000},"process":${p},"type":"${type}","f":"${f}"${v}${extra}}\n`;
    this.index++;
    if (this.buf.length > 1 << 20) {
      writeSync(this.fd, this.buf);
      this.buf = "";
    }
  }

  close(): void {
    writeSync(this.fd, this.buf);
    closeSync(this.fd);
  }
}

/** Writes a correct consumer-group history of about `n` ops to `path`; returns its op count. */
export function generateGroupHistory(path: string, n: number, seed = 1): number {
  const rand = rng(seed);
  const pick = (len: number) => Math.floor(rand() * len);
  const keys = Array.from({ length: KEYS }, (_, i) => `t-${i}`);
  const logs: number[][] = keys.map(() => []);
  /** Per key: the group's committed offset (the last acknowledged commit of it). */
  const committed = new Array<number>(KEYS).fill(0);
  const out = new Lines(path);
  const sending: Array<string | undefined> = new Array(PRODUCERS);
  const members: Member[] = [];
  let nextProcess = PRODUCERS;
  let value = 0;
  let generation = 0;

  const keyList = (ks: number[]) => JSON.stringify(ks.sort((a, b) => a - b).map((k) => keys[k]));

  const join = () => {
    const m: Member = { process: nextProcess++, positions: new Map(), inFlight: [], blocked: undefined, seq: 0 };
    out.add(m.process, "invoke", "subscribe", JSON.stringify(keys), GROUP);
    out.add(m.process, "ok", "subscribe", JSON.stringify(keys), GROUP);
    out.add(m.process, "invoke", "poll", `[["poll"]]`);
    members.push(m);
  };

  /** Invokes a commit of the member's positions; returns its completion (outcome decided now). */
  const commit = (m: Member, mustSucceed: boolean): (() => void) => {
    const held = [...m.positions].sort((a, b) => a[0] - b[0]);
    const offsets = JSON.stringify(Object.fromEntries(held.map(([k, o]) => [keys[k], o])));
    const extra = `${GROUP},"seq":${m.seq++}`;
    out.add(m.process, "invoke", "commit", offsets, extra);
    const r = mustSucceed ? 0 : rand();
    const type = r < 0.96 ? "ok" : r < 0.98 ? "fail" : "info";
    return () => {
      out.add(m.process, type, "commit", offsets, extra);
      // An unknown commit may have landed or not; either way the member's next acknowledged commit,
      // made before it gives any key up, is what the next owner starts from.
      if (type === "ok") for (const [k, o] of held) committed[k] = o;
    };
  };

  /** Before a member gives keys up: its commits in flight answered, then a sync commit of all it delivered. */
  const settle = (m: Member) => {
    m.blocked?.();
    m.blocked = undefined;
    for (const done of m.inFlight) done();
    m.inFlight = [];
    if (m.positions.size > 0) commit(m, true)();
  };

  const assign = (m: Member, ks: number[]) => {
    out.add(m.process, "ok", "assigned", keyList(ks), `${GROUP},"generation":${generation}`);
    for (const k of ks) m.positions.set(k, committed[k]!);
  };

  const revoke = (m: Member, ks: number[]) => {
    out.add(m.process, "ok", "revoked", keyList(ks), `${GROUP},"generation":${generation}`);
    for (const k of ks) m.positions.delete(k);
  };

  const eagerRebalance = () => {
    generation++;
    for (const m of members) {
      settle(m);
      if (m.positions.size > 0) revoke(m, [...m.positions.keys()]);
    }
    const shift = pick(members.length);
    const dealt = members.map((): number[] => []);
    for (let k = 0; k < KEYS; k++) dealt[(k + shift) % members.length]!.push(k);
    members.forEach((m, i) => {
      if (dealt[i]!.length > 0) assign(m, dealt[i]!);
    });
  };

  /** One key moves from its holder to another member (cooperative, or KIP-848's protocol). */
  const cooperativeRebalance = () => {
    const k = pick(KEYS);
    const from = members.find((m) => m.positions.has(k));
    const to = members[pick(members.length)]!;
    if (from === undefined || from === to) return;
    generation++;
    settle(from);
    revoke(from, [k]);
    assign(to, [k]);
  };

  /** A member crashes or leaves (after committing what it delivered), and a new one takes its place. */
  const churn = () => {
    const m = members.splice(pick(members.length), 1)[0]!;
    settle(m);
    const closed = `[["poll",{}]]`;
    if (rand() < 0.5) {
      out.add(m.process, "fail", "poll", closed, `,"error":"consumer closed"`);
      out.add(m.process, "info", "crash", `"now"`, GROUP);
    } else {
      out.add(m.process, "invoke", "leave", undefined, GROUP);
      out.add(m.process, "fail", "poll", closed, `,"error":"consumer closed"`);
      out.add(m.process, "ok", "leave", undefined, GROUP);
    }
    join();
    eagerRebalance();
  };

  const producerTurn = () => {
    const p = pick(PRODUCERS);
    const done = sending[p];
    if (done !== undefined) {
      out.add(p, done.startsWith("ok") ? "ok" : "fail", "send", done.slice(done.indexOf(":") + 1));
      sending[p] = undefined;
      return;
    }
    const k = pick(KEYS);
    const vs = Array.from({ length: 1 + pick(3) }, () => value++);
    out.add(p, "invoke", "send", JSON.stringify(vs.map((v) => ["send", keys[k], v])));
    if (rand() < 0.98) {
      const acked = vs.map((v) => ["send", keys[k], [logs[k]!.push(v) - 1, v]]);
      sending[p] = `ok:${JSON.stringify(acked)}`;
    } else sending[p] = `fail:${JSON.stringify(vs.map((v) => ["send", keys[k], v]))}`;
  };

  /** A member's next step: a commit answered, or a delivery of one key (then maybe a commit). False: nothing to do. */
  const memberTurn = (m: Member): boolean => {
    if (m.blocked !== undefined) {
      m.blocked();
      m.blocked = undefined;
      return true;
    }
    if (m.inFlight.length >= 3 || (m.inFlight.length > 0 && rand() < 0.4)) {
      m.inFlight.shift()!();
      return true;
    }
    const held = [...m.positions.keys()];
    const start = pick(Math.max(1, held.length));
    for (let j = 0; j < held.length; j++) {
      const k = held[(start + j) % held.length]!;
      const from = m.positions.get(k)!;
      const to = Math.min(logs[k]!.length, from + 1 + pick(5));
      if (to <= from) continue;
      const recs: number[][] = [];
      for (let o = from; o < to; o++) recs.push([o, logs[k]![o]!]);
      out.add(m.process, "ok", "poll", `[["poll",{"${keys[k]}":${JSON.stringify(recs)}}]]`);
      out.add(m.process, "invoke", "poll", `[["poll"]]`);
      m.positions.set(k, to);
      const r = rand();
      if (r < 0.12) m.blocked = commit(m, false);
      else if (r < 0.3) m.inFlight.push(commit(m, false));
      return true;
    }
    return false;
  };

  for (let i = 0; i < MEMBERS; i++) join();
  eagerRebalance();
  let nextRebalance = REBALANCE_EVERY * (0.5 + rand());
  let nextChurn = CHURN_EVERY * (0.5 + rand());
  while (out.index < n - TAIL) {
    if (out.index >= nextChurn) {
      churn();
      nextChurn = out.index + CHURN_EVERY * (0.5 + rand());
    } else if (out.index >= nextRebalance) {
      if (rand() < 0.5) eagerRebalance();
      else cooperativeRebalance();
      nextRebalance = out.index + REBALANCE_EVERY * (0.5 + rand());
    } else if (rand() < 0.45 || !memberTurn(members[pick(members.length)]!)) producerTurn();
  }
  for (let p = 0; p < PRODUCERS; p++) {
    const done = sending[p];
    if (done !== undefined) out.add(p, done.startsWith("ok") ? "ok" : "fail", "send", done.slice(done.indexOf(":") + 1));
  }
  for (const m of members) {
    settle(m);
    out.add(m.process, "invoke", "leave", undefined, GROUP);
    out.add(m.process, "fail", "poll", `[["poll",{}]]`, `,"error":"consumer closed"`);
    out.add(m.process, "ok", "leave", undefined, GROUP);
  }
  // Final reads: one consumer per key reads the whole log.
  for (let k = 0; k < KEYS; k++) {
    out.add(`final-${k}`, "invoke", "poll", `[["poll"]]`);
    out.add(`final-${k}`, "ok", "poll", `[["poll",{"${keys[k]}":${JSON.stringify(logs[k]!.map((v, o) => [o, v]))}}]]`);
  }
  out.close();
  return out.index;
}

/** What is wrong with the checker's results on a generated group history (undefined: nothing): it
 *  must be valid, with no group anomaly, and have exercised the group (handoffs, acknowledged commits). */
export function groupHistoryProblem(r: Results): string | undefined {
  if (r.valid !== true) return `judged ${String(r.valid)}${r.unknownReason ? ` (${r.unknownReason})` : ""}: ${r.forbidden.join(", ")}`;
  const group = r.anomalyTypes.filter((t) => t.startsWith("group-"));
  if (group.length > 0) return `group anomalies found: ${group.join(", ")}`;
  const g = r.exercised?.group;
  if (!g || g.handoffs === 0 || g.commits.ok === 0) return `the group was not exercised: ${JSON.stringify(g)}`;
  return undefined;
}
