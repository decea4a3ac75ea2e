// The transaction view: shown when the history has txn ops, a row per transaction with
// its micro-ops, outcome (planned aborts marked), where its sends landed and who read them; the
// banner states the isolation level and the transactional promises. Kept small for big histories.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CheckConfig, check, type History, type Op, parseJsonlHistory } from "../../checkers/index.ts";
import { renderReport } from "../../reports/index.ts";
import { TXN_ROWS } from "../../reports/txn-view.ts";

const RC: CheckConfig = { acks: "all", idempotent: true, isolation: "read_committed", transactional: true };
const fixture = parseJsonlHistory(readFileSync(join(import.meta.dirname, "../fixtures/histories/txn-small.jsonl"), "utf8"));
const page = (history: History, config: CheckConfig = RC) =>
  renderReport({ spec: { name: "txn" }, history, results: check(history, config) });
/** The HTML of the table row of txn op i. */
const rowOf = (html: string, i: number): string => {
  const m = new RegExp(`<tr class="txn[^"]*" id="txn-${i}"[\\s\\S]*?</tr>`).exec(html);
  expect(m, `row of txn op ${i}`).not.toBeNull();
  return m![0];
};

describe("transaction view", () => {
  it("shows each transaction: micro-ops in order, outcome, where its sends landed and who read them", () => {
    const html = page(fixture);
    expect(html).toContain(`<section id="txns"><h2>Transactions</h2>`);
    expect(html).toContain(`<a href="#txns">transactions (5)</a>`);
    expect(html).toMatch(/data-ok="2" data-fail="2" data-info="1"/);
    expect(html).toContain("<b>2</b> aborted (fail, 1 of them planned)");
    expect(html.match(/<tr class="txn /g)).toHaveLength(5);
    // Committed: both sends landed at offset 0 and were read (by op 13, the final read, and op 7 / op 5).
    const t1 = rowOf(html, 1);
    expect(t1).toContain(`data-outcome="ok"`);
    expect(t1).toMatch(
      /send <b class="key">x<\/b> <b class="val">1<\/b> → offset <b class="off">0<\/b> · read by <a class="op[^>]*data-op="7"/,
    );
    // The planned abort whose send was read anyway (G1a): marked, and its reader linked.
    const t5 = rowOf(html, 5);
    expect(t5).toContain("data-planned");
    expect(t5).toContain("planned abort");
    expect(t5).toMatch(
      /<li class="mop send aborted-read">send <b class="key">x<\/b> <b class="val">4<\/b> → offset <b class="off">2<\/b> · read by <a class="op[^>]*data-op="7"/,
    );
    expect(t5).toMatch(/<li class="mop poll">poll <b class="key">y<\/b>: offset <b class="off">0<\/b>/);
    expect(t5).toMatch(/class="txn t-fail hit"/);
    // The torn transaction: unknown outcome, one send read, the other never; an unknown offset says so.
    const t11 = rowOf(html, 11);
    expect(t11).toMatch(/class="txn t-info hit"/);
    expect(t11).toContain("timeout");
    expect(t11).toMatch(
      /send <b class="key">y<\/b> <b class="val">6<\/b> → <span class="muted">offset unknown<\/span> · <span class="muted">never read<\/span>/,
    );
    expect(t11).toMatch(
      /send <b class="key">z<\/b> <b class="val">7<\/b> → offset <b class="off">1<\/b> · read by <a class="op[^>]*data-op="13"/,
    );
    // The torn-txn evidence links to the row.
    expect(html).toContain(`<a href="#txn-11">its row in the transaction view</a>`);
  });

  it("the banner states the isolation level and the transactional promises", () => {
    const rc = page(fixture);
    expect(rc).toContain(`<span class="chip cfg">consumers read_committed</span>`);
    expect(rc).toContain(`<span class="chip cfg">transactional producers</span>`);
    expect(rc).toMatch(/data-promise="atomic-txns" data-status="broken"/);
    expect(rc).toMatch(/data-promise="committed-reads" data-status="broken"/);
    expect(rc).toContain("transactions committed/unknown/aborted 2/1/2");
    const ru = page(fixture, { ...RC, isolation: "read_uncommitted" });
    expect(ru).toContain(`data-verdict="valid"`);
    expect(ru).toContain(`<span class="chip cfg">consumers read_uncommitted</span>`);
    expect(ru).toContain("read_uncommitted: a consumer returns records of open and aborted transactions");
    // Assumed when not given.
    expect(page(fixture, {})).toContain(`<span class="chip cfg">consumers read_committed (assumed)</span>`);
  });

  it("is absent, with its promise, when the history has no transaction", () => {
    const h = parseJsonlHistory(readFileSync(join(import.meta.dirname, "../fixtures/histories/valid.jsonl"), "utf8"));
    // A queue run's spec gives both settings: for it the isolation level changes nothing, so no chip says it.
    const html = page(h, { transactional: false, isolation: "read_committed" });
    expect(html).not.toContain(`id="txns"`);
    expect(html).not.toContain("atomic-txns");
    expect(html).not.toContain("consumers read_committed");
  });

  it("keeps the page small for many transactions: the first rows and every one a finding names", () => {
    const h: Op[] = [];
    const add = (o: Omit<Op, "index" | "time">) => h.push({ index: h.length, time: h.length * 1000, ...o } as Op);
    const n = 3000;
    for (let i = 0; i < n; i++) {
      add({ process: i % 4, type: "invoke", f: "txn", value: [["send", "t-0", i]] });
      add({ process: i % 4, type: "ok", f: "txn", value: [["send", "t-0", [i, i]]] });
    }
    // A late torn transaction: one send read, one never.
    add({
      process: 9,
      type: "invoke",
      f: "txn",
      value: [
        ["send", "t-1", -1],
        ["send", "t-2", -2],
      ],
    });
    const torn = h.length;
    add({
      process: 9,
      type: "ok",
      f: "txn",
      value: [
        ["send", "t-1", [0, -1]],
        ["send", "t-2", [0, -2]],
      ],
    });
    add({ process: 10, type: "invoke", f: "poll", value: [["poll"]] });
    add({
      process: 10,
      type: "ok",
      f: "poll",
      value: [["poll", { "t-0": Array.from({ length: n }, (_, i) => [i, i]), "t-1": [[0, -1]] }]],
    });
    const html = page(h);
    expect(html.match(/<tr class="txn /g)).toHaveLength(TXN_ROWS + 1);
    expect(html).toContain(`id="txn-${torn}"`);
    expect(html).toContain(`Shown: ${TXN_ROWS + 1} of ${(n + 1).toLocaleString("en")}`);
    expect(html.length).toBeLessThan(1_500_000);
  });
});
