// Mutations of correct histories, one per anomaly: each injects that anomaly (plus, where it cannot
// happen alone, the ones that necessarily come with it) and says which ops the evidence must name.
// A mutation edits the generated ops when the history offers a place for it, and otherwise appends
// a small construct on fresh keys and processes after the final reads.

import { expect } from "vitest";
import type { AnomalyType, History, Key, Op, Value } from "../../checkers/index.ts";
import { copyHistoryOf } from "./copy-model.ts";
import { groupDuplicate, groupJump, groupLoss, groupRewind } from "./group-mutations.ts";
import type { Model, Read, SendOp } from "./model.ts";
import { Construct, findingsOf, type Mutation, type Rec } from "./mutation-kit.ts";
import { g0, g0Process, g0Realtime, g1c, g1cProcess, g1cRealtime, g1cWw } from "./mutations-cycles.ts";
import { tornConstruct } from "./txn-mutations.ts";

export type { Mutant, Mutation } from "./mutation-kit.ts";

const at = <T>(xs: T[], pick: number): T | undefined => (xs.length === 0 ? undefined : xs[pick % xs.length]);
const pollResults = (op: Op): Array<Record<string, Rec[]>> =>
  Array.isArray(op.value)
    ? (op.value as unknown[][]).filter((m) => m[0] === "poll" && m.length === 2).map((m) => m[1] as Record<string, Rec[]>)
    : [];
const sendRecords = (m: Model) => m.sends.flatMap((s) => s.values.map((v, i) => ({ s, v, o: s.offsets[i]! })));
/** The micro-op records of key in op at pos (the first poll micro-op holding the key). */
const recordsAt = (h: History, read: Read): Rec[] => pollResults(h[read.pos]!).find((r) => String(read.key) in r)![String(read.key)]!;

const lostWrite: Mutation = (m, pick) => {
  const c = at(
    sendRecords(m).filter(({ s, o }) => o < m.logs[m.keys.indexOf(s.key)]!.length - 1),
    pick,
  );
  if (c) {
    // The write vanishes from every read, as after a truncation nobody saw.
    const h = structuredClone(m.history);
    for (const op of h) {
      if (op.type !== "ok") continue;
      for (const res of pollResults(op)) {
        const recs = res[String(c.s.key)];
        if (recs) res[String(c.s.key)] = recs.filter(([, v]) => v !== c.v);
      }
    }
    return {
      history: h,
      companions: ["unseen", "poll-skip", "int-poll-skip"],
      verify: (r) =>
        findingsOf(r, "lost-write", (f) => f.value === c.v && f.writer === c.s.pos && f.offset === c.o && f.ops.includes(c.s.pos)),
    };
  }
  const x = new Construct(m);
  const [k, a, b] = [x.k(), x.v(), x.v()];
  const w = x.sendOk(x.p(), [
    [k, a, 0],
    [k, b, 1],
  ]);
  const rd = x.pollOk(x.p(), { [k]: [[1, b]] });
  return {
    history: x.h,
    companions: ["unseen"],
    verify: (r) => findingsOf(r, "lost-write", (f) => f.value === a && f.writer === w && f.boundReader === rd),
  };
};

const unseen: Mutation = (m, pick) => {
  const s = at(m.sends, pick);
  if (s) {
    // Acknowledged without an offset, and never read by anyone.
    const h = structuredClone(m.history);
    h[s.pos]!.value = s.values.map((v) => ["send", s.key, v]);
    for (const op of h) {
      for (const res of pollResults(op)) {
        const recs = res[String(s.key)];
        if (recs) res[String(s.key)] = recs.filter(([, v]) => !s.values.includes(v));
      }
    }
    return {
      history: h,
      verify: (r) => {
        for (const v of s.values) findingsOf(r, "unseen", (f) => f.value === v && f.writer === s.pos && f.ops[0] === s.pos);
      },
    };
  }
  const x = new Construct(m);
  const v = x.v();
  const w = x.sendOk(x.p(), [[x.k(), v, null]]);
  return { history: x.h, verify: (r) => findingsOf(r, "unseen", (f) => f.value === v && f.writer === w) };
};

/** A value an ok read returned (so committed), then another value at its offset: the next leader reused it. */
const committedLost: Mutation = (m, pick) => {
  const c = at(
    m.reads.flatMap((rd) => rd.records.map((rec) => ({ rd, rec }))),
    pick,
  );
  const x = new Construct(m);
  let key: Key;
  let o: number;
  let v: Value;
  if (c) [key, o, v] = [c.rd.key, c.rec[0], c.rec[1]];
  else {
    [key, o, v] = [x.k(), 0, x.v()];
    x.sendOk(x.p(), [[key, v, o]]);
    x.pollOk(x.p(), { [key]: [[o, v]] });
  }
  const w = x.v();
  const rd = x.pollOk(x.p(), { [String(key)]: [[o, w]] });
  return {
    history: x.h,
    companions: ["inconsistent-offsets"],
    verify: (r) =>
      findingsOf(
        r,
        "committed-lost",
        (f) =>
          f.value === v &&
          f.offset === o &&
          f.gone === "offset-reused" &&
          (f.reusedBy as { op: number; value: Value }).op === rd &&
          (f.reusedBy as { op: number; value: Value }).value === w &&
          f.ops.includes(rd),
      ),
  };
};

const duplicate: Mutation = (m, pick) => {
  const c = at(sendRecords(m), pick);
  if (c) {
    const h = structuredClone(m.history);
    const end = m.logs[m.keys.indexOf(c.s.key)]!.length;
    pollResults(h[m.finalRead]!)[0]![String(c.s.key)]!.push([end, c.v]);
    return {
      history: h,
      verify: (r) =>
        findingsOf(
          r,
          "duplicate",
          (f) => f.value === c.v && String(f.offsets) === String([c.o, end]) && f.ops.includes(c.s.pos) && f.ops.includes(m.finalRead),
        ),
    };
  }
  const x = new Construct(m);
  const [k, a] = [x.k(), x.v()];
  const w = x.sendOk(x.p(), [[k, a, 0]]);
  const rd = x.pollOk(x.p(), {
    [k]: [
      [0, a],
      [1, a],
    ],
  });
  return { history: x.h, verify: (r) => findingsOf(r, "duplicate", (f) => f.value === a && f.ops.includes(w) && f.ops.includes(rd)) };
};

const inconsistentOffsets: Mutation = (m, pick) => {
  const x = new Construct(m);
  let c: { k: Key; v: Value; o: number } | undefined;
  const s = at(sendRecords(m), pick);
  if (s) c = { k: s.s.key, v: s.v, o: s.o };
  else {
    c = { k: x.k(), v: x.v(), o: 0 };
    x.sendOk(x.p(), [[c.k, c.v, 0]]);
    x.pollOk(x.p(), { [c.k]: [[0, c.v] as Rec] });
  }
  const other = x.v();
  const p = x.p();
  x.add({ process: p, type: "invoke", f: "assign", value: [c.k] });
  x.add({ process: p, type: "ok", f: "assign", value: [c.k] });
  const rd = x.pollOk(p, { [String(c.k)]: [[c.o, other]] });
  return {
    history: x.h,
    // The value read there before is gone: its offset now holds another.
    companions: ["committed-lost"],
    verify: (r) =>
      findingsOf(
        r,
        "inconsistent-offsets",
        (f) => f.offset === c.o && String((f.values as Value[]).slice().sort()) === String([c.v, other].sort()) && f.ops.includes(rd),
      ),
  };
};

const g1a: Mutation = (m, pick) => {
  const s = at(m.sends, pick);
  if (s) {
    const h = structuredClone(m.history);
    h[s.pos]!.type = "fail";
    h[s.pos]!.value = s.values.map((v) => ["send", s.key, v]);
    return {
      history: h,
      verify: (r) => {
        for (const v of s.values) findingsOf(r, "G1a", (f) => f.value === v && f.writer === s.pos && f.ops.includes(s.pos));
      },
    };
  }
  const x = new Construct(m);
  const [k, a, p] = [x.k(), x.v(), x.p()];
  x.add({ process: p, type: "invoke", f: "send", value: [["send", k, a]] });
  const w = x.add({ process: p, type: "fail", f: "send", value: [["send", k, a]] });
  const rd = x.pollOk(x.p(), { [k]: [[0, a]] });
  return { history: x.h, verify: (r) => findingsOf(r, "G1a", (f) => f.writer === w && f.reader === rd) };
};

const precommittedRead: Mutation = (m) => {
  const x = new Construct(m);
  const [k, a, p] = [x.k(), x.v(), x.p()];
  x.add({ process: p, type: "invoke", f: "txn", value: [["send", k, a], ["poll"]] });
  const t = x.add({
    process: p,
    type: "ok",
    f: "txn",
    value: [
      ["send", k, [0, a]],
      ["poll", { [k]: [[0, a]] }],
    ],
  });
  return { history: x.h, verify: (r) => findingsOf(r, "precommitted-read", (f) => f.value === a && f.op === t && f.ops[0] === t) };
};

/** Three values on a fresh key, all read by a separate final reader (so nothing is lost). */
function threeValues(x: Construct): { k: string; vs: Value[] } {
  const k = x.k();
  const vs = [x.v(), x.v(), x.v()];
  x.sendOk(
    x.p(),
    vs.map((v, i) => [k, v, i]),
  );
  return { k, vs };
}
const readAll = (x: Construct, k: string, vs: Value[]) => x.pollOk(x.p(), { [k]: vs.map((v, i) => [i, v] as Rec) });

const pollSkip: Mutation = (m, pick) => {
  const c = at(
    m.reads.filter((r) => r.prev && r.records.length >= 2),
    pick,
  );
  if (c) {
    const h = structuredClone(m.history);
    const removed = recordsAt(h, c).shift()!;
    return {
      history: h,
      verify: (r) =>
        findingsOf(
          r,
          "poll-skip",
          (f) => f.op === c.pos && f.prevOp === c.prev!.pos && (f.skipped as Value[]).includes(removed[1]) && f.ops.includes(c.pos),
        ),
    };
  }
  const x = new Construct(m);
  const { k, vs } = threeValues(x);
  const q = x.p();
  const first = x.pollOk(q, { [k]: [[0, vs[0]!]] });
  const second = x.pollOk(q, { [k]: [[2, vs[2]!]] });
  readAll(x, k, vs);
  return {
    history: x.h,
    verify: (r) => findingsOf(r, "poll-skip", (f) => f.op === second && f.prevOp === first && String(f.skipped) === String([vs[1]])),
  };
};

const nonmonotonicPoll: Mutation = (m, pick) => {
  const c = at(
    m.reads.filter((r) => r.prev),
    pick,
  );
  if (c) {
    const h = structuredClone(m.history);
    recordsAt(h, c).unshift(c.prev!.record);
    return {
      history: h,
      verify: (r) => findingsOf(r, "nonmonotonic-poll", (f) => f.op === c.pos && f.prevOp === c.prev!.pos && f.delta === 0),
    };
  }
  const x = new Construct(m);
  const { k, vs } = threeValues(x);
  const q = x.p();
  const first = x.pollOk(q, {
    [k]: [
      [0, vs[0]!],
      [1, vs[1]!],
    ],
  });
  const second = x.pollOk(q, {
    [k]: [
      [1, vs[1]!],
      [2, vs[2]!],
    ],
  });
  return { history: x.h, verify: (r) => findingsOf(r, "nonmonotonic-poll", (f) => f.op === second && f.prevOp === first) };
};

const nonmonotonicSend: Mutation = (m) => {
  const x = new Construct(m);
  const [k, a, b, p] = [x.k(), x.v(), x.v(), x.p()];
  const first = x.sendOk(p, [[k, a, 1]]);
  const second = x.sendOk(p, [[k, b, 0]]);
  readAll(x, k, [b, a]);
  return {
    history: x.h,
    verify: (r) => findingsOf(r, "nonmonotonic-send", (f) => f.op === second && f.prevOp === first && f.value === b && f.prevValue === a),
  };
};

/** Rewrites the send micro-ops of an ok send op (completion and invocation alike). */
function editSends(h: History, s: SendOp, edit: (mops: unknown[]) => unknown[]): void {
  const op = h[s.pos]!;
  op.value = edit(op.value as unknown[]);
  for (let i = s.pos - 1; i >= 0; i--) {
    const inv = h[i]!;
    if (inv.process === op.process && inv.type === "invoke") {
      inv.value = edit(inv.value as unknown[]);
      break;
    }
  }
}

const intNonmonotonicSend: Mutation = (m, pick) => {
  const s = at(
    m.sends.filter((x) => x.values.length >= 2),
    pick,
  );
  if (s) {
    const h = structuredClone(m.history);
    editSends(h, s, (mops) => mops.slice().reverse());
    return {
      history: h,
      verify: (r) => findingsOf(r, "int-nonmonotonic-send", (f) => f.op === s.pos && f.ops[0] === s.pos && f.delta === -1),
    };
  }
  const x = new Construct(m);
  const [k, a, b] = [x.k(), x.v(), x.v()];
  const w = x.sendOk(x.p(), [
    [k, a, 1],
    [k, b, 0],
  ]);
  readAll(x, k, [b, a]);
  return { history: x.h, verify: (r) => findingsOf(r, "int-nonmonotonic-send", (f) => f.op === w && f.value === b) };
};

const intSendSkip: Mutation = (m, pick) => {
  const s = at(
    m.sends.filter((x) => x.values.length >= 3),
    pick,
  );
  if (s) {
    const h = structuredClone(m.history);
    editSends(h, s, (mops) => mops.filter((_, i) => i !== 1));
    return {
      history: h,
      verify: (r) => {
        expect(r.valid).toBe(true);
        findingsOf(r, "int-send-skip", (f) => f.op === s.pos && String(f.skipped) === String([s.values[1]]));
      },
    };
  }
  const x = new Construct(m);
  const { k, vs } = threeValues(x);
  const p = x.p();
  const w = x.sendOk(p, [
    [k, x.v(), 3],
    [k, x.v(), 5],
  ]);
  const other = x.sendOk(x.p(), [[k, x.v(), 4]]);
  const values = (x.h[w]!.value as Array<[string, string, Rec]>).map((mop) => mop[2]);
  const mid = (x.h[other]!.value as Array<[string, string, Rec]>)[0]![2];
  x.pollOk(x.p(), { [k]: [...vs.map((v, i) => [i, v] as Rec), values[0]!, mid, values[1]!] });
  return { history: x.h, verify: (r) => findingsOf(r, "int-send-skip", (f) => f.op === w && String(f.skipped) === String([mid[1]])) };
};

const intPollSkip: Mutation = (m, pick) => {
  const c = at(
    m.reads.filter((r) => r.records.length >= 3),
    pick,
  );
  if (c) {
    const h = structuredClone(m.history);
    const [removed] = recordsAt(h, c).splice(1, 1);
    return {
      history: h,
      verify: (r) => findingsOf(r, "int-poll-skip", (f) => f.op === c.pos && String(f.skipped) === String([removed![1]])),
    };
  }
  const x = new Construct(m);
  const { k, vs } = threeValues(x);
  const rd = x.pollOk(x.p(), {
    [k]: [
      [0, vs[0]!],
      [2, vs[2]!],
    ],
  });
  readAll(x, k, vs);
  return { history: x.h, verify: (r) => findingsOf(r, "int-poll-skip", (f) => f.op === rd) };
};

const intNonmonotonicPoll: Mutation = (m, pick) => {
  const c = at(
    m.reads.filter((r) => r.records.length >= 2),
    pick,
  );
  if (c) {
    const h = structuredClone(m.history);
    const recs = recordsAt(h, c);
    recs.splice(1, 0, recs[0]!);
    return {
      history: h,
      verify: (r) => findingsOf(r, "int-nonmonotonic-poll", (f) => f.op === c.pos && f.delta === 0 && f.value === c.records[0]![1]),
    };
  }
  const x = new Construct(m);
  const { k, vs } = threeValues(x);
  const rd = x.pollOk(x.p(), {
    [k]: [
      [0, vs[0]!],
      [0, vs[0]!],
      [1, vs[1]!],
      [2, vs[2]!],
    ],
  });
  return { history: x.h, verify: (r) => findingsOf(r, "int-nonmonotonic-poll", (f) => f.op === rd) };
};

// The copier's anomalies, on the model copied (copy-model.ts): one input record's copy dropped, or
// copied twice by two committed attempts. Mode from the pick: the finding is the same in both, only
// its judgement differs (a duplicate is permitted at-least-once).
const copyMutant =
  (type: "copy-loss" | "copy-duplicate"): Mutation =>
  (m, pick) => {
    const mode = pick % 2 === 0 ? "transactional" : "at-least-once";
    const base = copyHistoryOf(m, { mode, extra: [0] });
    const i = pick % base.records.length;
    const c = type === "copy-loss" ? copyHistoryOf(m, { mode, extra: [0] }, i) : copyHistoryOf(m, { mode, extra: [0] }, undefined, i);
    const rec = c.records[i]!;
    return {
      history: c.history,
      config: { copy: mode },
      verify: (r) =>
        findingsOf(
          r,
          type,
          (f) =>
            f.key === rec.key &&
            f.value === rec.value &&
            JSON.stringify(f.inputOffsets) === JSON.stringify([rec.offset]) &&
            JSON.stringify(f.outputOffsets) === JSON.stringify(c.outputOffsets[i]) &&
            JSON.stringify(f.copiers) === JSON.stringify(c.copiers[i]) &&
            (f.ops as number[]).every((o) => c.history[o] !== undefined),
        ),
    };
  };

export const MUTATIONS: Record<AnomalyType, Mutation> = {
  "copy-loss": copyMutant("copy-loss"),
  "copy-duplicate": copyMutant("copy-duplicate"),
  "lost-write": lostWrite,
  unseen,
  "committed-lost": committedLost,
  duplicate,
  "group-loss": groupLoss,
  "group-rewind": groupRewind,
  "group-jump": groupJump,
  "group-duplicate": groupDuplicate,
  "inconsistent-offsets": inconsistentOffsets,
  G1a: g1a,
  "precommitted-read": precommittedRead,
  "poll-skip": pollSkip,
  "nonmonotonic-poll": nonmonotonicPoll,
  "nonmonotonic-send": nonmonotonicSend,
  "int-poll-skip": intPollSkip,
  "int-nonmonotonic-poll": intNonmonotonicPoll,
  "int-send-skip": intSendSkip,
  "int-nonmonotonic-send": intNonmonotonicSend,
  G0: g0,
  "G0-process": g0Process,
  "G0-realtime": g0Realtime,
  G1c: g1c,
  "G1c-process": g1cProcess,
  "G1c-realtime": g1cRealtime,
  "G1c-ww": g1cWw,
  "torn-txn": (m) => tornConstruct(new Construct(m)),
};
