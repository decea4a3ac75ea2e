// Phase markers make a stored history say by itself whether its final reads completed: without
// them, an acknowledged value that no read returned (`unseen`) cannot be called lost, so the verdict
// is unknown; other forbidden findings still stand. Histories without markers are judged as before.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { check, checkHistoryFile, formatHistory } from "../../checkers/index.ts";
import { NO_FINAL_READS } from "../../checkers/phases.ts";
import { history, info, invoke, ok, pollOk, sendOk } from "./helpers.ts";

const harness = {
  invoke: (f: string) => invoke("harness", f, null),
  ok: (f: string) => ok("harness", f, null),
  info: (f: string) => info("harness", f, null),
};

// Value 2 was acknowledged at offset 1 and never read: unseen (forbidden under acks=all, min ISR 2).
const workload = [...sendOk(0, ["x", 1, 0]), ...sendOk(0, ["x", 2, 1]), ...pollOk(1, { x: [[0, 1]] })];

async function bothWays(h: ReturnType<typeof history>) {
  const file = join(mkdtempSync(join(tmpdir(), "kh-phases-")), "history.jsonl");
  writeFileSync(file, formatHistory(h));
  const inMemory = check(h);
  expect(await checkHistoryFile(file)).toEqual(inMemory);
  return inMemory;
}

describe("phase markers", () => {
  it("without markers: judged as before (unseen is forbidden, invalid)", async () => {
    const r = await bothWays(history(...workload));
    expect(r.valid).toBe(false);
    expect(r.forbidden).toEqual(["unseen"]);
  });

  it("with completed final reads: the same verdict", async () => {
    const r = await bothWays(
      history(
        harness.invoke("workload"),
        ...workload,
        harness.ok("workload"),
        harness.invoke("final-reads"),
        ...pollOk(9, { x: [[0, 1]] }),
        harness.ok("final-reads"),
      ),
    );
    expect(r.valid).toBe(false);
    expect(r.forbidden).toEqual(["unseen"]);
  });

  it("with final reads that did not complete, or never started (a killed run): unknown, saying why", async () => {
    for (const h of [
      history(harness.invoke("workload"), ...workload, harness.ok("workload"), harness.invoke("final-reads"), harness.info("final-reads")),
      history(harness.invoke("workload"), ...workload),
    ]) {
      const r = await bothWays(h);
      expect(r.valid).toBe("unknown");
      expect(r.unknownReason).toBe(NO_FINAL_READS);
      expect(r.anomalies.unseen?.count).toBe(1); // still reported, just not decisive
    }
  });

  it("a decidable forbidden finding stands without final reads (a lost write below what reads reached)", async () => {
    // Value 2 at offset 1 was acknowledged; a read reached offset 2 without it: lost-write.
    const lost = [
      ...sendOk(0, ["x", 1, 0]),
      ...sendOk(0, ["x", 2, 1]),
      ...sendOk(0, ["x", 3, 2]),
      ...pollOk(1, {
        x: [
          [0, 1],
          [2, 3],
        ],
      }),
    ];
    const r = await bothWays(history(harness.invoke("workload"), ...lost));
    expect(r.valid).toBe(false);
    expect(r.forbidden).toContain("lost-write");
  });

  it("with complete final reads, an acknowledged value they did not return is unseen, even if a read saw it before (truncated)", async () => {
    // Value 2 was acknowledged at offset 1 and read there during the workload; the final reads find
    // value 3 at offset 1: the log that remains lost it (a new leader reused the offset).
    const truncated = [
      ...sendOk(0, ["x", 1, 0]),
      ...sendOk(0, ["x", 2, 1]),
      ...pollOk(1, {
        x: [
          [0, 1],
          [1, 2],
        ],
      }),
      ...sendOk(2, ["x", 3, 1]),
    ];
    const finalRead = pollOk(9, {
      x: [
        [0, 1],
        [1, 3],
      ],
    });
    const marked = history(
      harness.invoke("workload"),
      ...truncated,
      harness.ok("workload"),
      harness.invoke("final-reads"),
      ...finalRead,
      harness.ok("final-reads"),
    );
    const r = await bothWays(marked);
    expect(r.anomalies.unseen?.count).toBe(1);
    const f = r.anomalies.unseen!.examples[0]!;
    expect(f).toMatchObject({ type: "unseen", key: "x", value: 2, writer: 4, readBefore: 6 }); // ok completions of the send and the poll
    expect(f.ops).toEqual([4, 6]);
    expect(r.anomalyTypes).toContain("inconsistent-offsets");
    // Without markers the same ops only show the reused offset: value 2 was read, so not unseen.
    const unmarked = check(history(...truncated, ...finalRead));
    expect(unmarked.anomalies.unseen).toBeUndefined();
    expect(unmarked.anomalyTypes).toContain("inconsistent-offsets");
  });
});
