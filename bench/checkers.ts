// Checker benchmark: generates histories of 10k, 100k and 1M ops (JSON Lines, in a temp dir),
// then reports read+check throughput, peak memory, and the ratio of the whole check (read, parse,
// check) to plain JSON.parse of the same lines. Prints figures; nothing here is asserted.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { check, checkHistoryFile, readHistoryFile } from "../checkers/index.ts";

/** A small deterministic PRNG (mulberry32), so every run benchmarks the same histories. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes a correct history of about `n` ops: 12 processes over 8 keys, sends of 1-3 values,
 * polls of up to 4 records per key, some txns, info and fail ops, overlapping ops, final reads.
 */
export function generateHistory(path: string, n: number, seed = 1): number {
  const rand = rng(seed);
  const P = 12;
  const K = 8;
  const keys = Array.from({ length: K }, (_, i) => `t-${i}`);
  const logs: number[][] = keys.map(() => []);
  const positions = Array.from({ length: P }, () => new Array<number>(K).fill(0));
  const pending: Array<string | undefined> = new Array(P);
  const fd = openSync(path, "w");
  let buf = "";
  let index = 0;
  let value = 0;
  const emit = (process: number | string, type: string, f: string, v: unknown) => {
    buf += `{"index":${index},"time":${index * 1000},"process":${JSON.stringify(process)},"type":"${type}","f":"${f}","value":${JSON.stringify(v)}}\n`;
    index++;
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = "";
    }
  };
  const pollFor = (p: number, maxKeys: number) => {
    const res: Record<string, number[][]> = {};
    const start = Math.floor(rand() * K);
    for (let j = 0; j < maxKeys; j++) {
      const k = (start + j) % K;
      const from = positions[p]![k]!;
      const to = Math.min(from + 1 + Math.floor(rand() * 4), logs[k]!.length);
      if (to <= from) continue;
      const recs: number[][] = [];
      for (let o = from; o < to; o++) recs.push([o, logs[k]![o]!]);
      res[keys[k]!] = recs;
      positions[p]![k] = to;
    }
    return res;
  };
  while (index < n - 2 * K - 2 * P) {
    const p = Math.floor(rand() * P);
    const done = pending[p];
    if (done !== undefined) {
      buf += done;
      pending[p] = undefined;
      index++;
      continue;
    }
    const r = rand();
    const line = (type: string, f: string, v: unknown) =>
      `{"index":0,"time":0,"process":${p},"type":"${type}","f":"${f}","value":${JSON.stringify(v)}}\n`;
    if (r < 0.45) {
      const k = Math.floor(rand() * K);
      const vs = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => value++);
      emit(p, "invoke", "send", vs.map((v) => ["send", keys[k], v]));
      const outcome = rand();
      if (outcome < 0.97) {
        const offs = vs.map((v) => logs[k]!.push(v) - 1);
        pending[p] = line("ok", "send", vs.map((v, i) => ["send", keys[k], [offs[i], v]]));
      } else pending[p] = line(outcome < 0.985 ? "info" : "fail", "send", vs.map((v) => ["send", keys[k], v]));
    } else if (r < 0.93) {
      emit(p, "invoke", "poll", [["poll"]]);
      pending[p] = rand() < 0.98 ? line("ok", "poll", [["poll", pollFor(p, 2)]]) : line("info", "poll", [["poll"]]);
    } else {
      const k = Math.floor(rand() * K);
      const v = value++;
      emit(p, "invoke", "txn", [["poll"], ["send", keys[k], v]]);
      const res = pollFor(p, 1);
      pending[p] = line("ok", "txn", [["poll", res], ["send", keys[k], [logs[k]!.push(v) - 1, v]]]);
    }
  }
  for (let p = 0; p < P; p++) {
    if (pending[p] !== undefined) {
      buf += pending[p];
      index++;
    }
  }
  // Final reads: one consumer per key reads the whole log (indexes above were placeholders for
  // the completions; renumber them in order now).
  for (let k = 0; k < K; k++) {
    emit(`final-${k}`, "invoke", "poll", [["poll"]]);
    emit(`final-${k}`, "ok", "poll", [["poll", { [keys[k]!]: logs[k]!.map((v, o) => [o, v]) }]]);
  }
  writeSync(fd, buf);
  closeSync(fd);
  renumber(path);
  return index;
}

/** Rewrites "index" so it equals the line number (completions were written with placeholders). */
function renumber(path: string): void {
  const lines = readFileSync(path, "utf8").split("\n");
  const fd = openSync(path, "w");
  let buf = "";
  let i = 0;
  for (const l of lines) {
    if (l === "") continue;
    buf += `{"index":${i},"time":${i * 1000}${l.slice(l.indexOf(',"process"'))}\n`;
    i++;
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = "";
    }
  }
  writeSync(fd, buf);
  closeSync(fd);
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
const rate = (n: number, ms: number) => `${((n / ms) * 1000).toLocaleString("en-US", { maximumFractionDigits: 0 })} ops/s`;

export async function benchCheckers(sizes: number[] = [10_000, 100_000, 1_000_000]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "kh-bench-checkers-"));
  try {
    console.log("checkers: read+check of generated histories (JSON Lines)");
    for (const n of sizes) {
      const path = join(dir, `history-${n}.jsonl`);
      const ops = generateHistory(path, n);

      // Baseline: JSON.parse of the same lines, already in memory.
      const lines = readFileSync(path, "utf8").split("\n");
      let t = performance.now();
      let parsed = 0;
      for (const l of lines) if (l !== "") parsed += JSON.parse(l) ? 1 : 0;
      const parseMs = performance.now() - t;
      lines.length = 0;

      // The whole check as the check command does it: stream, parse, validate, check.
      t = performance.now();
      const results = await checkHistoryFile(path);
      const wholeMs = performance.now() - t;
      const heapAfterStream = process.memoryUsage().heapUsed;
      const rssAfterStream = process.resourceUsage().maxRSS * 1024;

      // The checks alone, on a history already in memory (as the harness has it after a run).
      t = performance.now();
      const history = await readHistoryFile(path);
      const readMs = performance.now() - t;
      t = performance.now();
      const again = check(history);
      const checkMs = performance.now() - t;
      const heapWithHistory = process.memoryUsage().heapUsed;
      const same = JSON.stringify(again) === JSON.stringify(results);
      console.log(
        [
          `${ops.toLocaleString("en-US")} ops (${parsed.toLocaleString("en-US")} lines): valid=${results.valid}${same ? "" : " (MISMATCH between stream and in-memory check!)"}`,
          `  whole check (read+parse+check, streamed): ${wholeMs.toFixed(0)} ms = ${rate(ops, wholeMs)}; JSON.parse of the lines alone ${parseMs.toFixed(0)} ms; ratio ${(wholeMs / parseMs).toFixed(2)}x`,
          `  in memory: readHistoryFile ${readMs.toFixed(0)} ms, check() ${checkMs.toFixed(0)} ms = ${rate(ops, checkMs)}`,
          `  memory: heap ${mb(heapAfterStream)} after the streamed check, ${mb(heapWithHistory)} with the history loaded; peak RSS ${mb(rssAfterStream)} streamed, ${mb(process.resourceUsage().maxRSS * 1024)} so far`,
        ].join("\n"),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
  await benchCheckers(sizes.length > 0 ? sizes : undefined);
}
