// The checks' fast paths give exactly what the rules they stand for give: the acknowledged flag
// decided once per value (acked.ts acknowledgedValues) against acknowledged(), and a record's
// place in the log and its dense index, read through its key's offset table (log.ts
// RecordIndexes), against recordInLog() and recordIndex(), on every value and record of generated
// histories: correct ones, each anomaly injected, and transactional ones under both isolation
// levels (where a record's place in the log depends on its writer's commit). And the order checks
// find the same with the processes' positions kept in arrays by key or in Maps.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { acknowledged, acknowledgedValues, infoAcks } from "../../checkers/acked.ts";
import { deriveChecked } from "../../checkers/check.ts";
import type { Derived } from "../../checkers/derive.ts";
import { Findings } from "../../checkers/findings.ts";
import { ANOMALY_TYPES, type CheckConfig, type History } from "../../checkers/index.ts";
import { RecordIndexes, recordIndex, recordInLog } from "../../checkers/log.ts";
import { findOrderAnomalies } from "../../checkers/order.ts";
import { modelArb } from "./model.ts";
import { MUTATIONS } from "./mutations.ts";
import { txnModelArb } from "./txn-model.ts";

/** Every value's and every record's answer, by the fast path and by the rule. */
function expectSameAnswers(h: History, config: CheckConfig = {}): void {
  const d: Derived = deriveChecked(h, config);
  const acks = infoAcks(d);
  const acked = acknowledgedValues(d);
  expect(acked.length).toBe(d.nVals);
  for (let v = 0; v < d.nVals; v++) expect(acked[v] === 1, `value ${v}`).toBe(acknowledged(d, acks, v));
  // The positions processes continue from, kept in arrays by key or (many processes over many
  // keys) in Maps: the same findings.
  const byKey = new Findings(1000);
  const inMaps = new Findings(1000);
  findOrderAnomalies(d, byKey);
  findOrderAnomalies(d, inMaps, 0);
  expect([...inMaps.counts]).toEqual([...byKey.counts]);
  expect([...inMaps.examples]).toEqual([...byKey.examples]);
  const indexes = new RecordIndexes(d);
  for (let o = 0; o < d.nOps; o++) {
    for (let r = d.opRecStart[o]!; r < d.opRecEnd[o]!; r++) {
      expect(indexes.has(r, o), `record ${r} in the log`).toBe(recordInLog(d, r, o));
      expect(indexes.of(r, o), `record ${r}`).toBe(recordIndex(d, r, o));
    }
  }
}

describe("fast paths of the checks", () => {
  it("property: the same answers on correct histories and on each injected anomaly", () => {
    fc.assert(
      fc.property(modelArb, fc.nat(), fc.constantFrom(...ANOMALY_TYPES), (m, pick, type) => {
        expectSameAnswers(m.history);
        const mutant = MUTATIONS[type](m, pick);
        expectSameAnswers(mutant.history, mutant.config);
      }),
      { numRuns: 150 },
    );
  });

  it("property: the same answers on transactional histories, under both isolation levels", () => {
    for (const isolation of ["read_committed", "read_uncommitted"] as const) {
      fc.assert(
        fc.property(txnModelArb(isolation), (m) => {
          expectSameAnswers(m.history, { transactional: true, isolation });
          // Written as Jepsen's --txn does, every txn op of sends a send op: a transaction by the
          // configuration alone.
          const asSends = m.history.map((op) =>
            op.f === "txn" && !JSON.stringify(op.value).includes('"poll"') ? { ...op, f: "send" } : op,
          );
          expectSameAnswers(asSends, { transactional: true, isolation });
        }),
        { numRuns: 80 },
      );
    }
  });

  it("the same answers with offsets past int32, where the records keep float offsets", () => {
    const big = 2 ** 31 + 5;
    const h = [
      { index: 0, time: 0, process: 0, type: "invoke", f: "send", value: [["send", "x", 1]] },
      { index: 1, time: 1, process: 0, type: "ok", f: "send", value: [["send", "x", [big, 1]]] },
      { index: 2, time: 2, process: 1, type: "invoke", f: "poll", value: [["poll"]] },
      { index: 3, time: 3, process: 1, type: "ok", f: "poll", value: [["poll", { x: [[big, 1]] }]] },
    ] as History;
    expect(deriveChecked(h, {}).recOffInt).toBeUndefined();
    expectSameAnswers(h);
  });
});
