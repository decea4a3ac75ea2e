// The checker bench's consumer-group history (bench/group-history.ts) is a correct one: the checker
// finds nothing in it, and it exercises what the bench means to measure (handoffs, acknowledged,
// refused and unknown commits, overlapping async commits, crashes and leaves).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GROUP_CHECK_CONFIG, generateGroupHistory, groupHistoryProblem } from "../../bench/group-history.ts";
import { check, checkHistoryFile, type Op, readHistoryFile } from "../../checkers/index.ts";

const dir = mkdtempSync(join(tmpdir(), "kh-group-history-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the bench's consumer-group history", () => {
  it("is judged valid with no anomaly at all, from its file and in memory, and exercises the group", async () => {
    const path = join(dir, "group.jsonl");
    const ops = generateGroupHistory(path, 20_000);
    expect(ops).toBeGreaterThan(19_000);
    expect(ops).toBeLessThanOrEqual(20_000);
    const r = await checkHistoryFile(path, GROUP_CHECK_CONFIG);
    expect(groupHistoryProblem(r)).toBeUndefined();
    expect(r.valid).toBe(true);
    expect(r.anomalyTypes).toEqual([]);
    const g = r.exercised!.group!;
    expect(g.handoffs).toBeGreaterThan(0);
    expect(g.commits.ok).toBeGreaterThan(0);
    expect(g.commits.fail).toBeGreaterThan(0);
    expect(g.commits.unknown).toBeGreaterThan(0);
    expect(g.crashes).toBeGreaterThan(0);
    expect(g.leaves).toBeGreaterThan(0);
    const history = await readHistoryFile(path);
    expect(check(history, GROUP_CHECK_CONFIG).anomalies).toEqual(r.anomalies);

    // Some member has two commits in flight at once (async commits overlapping).
    const open = new Map<unknown, number>();
    let overlapping = 0;
    for (const op of history as Op[]) {
      if (op.f !== "commit") continue;
      const n = (open.get(op.process) ?? 0) + (op.type === "invoke" ? 1 : -1);
      open.set(op.process, n);
      if (n >= 2) overlapping++;
    }
    expect(overlapping).toBeGreaterThan(0);
    expect(history.some((op) => op.f === "revoked")).toBe(true);
  });

  it("is the same for the same seed, and another for another", () => {
    const [a, b, c] = ["a", "b", "c"].map((x) => join(dir, `${x}.jsonl`));
    generateGroupHistory(a!, 3000, 7);
    generateGroupHistory(b!, 3000, 7);
    generateGroupHistory(c!, 3000, 8);
    expect(readFileSync(a!, "utf8")).toBe(readFileSync(b!, "utf8"));
    expect(readFileSync(a!, "utf8")).not.toBe(readFileSync(c!, "utf8"));
  });
});
