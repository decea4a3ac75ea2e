// Mutations of correct transactional histories, one per transactional rule (docs/design.md, Promises):
// an aborted transaction's value read (G1a), a committed transaction's value vanished (lost-write /
// unseen), a committed transaction half visible (torn-txn), a write-read cycle between two
// committed transactions (G1c). Each edits the generated ops where the history offers a place and
// otherwise appends a small construct on fresh keys and processes after the final reads.
import type { AnomalyType, History, Op } from "../../checkers/index.ts";
import type { Model } from "./model.ts";
import { Construct, findingsOf, type Mutant, type Rec } from "./mutation-kit.ts";
import type { TxnModel, TxnOp, TxnSendAt } from "./txn-model.ts";

export type TxnMutation = (m: TxnModel, pick: number) => Mutant;

const at = <T>(xs: T[], pick: number): T | undefined => (xs.length === 0 ? undefined : xs[pick % xs.length]);
const pollResults = (op: Op): Array<Record<string, Rec[]>> =>
  Array.isArray(op.value)
    ? (op.value as unknown[][]).filter((x) => x[0] === "poll" && x.length === 2).map((x) => x[1] as Record<string, Rec[]>)
    : [];
/** Construct wants a Model; it only reads the history and the next fresh value and process. */
const construct = (m: TxnModel) => new Construct(m as unknown as Model);
const sendsOf = (sends: TxnSendAt[]) => sends.map((s) => ["send", s.key, [s.offset, s.value]]);

/** Removes value v of key k from every poll result of the history. */
function unread(h: History, s: TxnSendAt): void {
  for (const op of h) {
    for (const res of pollResults(op)) {
      const recs = res[String(s.key)];
      if (recs) res[String(s.key)] = recs.filter(([, v]) => v !== s.value);
    }
  }
}

/** A failed transaction's send (appended, then aborted) is returned by the final read, in offset order. */
export const abortedRead: TxnMutation = (m, pick) => {
  const c = at(
    m.txns.filter((t) => t.type === "fail").flatMap((t) => t.sends.map((s) => ({ t, s }))),
    pick,
  );
  if (c) {
    const h = structuredClone(m.history);
    const res = pollResults(h[m.finalRead]!)[0]!;
    res[String(c.s.key)] = [...(res[String(c.s.key)] ?? []), [c.s.offset, c.s.value] as Rec].sort((a, b) => a[0] - b[0]);
    return {
      history: h,
      verify: (r) =>
        findingsOf(r, "G1a", (f) => f.value === c.s.value && f.offset === c.s.offset && f.writer === c.t.pos && f.reader === m.finalRead),
    };
  }
  // A construct: a transaction appends its send and aborts; another transaction reads it and commits.
  const x = construct(m);
  const [k, v, pw, pr] = [x.k(), x.v(), x.p(), x.p()];
  x.add({ process: pw, type: "invoke", f: "txn", value: [["send", k, v]] });
  const w = x.add({ process: pw, type: "fail", f: "txn", value: [["send", k, [0, v]]], aborted: "planned" });
  x.add({ process: pr, type: "invoke", f: "txn", value: [["poll"]] });
  const rd = x.add({ process: pr, type: "ok", f: "txn", value: [["poll", { [k]: [[0, v]] }]] });
  return { history: x.h, verify: (r) => findingsOf(r, "G1a", (f) => f.value === v && f.writer === w && f.reader === rd) };
};

const okWith = (m: TxnModel, n: number): TxnOp[] => m.txns.filter((t) => t.type === "ok" && t.sends.length >= n);

/** Every send of a committed transaction vanishes from every read. */
export const committedLost: TxnMutation = (m, pick) => {
  const t = at(okWith(m, 1), pick);
  const x = construct(m);
  let h: History;
  let sends: TxnSendAt[];
  let pos: number;
  if (t) {
    h = structuredClone(m.history);
    for (const s of t.sends) unread(h, s);
    sends = t.sends;
    pos = t.pos;
  } else {
    const [k, v, p] = [x.k(), x.v(), x.p()];
    sends = [{ key: k, value: v, offset: 0 }];
    x.add({ process: p, type: "invoke", f: "txn", value: [["send", k, v]] });
    pos = x.add({ process: p, type: "ok", f: "txn", value: sendsOf(sends) });
    h = x.h;
  }
  return {
    history: h,
    // Readers that went past the vanished records look as if they skipped them.
    companions: ["lost-write", "poll-skip", "int-poll-skip"],
    verify: (r) => {
      for (const s of sends) findingsOf(r, "unseen", (f) => f.value === s.value && f.writer === pos);
    },
  };
};

/**
 * A committed transaction's send that a workload read returned is missing from the final reads:
 * committed data lost. The transaction is ok, or info and shown committed by that very read (a
 * read_committed one), so the loss is caught whatever the writer's completion.
 */
export const readThenLost: TxnMutation = (m, pick) => {
  const readBy = (s: TxnSendAt) =>
    m.history.findIndex(
      (op, i) => i !== m.finalRead && op.type === "ok" && pollResults(op).some((res) => res[String(s.key)]?.some(([, v]) => v === s.value)),
    );
  const c = at(
    m.txns
      .filter((t) => t.type !== "fail" && t.committed)
      .flatMap((t) => t.sends.map((s) => ({ t, s, reader: readBy(s) })))
      .filter((x) => x.reader >= 0),
    pick,
  );
  if (c) {
    const h = structuredClone(m.history);
    const res = pollResults(h[m.finalRead]!)[0]!;
    res[String(c.s.key)] = res[String(c.s.key)]!.filter(([, v]) => v !== c.s.value);
    if (res[String(c.s.key)]!.length === 0) delete res[String(c.s.key)];
    return {
      history: h,
      // The final read steps over its offset, and the rest of its transaction may still be there.
      companions: ["unseen", "torn-txn", "int-poll-skip"],
      verify: (r) =>
        findingsOf(
          r,
          "committed-lost",
          (f) =>
            f.value === c.s.value && f.writer === c.t.pos && f.reader === c.reader && f.gone === "final-reads" && f.offset === c.s.offset,
        ),
    };
  }
  // A construct before the final reads: an unknown transaction sends to a fresh key and a read
  // returns it; the final reads (complete) never do.
  const x = construct(m);
  const [k, v, p] = [x.k(), x.v(), x.p()];
  const start = m.history.findIndex((op) => op.process === "harness" && op.f === "final-reads");
  x.h.length = start;
  x.add({ process: p, type: "invoke", f: "txn", value: [["send", k, v]] });
  const w = x.add({ process: p, type: "info", f: "txn", value: [["send", k, [0, v]]] });
  const rd = x.pollOk(x.p(), { [k]: [[0, v]] });
  for (const { index: _, time: __, ...op } of structuredClone(m.history.slice(start))) x.add(op);
  return {
    history: x.h,
    companions: ["unseen"],
    verify: (r) => findingsOf(r, "committed-lost", (f) => f.value === v && f.writer === w && f.reader === rd && f.gone === "final-reads"),
  };
};

/** One send of a committed transaction of several vanishes; the others stay visible. */
export const tornTxn: TxnMutation = (m, pick) => {
  // Sends to distinct values: the transaction keeps at least one visible.
  const t = at(okWith(m, 2), pick);
  if (t) {
    const gone = t.sends[pick % t.sends.length]!;
    const h = structuredClone(m.history);
    unread(h, gone);
    return {
      history: h,
      companions: ["unseen", "lost-write", "poll-skip", "int-poll-skip"],
      verify: (r) =>
        findingsOf(
          r,
          "torn-txn",
          (f) =>
            f.op === t.pos &&
            (f.never as TxnSendAt[]).some((s) => s.value === gone.value) &&
            (f.seen as TxnSendAt[]).every((s) => s.value !== gone.value),
        ),
    };
  }
  return tornConstruct(construct(m));
};

/** An ok transaction sends to two fresh keys; a later read returns the first send only. */
export function tornConstruct(x: Construct): Mutant {
  const [kx, ky, a, b, p] = [x.k(), x.k(), x.v(), x.v(), x.p()];
  x.add({
    process: p,
    type: "invoke",
    f: "txn",
    value: [
      ["send", kx, a],
      ["send", ky, b],
    ],
  });
  const w = x.add({
    process: p,
    type: "ok",
    f: "txn",
    value: [
      ["send", kx, [0, a]],
      ["send", ky, [0, b]],
    ],
  });
  const rd = x.pollOk(x.p(), { [kx]: [[0, a]] });
  return {
    history: x.h,
    companions: ["unseen"],
    verify: (r) =>
      findingsOf(r, "torn-txn", (f) => {
        const seen = f.seen as Array<TxnSendAt & { reader: number }>;
        return (
          f.op === w && seen.length === 1 && seen[0]!.value === a && seen[0]!.reader === rd && (f.never as TxnSendAt[])[0]?.value === b
        );
      }),
  };
}

/** Two committed transactions, each reading the other's send: a write-read cycle. */
export const wrCycle: TxnMutation = (m) => {
  const x = construct(m);
  const [kx, ky, p1, p2, a, b] = [x.k(), x.k(), x.p(), x.p(), x.v(), x.v()];
  x.add({ process: p1, type: "invoke", f: "txn", value: [["send", kx, a], ["poll"]] });
  x.add({ process: p2, type: "invoke", f: "txn", value: [["send", ky, b], ["poll"]] });
  const t1 = x.add({
    process: p1,
    type: "ok",
    f: "txn",
    value: [
      ["send", kx, [0, a]],
      ["poll", { [ky]: [[0, b]] }],
    ],
  });
  const t2 = x.add({
    process: p2,
    type: "ok",
    f: "txn",
    value: [
      ["send", ky, [0, b]],
      ["poll", { [kx]: [[0, a]] }],
    ],
  });
  return {
    history: x.h,
    verify: (r) => findingsOf(r, "G1c", (f) => [...new Set(f.ops)].sort((u, v) => u - v).join() === [t1, t2].sort((u, v) => u - v).join()),
  };
};

/** The rule each mutation injects, by the anomaly it must be found as. */
export const TXN_MUTATIONS: Array<{ name: string; type: AnomalyType; mutate: TxnMutation }> = [
  { name: "aborted value read", type: "G1a", mutate: abortedRead },
  { name: "committed transaction's writes vanished", type: "unseen", mutate: committedLost },
  { name: "committed transaction half visible", type: "torn-txn", mutate: tornTxn },
  { name: "committed transaction's value read, then gone from the final reads", type: "committed-lost", mutate: readThenLost },
  { name: "write-read cycle between committed transactions", type: "G1c", mutate: wrCycle },
];
