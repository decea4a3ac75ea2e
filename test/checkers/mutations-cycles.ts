// Mutations that inject dependency cycles: constructs of two or four ops on fresh keys.
import { expect } from "vitest";
import { check, type Finding } from "../../checkers/index.ts";
import type { Model } from "./model.ts";
import { Construct, findingsOf, type Mutation } from "./mutation-kit.ts";

const cycleOps = (f: Finding) => [...new Set(f.ops)].sort((a, b) => a - b).join();
const sameOps = (ops: number[]) => (f: Finding) => cycleOps(f) === [...ops].sort((a, b) => a - b).join();

export const g0: Mutation = (m) => {
  const x = new Construct(m);
  const [kx, ky, p1, p2] = [x.k(), x.k(), x.p(), x.p()];
  const [a, b, c, d] = [x.v(), x.v(), x.v(), x.v()];
  x.add({
    process: p1,
    type: "invoke",
    f: "txn",
    value: [
      ["send", kx, a],
      ["send", ky, b],
    ],
  });
  x.add({
    process: p2,
    type: "invoke",
    f: "txn",
    value: [
      ["send", kx, c],
      ["send", ky, d],
    ],
  });
  const t1 = x.add({
    process: p1,
    type: "ok",
    f: "txn",
    value: [
      ["send", kx, [0, a]],
      ["send", ky, [1, b]],
    ],
  });
  const t2 = x.add({
    process: p2,
    type: "ok",
    f: "txn",
    value: [
      ["send", kx, [1, c]],
      ["send", ky, [0, d]],
    ],
  });
  x.pollOk(x.p(), {
    [kx]: [
      [0, a],
      [1, c],
    ],
    [ky]: [
      [0, d],
      [1, b],
    ],
  });
  return { history: x.h, config: { wwDeps: true }, verify: (r) => findingsOf(r, "G0", sameOps([t1, t2])) };
};

export const g1c: Mutation = (m) => {
  const x = new Construct(m);
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
  return { history: x.h, verify: (r) => findingsOf(r, "G1c", sameOps([t1, t2])) };
};

export const g1cProcess: Mutation = (m) => {
  const x = new Construct(m);
  const [k, p, a] = [x.k(), x.p(), x.v()];
  const rd = x.pollOk(p, { [k]: [[0, a]] });
  const w = x.sendOk(p, [[k, a, 0]]);
  return {
    history: x.h,
    verify: (r) =>
      findingsOf(
        r,
        "G1c-process",
        (f) => sameOps([rd, w])(f) && (f as { steps: Array<{ rel: string }> }).steps.some((s) => s.rel === "process"),
      ),
  };
};

export const g1cRealtime: Mutation = (m) => {
  const x = new Construct(m);
  const [k, a] = [x.k(), x.v()];
  const rd = x.pollOk(x.p(), { [k]: [[0, a]] });
  const w = x.sendOk(x.p(), [[k, a, 0]]);
  return { history: x.h, verify: (r) => findingsOf(r, "G1c-realtime", sameOps([rd, w])) };
};

/** A -o-> B -ww-> C -o-> D -ww-> A, where o is process order (same) or real-time order. */
function g0Order(m: Model, sameProcess: boolean): { x: Construct; ops: number[] } {
  const x = new Construct(m);
  const [kx, ky] = [x.k(), x.k()];
  const [p1, p2] = [x.p(), x.p()];
  const [pa, pb, pc, pd] = sameProcess ? [p1, p1, p2, p2] : [p1, p2, x.p(), x.p()];
  const [a, b, c, d] = [x.v(), x.v(), x.v(), x.v()];
  const ops = sameProcess
    ? [x.sendOk(pa, [[kx, a, 1]]), x.sendOk(pc, [[ky, c, 1]]), x.sendOk(pb, [[ky, b, 0]]), x.sendOk(pd, [[kx, d, 0]])]
    : [x.sendOk(pa, [[kx, a, 1]]), x.sendOk(pb, [[ky, b, 0]]), x.sendOk(pc, [[ky, c, 1]]), x.sendOk(pd, [[kx, d, 0]])];
  x.pollOk(x.p(), {
    [kx]: [
      [0, d],
      [1, a],
    ],
    [ky]: [
      [0, b],
      [1, c],
    ],
  });
  return { x, ops };
}

export const g0Process: Mutation = (m) => {
  const { x, ops } = g0Order(m, true);
  return { history: x.h, config: { wwDeps: true }, verify: (r) => findingsOf(r, "G0-process", sameOps(ops)) };
};

export const g0Realtime: Mutation = (m) => {
  const { x, ops } = g0Order(m, false);
  return { history: x.h, config: { wwDeps: true }, verify: (r) => findingsOf(r, "G0-realtime", sameOps(ops)) };
};

/** T1 -ww-> T2 -wr-> T1: T1's send lands before T2's on one key, and T1 reads T2's other send. A
 *  cycle only --ww-deps finds, and only through the inferred ww edge: G1c-ww, not G1c. */
export const g1cWw: Mutation = (m) => {
  const x = new Construct(m);
  const [kx, ky, p1, p2, a, b, c] = [x.k(), x.k(), x.p(), x.p(), x.v(), x.v(), x.v()];
  x.add({ process: p1, type: "invoke", f: "txn", value: [["send", kx, a], ["poll"]] });
  x.add({
    process: p2,
    type: "invoke",
    f: "txn",
    value: [
      ["send", kx, c],
      ["send", ky, b],
    ],
  });
  const t2 = x.add({
    process: p2,
    type: "ok",
    f: "txn",
    value: [
      ["send", kx, [1, c]],
      ["send", ky, [0, b]],
    ],
  });
  const t1 = x.add({
    process: p1,
    type: "ok",
    f: "txn",
    value: [
      ["send", kx, [0, a]],
      ["poll", { [ky]: [[0, b]] }],
    ],
  });
  x.pollOk(x.p(), {
    [kx]: [
      [0, a],
      [1, c],
    ],
  });
  const rels = (f: Finding) => (f as Finding & { steps: Array<{ rel: string }> }).steps.map((s) => s.rel).sort();
  return {
    history: x.h,
    config: { wwDeps: true },
    verify: (r) => {
      findingsOf(r, "G1c-ww", (f) => sameOps([t1, t2])(f) && String(rels(f)) === "wr,ww");
      expect(r.valid).toBe(true);
      // Without --ww-deps there is no cycle at all.
      expect(check(x.h).anomalyTypes).not.toContain("G1c-ww");
    },
  };
};
