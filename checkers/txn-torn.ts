// Torn transactions: a committed transaction of which some sends are visible and others never are.
// Kafka commits a transaction by writing a commit marker in every partition it wrote to, so a
// read_committed consumer sees all of its sends or none; a delayed EndTxn that commits or aborts
// the wrong transaction (fixed by KIP-890) can break that. Judged after final reads: a send never
// read by then is gone.
import { type Derived, F_TXN, FAIL, OK, opIndex } from "./derive.ts";
import type { Findings, TxnSend } from "./findings.ts";
import type { PhaseMarks } from "./phases.ts";

/**
 * One finding per committed txn op with a send read by an ok read and a send never read by one.
 * Committed: ok, or info with a send read by a read_committed read (derive.ts mustCommit: under
 * read_uncommitted a workload read proves nothing, since it returns open and aborted transactions'
 * records, so only the final reads, always read_committed, show an info transaction committed).
 */
export function findTornTxns(d: Derived, out: Findings, marks: PhaseMarks): void {
  // Without completed final reads, a send not read yet may still be there.
  if (marks.marked && !marks.finalReadsComplete) return;
  for (let o = 0; o < d.nOps; o++) {
    if (d.opF[o] !== F_TXN || d.opType[o] === FAIL || d.mustCommit[o] !== 1) continue;
    let seen = 0;
    let never = 0;
    for (let r = d.opRecStart[o]!; r < d.opRecEnd[o]!; r++) {
      const v = d.recVal[r]!;
      if (d.recPoll[r] === 1 || d.valWriter[v] !== o) continue;
      if (d.valReadOk[v] === 1) seen++;
      else never++;
    }
    if (seen > 0 && never > 0) addTorn(d, out, o);
  }
}

// Apart from the loop: a closure in a loop body is allocated at every iteration.
function addTorn(d: Derived, out: Findings, o: number): void {
  out.add("torn-txn", () => {
    const seen: TxnSend[] = [];
    const never: TxnSend[] = [];
    for (let r = d.opRecStart[o]!; r < d.opRecEnd[o]!; r++) {
      const v = d.recVal[r]!;
      if (d.recPoll[r] === 1 || d.valWriter[v] !== o) continue;
      const off = d.recOff[r]!;
      const send: TxnSend = { key: d.keys[d.valKey[v]!]!, value: d.valOrig[v]!, offset: Number.isNaN(off) ? null : off };
      if (d.valReadOk[v] === 1) seen.push({ ...send, reader: opIndex(d, d.valFirstOkReader[v]!) });
      else never.push(send);
    }
    const op = opIndex(d, o);
    const readers = [...new Set(seen.map((s) => s.reader!))];
    return { type: "torn-txn", op, outcome: d.opType[o] === OK ? "ok" : "info", seen, never, ops: [op, ...readers] };
  });
}
