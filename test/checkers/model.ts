// A correct model of Kafka that generates histories: several processes and keys, sends appended
// to model logs at given offsets, polls reading contiguous ranges from each consumer's position,
// some info and fail ops, crashes, assign and subscribe, faults, and final reads. Effects happen at
// invocation, completions come later (so ops overlap), and the whole history must check clean.
import fc from "fast-check";
import type { History, Key, Op, Process, Value } from "../../checkers/index.ts";

type SendOutcome = "ok" | "info-applied" | "info-lost" | "fail";
export type Command =
  | { kind: "send"; proc: number; key: number; n: number; outcome: SendOutcome }
  | { kind: "txn"; proc: number; keys: number[]; ok: boolean }
  | { kind: "poll"; proc: number; max: number; outcome: "ok" | "info" | "fail" }
  | { kind: "assign" | "subscribe"; proc: number; keys: number[]; fromEnd: boolean; info: boolean }
  | { kind: "crash"; proc: number }
  | { kind: "fault" };

export interface Plan {
  procs: number;
  keys: number;
  intKeys: boolean;
  commands: Command[];
}

type Rec = [number, Value];

/** An ok read of one key by one op (final reads excluded), and the same process's previous one. */
export interface Read {
  pos: number;
  proc: Process;
  key: Key;
  records: Rec[];
  prev?: { pos: number; record: Rec };
}

/** An ok send op (f = send) and where its values landed. */
export interface SendOp {
  pos: number;
  key: Key;
  values: Value[];
  offsets: number[];
}

export interface Model {
  history: History;
  keys: Key[];
  logs: Value[][];
  nextValue: number;
  nextProc: number;
  reads: Read[];
  sends: SendOp[];
  /** Position of the final read (one ok poll of every key from offset 0). */
  finalRead: number;
}

const keyIdx = fc.nat(2);
const procIdx = fc.nat(3);
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("send" as const),
      proc: procIdx,
      key: keyIdx,
      n: fc.integer({ min: 1, max: 4 }),
      outcome: fc.constantFrom<SendOutcome>("ok", "ok", "ok", "ok", "info-applied", "info-lost", "fail"),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("txn" as const),
      proc: procIdx,
      keys: fc.uniqueArray(keyIdx, { minLength: 1, maxLength: 2 }),
      ok: fc.boolean(),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("poll" as const),
      proc: procIdx,
      max: fc.integer({ min: 1, max: 5 }),
      outcome: fc.constantFrom<"ok" | "info" | "fail">("ok", "ok", "ok", "ok", "info", "fail"),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom("assign" as const, "subscribe" as const),
      proc: procIdx,
      keys: fc.uniqueArray(keyIdx, { maxLength: 3 }),
      fromEnd: fc.boolean(),
      info: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("crash" as const), proc: procIdx }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("fault" as const) }) },
);

export const planArb: fc.Arbitrary<Plan> = fc.record({
  procs: fc.integer({ min: 2, max: 4 }),
  keys: fc.integer({ min: 1, max: 3 }),
  intKeys: fc.boolean(),
  commands: fc.array(commandArb, { minLength: 1, maxLength: 60, size: "medium" }),
});

type Draft = Omit<Op, "index" | "time">;

interface Client {
  id: Process;
  /** Assigned keys and the next offset to read. */
  pos: Map<number, number>;
  /** Per key, the last ok op that read it and its last record. */
  lastOk: Map<number, { pos: number; record: Rec }>;
  pending?: { complete: Draft; reads: Array<Omit<Read, "pos">>; send?: Omit<SendOp, "pos"> };
}

export function runPlan(plan: Plan): Model {
  const keys: Key[] = Array.from({ length: plan.keys }, (_, i) => (plan.intKeys ? i : `t-${i}`));
  const logs: Value[][] = keys.map(() => []);
  const history: History = [];
  let nextValue = 100;
  let nextProc = plan.procs;
  const reads: Read[] = [];
  const sends: SendOp[] = [];
  const append = (d: Draft): number => {
    history.push({ index: history.length, time: history.length * 1000, ...d } as Op);
    return history.length - 1;
  };
  const fresh = (id: Process): Client => ({ id, pos: new Map(keys.map((_, k) => [k, 0])), lastOk: new Map() });
  const clients = Array.from({ length: plan.procs }, (_, i) => fresh(i));

  const complete = (c: Client) => {
    const p = c.pending;
    if (!p) return;
    c.pending = undefined;
    const pos = append(p.complete);
    for (const r of p.reads) {
      reads.push({ ...r, pos });
      const k = keys.indexOf(r.key);
      c.lastOk.set(k, { pos, record: r.records.at(-1)! });
    }
    if (p.send) sends.push({ ...p.send, pos });
  };

  // Reads up to `max` records of each assigned key from the client's position.
  const pollResult = (c: Client, max: number) => {
    const result: Record<string, Rec[]> = {};
    const rs: Array<Omit<Read, "pos">> = [];
    for (const [k, from] of [...c.pos].sort((a, b) => a[0] - b[0])) {
      const log = logs[k]!;
      const records: Rec[] = [];
      for (let o = from; o < Math.min(from + max, log.length); o++) records.push([o, log[o]!]);
      if (records.length === 0) continue;
      c.pos.set(k, from + records.length);
      result[String(keys[k])] = records;
      rs.push({ proc: c.id, key: keys[k]!, records, ...(c.lastOk.has(k) ? { prev: c.lastOk.get(k)! } : {}) });
    }
    return { result, reads: rs };
  };

  for (const cmd of plan.commands) {
    if (cmd.kind === "fault") {
      append({ process: "nemesis", type: "invoke", f: "kill", value: { targets: ["kafka1"] } });
      append({ process: "nemesis", type: "info", f: "kill", value: { targets: ["kafka1"] } });
      continue;
    }
    const slot = cmd.proc % plan.procs;
    const c = clients[slot]!;
    complete(c);
    const p = c.id;
    switch (cmd.kind) {
      case "crash":
        // The client's pending op (if any) never completes; a new process takes its place.
        clients[slot] = fresh(nextProc++);
        break;
      case "send": {
        const k = cmd.key % plan.keys;
        const key = keys[k]!;
        const values = Array.from({ length: cmd.n }, () => nextValue++);
        append({ process: p, type: "invoke", f: "send", value: values.map((v) => ["send", key, v]) });
        const applied = cmd.outcome === "ok" || cmd.outcome === "info-applied";
        const offsets = applied ? values.map((v) => logs[k]!.push(v) - 1) : [];
        if (cmd.outcome === "ok") {
          c.pending = {
            complete: { process: p, type: "ok", f: "send", value: values.map((v, i) => ["send", key, [offsets[i], v]]) },
            reads: [],
            send: { key, values, offsets },
          };
        } else {
          const type = cmd.outcome === "fail" ? "fail" : "info";
          c.pending = { complete: { process: p, type, f: "send", value: values.map((v) => ["send", key, v]) }, reads: [] };
        }
        break;
      }
      case "poll": {
        append({ process: p, type: "invoke", f: "poll", value: [["poll"]] });
        if (cmd.outcome === "ok") {
          const { result, reads: rs } = pollResult(c, cmd.max);
          c.pending = { complete: { process: p, type: "ok", f: "poll", value: [["poll", result]] }, reads: rs };
        } else c.pending = { complete: { process: p, type: cmd.outcome, f: "poll", value: [["poll"]] }, reads: [] };
        break;
      }
      case "txn": {
        const ks = cmd.keys.map((k) => k % plan.keys).filter((k, i, a) => a.indexOf(k) === i);
        const values = ks.map(() => nextValue++);
        append({ process: p, type: "invoke", f: "txn", value: [["poll"], ...ks.map((k, i) => ["send", keys[k], values[i]])] });
        if (cmd.ok) {
          // Reads come first: a transaction never sees its own sends.
          const { result, reads: rs } = pollResult(c, 3);
          const offsets = ks.map((k, i) => logs[k]!.push(values[i]!) - 1);
          const value = [["poll", result], ...ks.map((k, i) => ["send", keys[k], [offsets[i], values[i]]])];
          c.pending = { complete: { process: p, type: "ok", f: "txn", value }, reads: rs };
        } else {
          const value = [["poll"], ...ks.map((k, i) => ["send", keys[k], values[i]])];
          c.pending = { complete: { process: p, type: "fail", f: "txn", value }, reads: [] };
        }
        break;
      }
      case "assign":
      case "subscribe": {
        const ks = cmd.keys.map((k) => k % plan.keys).filter((k, i, a) => a.indexOf(k) === i);
        const named = ks.map((k) => keys[k]!);
        append({ process: p, type: "invoke", f: cmd.kind, value: named });
        for (const k of [...c.pos.keys()]) {
          if (!ks.includes(k)) {
            c.pos.delete(k);
            c.lastOk.delete(k);
          }
        }
        for (const k of ks) if (!c.pos.has(k)) c.pos.set(k, cmd.fromEnd ? logs[k]!.length : 0);
        c.pending = { complete: { process: p, type: cmd.info ? "info" : "ok", f: cmd.kind, value: named }, reads: [] };
        break;
      }
    }
  }
  for (const c of clients) complete(c);

  // Final reads: a fresh consumer assigns every key and reads each log from offset 0 to its end.
  const fin = nextProc++;
  append({ process: fin, type: "invoke", f: "assign", value: keys });
  append({ process: fin, type: "ok", f: "assign", value: keys });
  append({ process: fin, type: "invoke", f: "poll", value: [["poll"]] });
  const result: Record<string, Rec[]> = {};
  keys.forEach((key, k) => {
    if (logs[k]!.length > 0) result[String(key)] = logs[k]!.map((v, o) => [o, v] as Rec);
  });
  const finalRead = append({ process: fin, type: "ok", f: "poll", value: [["poll", result]] });
  return { history, keys, logs, nextValue, nextProc, reads, sends, finalRead };
}

export const modelArb: fc.Arbitrary<Model> = planArb.map(runPlan);
