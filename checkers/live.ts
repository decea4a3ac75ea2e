// What the live view shows of a running run, folded from its history as it grows (pure): the
// phase (from the harness's phase markers, phases.ts), the workload's time against its limit,
// the faults in force (nemesis ops applied and not yet undone, faults.ts), the client ops so far
// with their recent rate, and the anomalies the live check finds (incremental.ts).
import { hasUndo } from "./fault-names.ts";
import { faultIntervals } from "./faults.ts";
import type { Op } from "./history.ts";
import { foldOps, type IncrementalState, incrementalState, type LiveAnomalies, liveAnomalies } from "./incremental.ts";
import { HARNESS_PROCESS } from "./phases.ts";

export type LivePhase = "setup" | "workload" | "heal" | "final-reads" | "checking";

export interface LiveState {
  lines: number;
  /** ns (history time) of the last op. */
  lastTime: number;
  phase: LivePhase;
  workloadFrom?: number;
  workloadTo?: number;
  timeLimitSeconds?: number;
  /** Client op completions (send, poll, txn, assign, subscribe) by type. */
  clientOps: { ok: number; fail: number; info: number };
  /** Client completions per second of history time, for the recent rate. */
  perSecond: Map<number, number>;
  nemesis: Op[];
  anomalies: IncrementalState;
}

const CLIENT_FS = new Set(["send", "poll", "txn", "assign", "subscribe"]);
/** Seconds of history the rate is taken over. */
const RATE_WINDOW = 5;

export function liveState(config: { transactional?: boolean } = {}): LiveState {
  return {
    lines: 0,
    lastTime: 0,
    phase: "setup",
    clientOps: { ok: 0, fail: 0, info: 0 },
    perSecond: new Map(),
    nemesis: [],
    anomalies: incrementalState(config),
  };
}

/** Folds appended ops into the state (mutated in place and returned). */
export function foldLive(s: LiveState, ops: readonly Op[]): LiveState {
  for (const op of ops) {
    s.lines++;
    if (typeof op.time === "number") s.lastTime = Math.max(s.lastTime, op.time);
    if (op.process === "nemesis") s.nemesis.push(op);
    else if (op.process === HARNESS_PROCESS) notePhase(s, op);
    else if (CLIENT_FS.has(op.f) && op.type !== "invoke") {
      s.clientOps[op.type]++;
      const sec = Math.floor(op.time / 1e9);
      s.perSecond.set(sec, (s.perSecond.get(sec) ?? 0) + 1);
      for (const k of s.perSecond.keys()) if (k < sec - RATE_WINDOW - 1) s.perSecond.delete(k);
    }
  }
  foldOps(s.anomalies, ops);
  return s;
}

function notePhase(s: LiveState, op: Op): void {
  if (op.f === "workload") {
    if (op.type === "invoke") {
      s.phase = "workload";
      s.workloadFrom = op.time;
      const limit = (op.value as { timeLimitSeconds?: unknown } | undefined)?.timeLimitSeconds;
      if (typeof limit === "number") s.timeLimitSeconds = limit;
    } else {
      s.phase = "heal";
      s.workloadTo = op.time;
    }
  } else if (op.f === "final-reads") s.phase = op.type === "invoke" ? "final-reads" : "checking";
}

export interface FaultInForce {
  f: string;
  targets: string[];
  /** A partition's topology and sides ("halves: kafka2 zk1 zk3 | kafka1 kafka3 zk2"). */
  detail?: string;
  /** Seconds from the workload's start (from the history's start before it). */
  since: number;
  /** History index of the fault's invocation. */
  index: number;
}

/** The state as the page shows it: plain JSON. */
export interface LiveSummary {
  lines: number;
  phase: LivePhase;
  /** Seconds the workload has run (so far, or in all once it ended), and its limit. */
  workloadSeconds?: number;
  timeLimitSeconds?: number;
  clientOps: { ok: number; fail: number; info: number; total: number };
  /** Client ops completed per second over the last few seconds of history. */
  rate: number;
  faultsInForce: FaultInForce[];
  /** Faults applied (ok) so far, and refused. */
  faultsApplied: number;
  faultsRefused: number;
  anomalies: LiveAnomalies;
}

export function liveSummary(s: LiveState, exampleCap = 5): LiveSummary {
  const origin = s.workloadFrom ?? 0;
  const { faults } = faultIntervals(s.nemesis);
  const inForce = faults.filter((f) => f.type !== "fail" && hasUndo(f.f) && f.end === undefined);
  const last = Math.floor(s.lastTime / 1e9);
  // Whole seconds before the last one (which is still filling).
  let recent = 0;
  let seconds = 0;
  for (let sec = last - RATE_WINDOW; sec < last; sec++) {
    if (sec < Math.floor(origin / 1e9)) continue;
    recent += s.perSecond.get(sec) ?? 0;
    seconds++;
  }
  const { ok, fail, info } = s.clientOps;
  return {
    lines: s.lines,
    phase: s.phase,
    ...(s.workloadFrom !== undefined ? { workloadSeconds: round1(((s.workloadTo ?? s.lastTime) - s.workloadFrom) / 1e9) } : {}),
    ...(s.timeLimitSeconds !== undefined ? { timeLimitSeconds: s.timeLimitSeconds } : {}),
    clientOps: { ok, fail, info, total: ok + fail + info },
    rate: seconds ? Math.round(recent / seconds) : 0,
    faultsInForce: inForce.map((f) => {
      const detail = partitionSides(f.value);
      return { f: f.f, targets: f.targets, ...(detail ? { detail } : {}), since: round1((f.start - origin) / 1e9), index: f.index };
    }),
    faultsApplied: faults.filter((f) => f.type === "ok").length,
    faultsRefused: faults.filter((f) => f.type === "fail").length,
    anomalies: liveAnomalies(s.anomalies, exampleCap),
  };
}

/** A partition's sides: nodes that drop the same nodes are on one side. */
function partitionSides(value: unknown): string | undefined {
  const v = value as { topology?: unknown; grudge?: Record<string, unknown> } | null;
  if (!v?.grudge || typeof v.grudge !== "object") return undefined;
  const sides = new Map<string, string[]>();
  for (const [node, drops] of Object.entries(v.grudge)) {
    const key = Array.isArray(drops) ? drops.map(String).sort().join(" ") : "";
    sides.set(key, [...(sides.get(key) ?? []), node]);
  }
  const text = [...sides.values()].map((nodes) => nodes.sort().join(" ")).join(" | ");
  return typeof v.topology === "string" ? `${v.topology}: ${text}` : text;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
