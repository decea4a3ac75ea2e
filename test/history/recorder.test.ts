// The recorder is the one history writer: each op goes to history.jsonl (canonical field order)
// before it is kept in memory, and the file reads back as exactly the ops in memory.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readHistoryFile } from "../../checkers/index.ts";
import { createRecorder } from "../../harness/history/recorder.ts";

describe("recorder", () => {
  it("writes a file that readHistoryFile reads back as the ops in memory", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "kh-rec-")), "run", "history.jsonl");
    let t = 0;
    const r = createRecorder({ path, now: () => (t += 10) });
    r.record({ process: 0, type: "invoke", f: "send", value: [["send", "t-0", 1]] });
    r.record({ process: 0, type: "ok", f: "send", value: [["send", "t-0", [0, 1]]], extra: "kept" });
    r.record({ process: "nemesis", type: "invoke", f: "kill", value: { targets: ["kafka1"] } });
    expect(r.ops.map((o) => [o.index, o.time])).toEqual([
      [0, 10],
      [1, 20],
      [2, 30],
    ]);
    expect(await readHistoryFile(path)).toEqual(r.ops);
  });

  it("keeps nothing in memory that the file lacks when a write fails", () => {
    // A directory cannot be appended to, even by root (file modes would not stop root): the file
    // is replaced by one after the recorder created it.
    const path = join(mkdtempSync(join(tmpdir(), "kh-rec-")), "history.jsonl");
    const blocked = createRecorder({ path });
    rmSync(path);
    mkdirSync(path);
    expect(() => blocked.record({ process: 1, type: "invoke", f: "poll", value: [["poll"]] })).toThrow(/EISDIR/);
    expect(blocked.ops).toHaveLength(0);
  });

  it("creates the file before the first op: a run that fails at once still has a history (empty)", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "kh-rec-")), "run", "history.jsonl");
    createRecorder({ path });
    expect(await readHistoryFile(path)).toEqual([]);
  });
});
