// Checker benchmark: generates histories of 10k, 100k and 1M ops (JSON Lines, in a temp dir),
// then reports read+check throughput, peak memory, and the ratio of the whole check (read, parse,
// check) to plain JSON.parse of the same lines; then consumer-group histories of 100k and 1M ops
// beside the queue's (benchGroupCheckers). Prints figures; nothing here is asserted on times.

import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver, constants as perfConstants } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { checkDerived, deriveOptions } from "../checkers/check.ts";
import { derive } from "../checkers/derive.ts";
import { type CheckConfig, check, checkHistoryFile, type Results, readHistoryFile } from "../checkers/index.ts";
import { noPhaseMarks, notePhase } from "../checkers/phases.ts";
// Seeded, so every run benchmarks the same histories.
import { mulberry32 as rng } from "../harness/util/random.ts";
import { GROUP_CHECK_CONFIG, generateGroupHistory, groupHistoryProblem } from "./group-history.ts";

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
  // A completion is kept without its index and time (pending), which it gets when it is written.
  const flush = (rest: string) => {
    buf += `{"index":${index},"time":${index * 1000}${rest}`;
    index++;
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = "";
    }
  };
  while (index < n - 2 * K - 2 * P) {
    const p = Math.floor(rand() * P);
    const done = pending[p];
    if (done !== undefined) {
      flush(done);
      pending[p] = undefined;
      continue;
    }
    const r = rand();
    const line = (type: string, f: string, v: unknown) => `,"process":${p},"type":"${type}","f":"${f}","value":${JSON.stringify(v)}}\n`;
    if (r < 0.45) {
      const k = Math.floor(rand() * K);
      const vs = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => value++);
      emit(
        p,
        "invoke",
        "send",
        vs.map((v) => ["send", keys[k], v]),
      );
      const outcome = rand();
      if (outcome < 0.97) {
        const offs = vs.map((v) => logs[k]!.push(v) - 1);
        pending[p] = line(
          "ok",
          "send",
          vs.map((v, i) => ["send", keys[k], [offs[i], v]]),
        );
      } else
        pending[p] = line(
          outcome < 0.985 ? "info" : "fail",
          "send",
          vs.map((v) => ["send", keys[k], v]),
        );
    } else if (r < 0.93) {
      emit(p, "invoke", "poll", [["poll"]]);
      pending[p] = rand() < 0.98 ? line("ok", "poll", [["poll", pollFor(p, 2)]]) : line("info", "poll", [["poll"]]);
    } else {
      const k = Math.floor(rand() * K);
      const v = value++;
      emit(p, "invoke", "txn", [["poll"], ["send", keys[k], v]]);
      const res = pollFor(p, 1);
      pending[p] = line("ok", "txn", [
        ["poll", res],
        ["send", keys[k], [logs[k]!.push(v) - 1, v]],
      ]);
    }
  }
  for (let p = 0; p < P; p++) {
    if (pending[p] !== undefined) flush(pending[p]!);
  }
  // Final reads: one consumer per key reads the whole log.
  for (let k = 0; k < K; k++) {
    emit(`final-${k}`, "invoke", "poll", [["poll"]]);
    emit(`final-${k}`, "ok", "poll", [["poll", { [keys[k]!]: logs[k]!.map((v, o) => [o, v]) }]]);
  }
  writeSync(fd, buf);
  closeSync(fd);
  return index;
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
const rate = (n: number, ms: number) => `${((n / ms) * 1000).toLocaleString("en-US", { maximumFractionDigits: 0 })} ops/s`;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Measure {
  deriveMs?: number;
  detectMs?: number;
  wallMs: number;
  cpuMs: number;
  /** Minor page faults during check(): pages of fresh memory touched, each a cost of its own (on
   *  a VM, tens of microseconds); the same on an idle machine and a busy one. */
  faults?: number;
  /** Garbage collections during check(): full (mark-compact) and young (scavenge). A full one marks
   *  the whole heap, the history included; V8 starts one when ArrayBuffers grow by 64 MB. */
  fullGcs?: number;
  youngGcs?: number;
  /** ArrayBuffer bytes derive() allocates (after a full GC, so the count is its own). */
  deriveArrayBuffers?: number;
  peakRss: number;
  heapUsed: number;
  results: string;
}

/** One measurement in a fresh process, so its peak memory is its own; `config`: what the history is judged under. */
async function measureInChild(
  mode: "stream" | "memory" | "parse" | "parse-batches",
  path: string,
  config: CheckConfig = {},
): Promise<Measure> {
  // Run through tsx as this process was, whether started by `npx tsx` or by bin/run-ts.js.
  const loader = process.execArgv.length > 0 ? process.execArgv : ["--import", import.meta.resolve("tsx")];
  const child = spawnSync(process.execPath, [...loader, fileURLToPath(import.meta.url), CHILD_FLAG, mode, path, JSON.stringify(config)], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  if (child.status !== 0) throw new Error(`benchmark child failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as Measure;
}

const CHILD_FLAG = "--measure-child";

/** The history size the targets are set for: 1.5M ops/s in memory, the file check at 1.5x the
 *  time of JSON.parse of the same lines or better (README, "Checking a stored history"). */
const TARGET_OPS = 1_000_000;
const TARGET_OPS_PER_S = 1_500_000;
const TARGET_RATIO = 1.5;

/** Rounds of fresh-process runs. On this VM about one run in four takes 25-35% longer than the
 *  others, and a busy host slows every process for a while (JSON.parse itself by up to 1.6x), so
 *  each round runs the three measurements one after the other, and the figures printed are the
 *  medians, with their ranges; the file check's ratio to JSON.parse is the median of the rounds'. */
const RUNS = 5;

interface Median extends Measure {
  wallRange: string;
  /** The median of the runs' CPU times (cpuMs is the median-wall run's own). */
  cpuMedian: number;
}

/** The run with the median wall time, its range noted in `wallRange`. */
function median(all: Measure[]): Median {
  const sorted = [...all].sort((a, b) => a.wallMs - b.wallMs);
  if (sorted.some((m) => m.results !== sorted[0]!.results)) throw new Error("benchmark: runs of one check gave different results");
  const range = sorted.length > 1 ? `, ${sorted.length} runs: ${sorted[0]!.wallMs.toFixed(0)}-${sorted.at(-1)!.wallMs.toFixed(0)} ms` : "";
  const cpus = all.map((m) => m.cpuMs).sort((a, b) => a - b);
  return { ...sorted[Math.floor(sorted.length / 2)]!, wallRange: range, cpuMedian: cpus[Math.floor(cpus.length / 2)]! };
}

/** Each of the three measurements RUNS times, in rounds; the median of each, and of the ratios. */
async function measureRounds(path: string): Promise<{ parse: Median; whole: Median; mem: Median; ratio: number; ratios: number[] }> {
  const parses: Measure[] = [];
  const wholes: Measure[] = [];
  const mems: Measure[] = [];
  for (let i = 0; i < RUNS; i++) {
    parses.push(await measureInChild("parse", path));
    wholes.push(await measureInChild("stream", path));
    mems.push(await measureInChild("memory", path));
  }
  const ratios = wholes.map((w, i) => w.wallMs / parses[i]!.wallMs).sort((a, b) => a - b);
  return { parse: median(parses), whole: median(wholes), mem: median(mems), ratio: ratios[Math.floor(RUNS / 2)]!, ratios };
}

/** ArrayBuffer bytes once a GC's freeing is over: V8 frees dead buffers on a background thread,
 *  after the GC (tens of MB of them take a while on a loaded machine). */
async function settledArrayBuffers(): Promise<number> {
  let last = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 40; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = process.memoryUsage().arrayBuffers;
    if (now === last) return now;
    last = now;
  }
  return last;
}

async function childMain(mode: string, path: string, config: CheckConfig): Promise<void> {
  if (mode === "parse") {
    const lines = readFileSync(path, "utf8").split("\n");
    const t0 = performance.now();
    const c0 = cpuMs();
    let parsed = 0;
    for (const l of lines) if (l !== "" && JSON.parse(l)) parsed++;
    const out: Measure = { wallMs: performance.now() - t0, cpuMs: cpuMs() - c0, peakRss: 0, heapUsed: 0, results: String(parsed) };
    process.stdout.write(JSON.stringify(out));
    return;
  }
  if (mode === "parse-batches") {
    // A file too large for one string: JSON.parse of its lines, timed a batch of lines at a time
    // (read and split untimed), so the figure is JSON.parse's alone, as above.
    const fd = openSync(path, "r");
    const bytes = Buffer.allocUnsafe(64 << 20);
    let rest = "";
    let parsed = 0;
    let wallMs = 0;
    let cpu = 0;
    for (;;) {
      const n = readSync(fd, bytes, 0, bytes.length, null);
      const text = rest + bytes.toString("utf8", 0, n);
      const lines = text.split("\n");
      rest = n === 0 ? "" : lines.pop()!;
      const t0 = performance.now();
      const c0 = cpuMs();
      for (const l of lines) if (l !== "" && JSON.parse(l)) parsed++;
      wallMs += performance.now() - t0;
      cpu += cpuMs() - c0;
      if (n === 0) break;
    }
    closeSync(fd);
    const out: Measure = { wallMs, cpuMs: cpu, peakRss: process.resourceUsage().maxRSS * 1024, heapUsed: 0, results: String(parsed) };
    process.stdout.write(JSON.stringify(out));
    return;
  }
  const t = performance.now();
  const c = cpuMs();
  let results;
  if (mode === "stream") results = await checkHistoryFile(path, config);
  else {
    // The checks alone, on a history already in memory (as the harness has it after a run).
    const history = await readHistoryFile(path);
    const gcs: Array<{ start: number; kind: number }> = [];
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcs.push({ start: e.startTime, kind: (e as unknown as { detail: { kind: number } }).detail.kind });
    });
    observer.observe({ entryTypes: ["gc"] });
    const t2 = performance.now();
    const c2 = cpuMs();
    const f2 = process.resourceUsage().minorPageFault;
    results = check(history, config);
    const wallMs = performance.now() - t2;
    const cpu = cpuMs() - c2;
    const faults = process.resourceUsage().minorPageFault - f2;
    // GC entries are delivered asynchronously.
    await new Promise((resolve) => setTimeout(resolve, 50));
    observer.disconnect();
    const during = gcs.filter((g) => g.start >= t2 && g.start <= t2 + wallMs);
    // The same again in two parts: building the indexes, then the anomaly checks on them; after a
    // full GC, so derive()'s ArrayBuffers can be counted.
    setFlagsFromString("--expose-gc");
    (runInNewContext("gc") as () => void)();
    // The phase marks (a group's members and commits among them), noted untimed.
    const marks = noPhaseMarks();
    for (const op of history) notePhase(marks, op);
    const a3 = await settledArrayBuffers();
    const t3 = performance.now();
    const d = derive(history, deriveOptions(config, marks));
    const t4 = performance.now();
    const deriveArrayBuffers = process.memoryUsage().arrayBuffers - a3;
    checkDerived(d, config, {}, marks);
    const out: Measure = {
      wallMs,
      cpuMs: cpu,
      faults,
      fullGcs: during.filter((g) => g.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR).length,
      youngGcs: during.filter((g) => g.kind === perfConstants.NODE_PERFORMANCE_GC_MINOR).length,
      deriveArrayBuffers,
      deriveMs: t4 - t3,
      detectMs: performance.now() - t4,
      peakRss: process.resourceUsage().maxRSS * 1024,
      heapUsed: process.memoryUsage().heapUsed,
      results: JSON.stringify(results),
    };
    process.stdout.write(JSON.stringify(out));
    return;
  }
  const out: Measure = {
    wallMs: performance.now() - t,
    cpuMs: cpuMs() - c,
    peakRss: process.resourceUsage().maxRSS * 1024,
    heapUsed: process.memoryUsage().heapUsed,
    results: JSON.stringify(results),
  };
  process.stdout.write(JSON.stringify(out));
}

export async function benchCheckers(sizes: number[] = [10_000, 100_000, 1_000_000]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "kh-bench-checkers-"));
  try {
    console.log("checkers: generated histories (JSON Lines), each measurement in a fresh process");
    console.log("(small sizes measure mostly the JIT warming up in that fresh process; the ratio target is for 1M ops)");
    for (const n of sizes) {
      const path = join(dir, `history-${n}.jsonl`);
      const ops = generateHistory(path, n);

      // The baseline, plain JSON.parse of the same lines already in memory, runs in a fresh process
      // as the checks do (in this one, after generating the history, it runs up to 1.6x slower).
      const { parse, whole, mem, ratio, ratios } = await measureRounds(path);
      const parseMs = parse.wallMs;
      const parsed = Number(parse.results);
      const valid = (JSON.parse(whole.results) as { valid: unknown }).valid;
      const same = whole.results === mem.results;
      console.log(
        [
          `${ops.toLocaleString("en-US")} ops (${parsed.toLocaleString("en-US")} lines): valid=${String(valid)}${same ? "" : " (MISMATCH between the streamed and in-memory check!)"}`,
          `  whole check (read+parse+check, streamed): ${whole.wallMs.toFixed(0)} ms (${whole.wallRange.slice(2)}; median CPU ${whole.cpuMedian.toFixed(0)} ms) = ${rate(ops, whole.wallMs)}`,
          `  JSON.parse of the same lines: ${parseMs.toFixed(0)} ms (${parse.wallRange.slice(2)}; median CPU ${parse.cpuMedian.toFixed(0)} ms); whole check / JSON.parse = ${ratio.toFixed(2)}x (median of the rounds' ${ratios.map((r) => r.toFixed(2)).join(", ")}; of the median CPU times ${(whole.cpuMedian / parse.cpuMedian).toFixed(2)}x)`,
          `  check() of the history in memory: ${mem.wallMs.toFixed(0)} ms (median CPU ${mem.cpuMedian.toFixed(0)} ms = ${rate(ops, mem.cpuMedian)}, ${mem.faults!.toLocaleString("en-US")} page faults${mem.wallRange}) = ${rate(ops, mem.wallMs)}; of which building the indexes ${mem.deriveMs!.toFixed(0)} ms, the anomaly checks ${mem.detectMs!.toFixed(0)} ms = ${rate(ops, mem.detectMs!)}`,
          `  during check(): ${mem.fullGcs} full and ${mem.youngGcs} young GCs; derive() allocates ${mb(mem.deriveArrayBuffers!)} of ArrayBuffers (V8 starts a full GC at 64 MB)`,
          `  peak RSS: ${mb(whole.peakRss)} streamed (heap ${mb(whole.heapUsed)} at the end), ${mb(mem.peakRss)} with the history in memory (heap ${mb(mem.heapUsed)})`,
        ].join("\n"),
      );
      if (n === TARGET_OPS) {
        const inMemory = (ops / mem.wallMs) * 1000;
        console.log(
          `  targets: check() in memory ${rate(ops, mem.wallMs)} against ${TARGET_OPS_PER_S.toLocaleString("en-US")} ops/s: ${inMemory >= TARGET_OPS_PER_S ? "met" : "NOT met"}; whole check ${ratio.toFixed(2)}x JSON.parse against ${TARGET_RATIO}x: ${ratio <= TARGET_RATIO ? "met" : "NOT met"} (medians above)`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The consumer-group history's sizes: the group checker's cost shows beside the queue's at each. */
const GROUP_SIZES = [100_000, 1_000_000];

/**
 * A consumer-group history (bench/group-history.ts) beside the queue history of the same size, in
 * the same run: RUNS rounds, each checking both from the file and in memory, one fresh process per
 * measurement, alternating, so both see the same load. The group history must be judged valid with
 * no group anomaly (else exit 1: a rejected history would measure the path that reports, not the one
 * that passes).
 */
export async function benchGroupCheckers(sizes: number[] = GROUP_SIZES): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "kh-bench-groups-"));
  try {
    console.log(
      `checkers, consumer groups: a group history (6 members, rebalances, crashes, commits after processing) beside the queue history of the same size, ${RUNS} alternating rounds`,
    );
    for (const n of sizes) {
      const queuePath = join(dir, `queue-${n}.jsonl`);
      const groupPath = join(dir, `group-${n}.jsonl`);
      const queueOps = generateHistory(queuePath, n);
      const groupOps = generateGroupHistory(groupPath, n);
      const first = await measureInChild("stream", groupPath, GROUP_CHECK_CONFIG);
      const results = JSON.parse(first.results) as Results;
      const problem = groupHistoryProblem(results);
      if (problem !== undefined) {
        console.error(`bench: the generated group history of ${groupOps} ops is ${problem}; its figures would measure the wrong path`);
        process.exit(1);
      }
      const q = { stream: [] as Measure[], mem: [] as Measure[] };
      const g = { stream: [] as Measure[], mem: [] as Measure[] };
      for (let i = 0; i < RUNS; i++) {
        q.stream.push(await measureInChild("stream", queuePath));
        g.stream.push(await measureInChild("stream", groupPath, GROUP_CHECK_CONFIG));
        q.mem.push(await measureInChild("memory", queuePath));
        g.mem.push(await measureInChild("memory", groupPath, GROUP_CHECK_CONFIG));
      }
      if (g.mem[0]!.results !== first.results) console.log("  (MISMATCH between the streamed and in-memory check of the group history!)");
      const [qs, gs, qm, gm] = [median(q.stream), median(g.stream), median(q.mem), median(g.mem)];
      const ratio = (a: Measure[], b: Measure[]) => {
        const rs = a.map((m, i) => m.wallMs / b[i]!.wallMs).sort((x, y) => x - y);
        return `${rs[Math.floor(rs.length / 2)]!.toFixed(2)}x (median of the rounds' ${rs.map((r) => r.toFixed(2)).join(", ")})`;
      };
      const ex = results.exercised!.group!;
      console.log(
        [
          `${n.toLocaleString("en-US")} ops: group ${groupOps.toLocaleString("en-US")} ops (${ex.members} members, ${ex.assignments} assignments, ${ex.handoffs} handoffs, commits ${ex.commits.ok} ok / ${ex.commits.fail} failed / ${ex.commits.unknown} unknown, ${ex.crashes} crashes, ${ex.leaves} leaves; valid, anomalies: ${results.anomalyTypes.join(", ") || "none"}), queue ${queueOps.toLocaleString("en-US")} ops`,
          `  whole check (read+parse+check, streamed): group ${gs.wallMs.toFixed(0)} ms = ${rate(groupOps, gs.wallMs)} (CPU ${gs.cpuMedian.toFixed(0)} ms${gs.wallRange}); queue ${qs.wallMs.toFixed(0)} ms = ${rate(queueOps, qs.wallMs)} (CPU ${qs.cpuMedian.toFixed(0)} ms${qs.wallRange}); group / queue ${ratio(g.stream, q.stream)}`,
          `  check() in memory: group ${gm.wallMs.toFixed(0)} ms = ${rate(groupOps, gm.wallMs)} (indexes ${gm.deriveMs!.toFixed(0)} ms, checks ${gm.detectMs!.toFixed(0)} ms${gm.wallRange}); queue ${qm.wallMs.toFixed(0)} ms = ${rate(queueOps, qm.wallMs)} (indexes ${qm.deriveMs!.toFixed(0)} ms, checks ${qm.detectMs!.toFixed(0)} ms${qm.wallRange}); group / queue ${ratio(g.mem, q.mem)}`,
          `  peak RSS streamed: group ${mb(gs.peakRss)}, queue ${mb(qs.peakRss)} (${(gs.peakRss / qs.peakRss).toFixed(2)}x); with the history in memory: group ${mb(gm.peakRss)}, queue ${mb(qm.peakRss)} (${(gm.peakRss / qm.peakRss).toFixed(2)}x)`,
        ].join("\n"),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The size of the large case (`npm run bench -- checker-10m`): checked streamed from its file. */
const LARGE_OPS = 10_000_000;

/**
 * A 10M-op history (about 1.4 GB of JSON Lines, generated into a temp file as it is written) checked
 * from its file in a fresh process, once: time and peak memory, beside JSON.parse of the same lines
 * (in batches: the file is larger than one string may be). About 3 minutes on 2 cores.
 */
export async function benchCheckerLarge(n = LARGE_OPS): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "kh-bench-checkers-"));
  try {
    const path = join(dir, `history-${n}.jsonl`);
    const g0 = performance.now();
    const ops = generateHistory(path, n);
    console.log(
      `checkers, large: ${ops.toLocaleString("en-US")} ops generated (${mb(statSync(path).size)} of JSON Lines) in ${((performance.now() - g0) / 1000).toFixed(0)} s`,
    );
    const whole = await measureInChild("stream", path);
    const parse = await measureInChild("parse-batches", path);
    const valid = (JSON.parse(whole.results) as { valid: unknown }).valid;
    console.log(
      [
        `  whole check (read+parse+check, streamed): ${(whole.wallMs / 1000).toFixed(1)} s (${(whole.cpuMs / 1000).toFixed(1)} s CPU) = ${rate(ops, whole.wallMs)}, valid=${String(valid)}`,
        `  peak RSS ${mb(whole.peakRss)} (heap ${mb(whole.heapUsed)} at the end)`,
        `  JSON.parse of the same lines: ${(parse.wallMs / 1000).toFixed(1)} s (${(parse.cpuMs / 1000).toFixed(1)} s CPU); whole check / JSON.parse = ${(whole.wallMs / parse.wallMs).toFixed(2)}x, of the CPU times ${(whole.cpuMs / parse.cpuMs).toFixed(2)}x (one run each)`,
      ].join("\n"),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  if (process.argv[2] === CHILD_FLAG)
    await childMain(process.argv[3]!, process.argv[4]!, JSON.parse(process.argv[5] ?? "{}") as CheckConfig);
  else {
    // `bench/checkers.ts [group] [sizes...]`: the queue histories, or the group histories beside them.
    const sizes = process.argv
      .slice(2)
      .map(Number)
      .filter((x) => x > 0);
    if (process.argv[2] === "group") await benchGroupCheckers(sizes.length > 0 ? sizes : undefined);
    else await benchCheckers(sizes.length > 0 ? sizes : undefined);
  }
}
