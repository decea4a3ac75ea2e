// Clock: containers share the host's kernel clock, so a node's wall clock moves in its JVM only,
// through libfaketime (preloaded by the entrypoint when cluster.fakeClock; faults/clock.ts rewrites
// its control file). The monotonic clock stays the host's: a step as NTP makes, not a faster clock.
// - clock-bump: the targets' clocks jump by deltaMs (forward or back) and stay there;
// - clock-strobe: they flip between +deltaMs and the host's time every periodMs, from a timer in the
//   nemesis, until undone (reset-clock, heal-all, or the nemesis closing);
// - reset-clock: the host's time again (stops a strobe first).
// The control file survives a restart (a killed node comes back with its wrong clock). Refused on
// an attached cluster, on nodes that are down or paused, on a node whose clock is already moved,
// and on a node whose JVM runs without libfaketime (the reason says which).
import fc from "fast-check";
import { UNDO_OF } from "../../../checkers/fault-names.ts";
import { type ClockFault, clockParamProblems } from "../../spec/clock.ts";
import { BROKER_TARGETS } from "../../spec/faults.ts";
import { messageOf } from "../../util/errors.ts";
import type { FaultableNode } from "../capabilities.ts";
import type { NemesisContext } from "../context.ts";
import type { FaultState } from "../fault-state.ts";
import { type ClockReading, offsetText, visitClock } from "../faults/clock.ts";
import { describeTargets, type Resolved } from "../targets.ts";
import type { FaultResult, FaultSpec, ScheduledSpec, TargetSpec } from "../types.ts";
import type { FamilyHeal, FaultFamily } from "./family.ts";
import { measuredAttempt, targetDomains, undoTargets } from "./node-faults.ts";

export type ClockSpec =
  | { fault: "clock-bump"; targets: TargetSpec; deltaMs: number }
  | { fault: "clock-strobe"; targets: TargetSpec; deltaMs: number; periodMs: number }
  | { fault: "reset-clock"; targets: TargetSpec };

/** Generated jumps: a second to an hour, either way. */
export const CLOCK_DELTAS_MS = [1000, 10_000, 60_000, 600_000, 3_600_000] as const;
export const STROBE_PERIODS_MS = [1000, 2000, 5000] as const;

/** A strobe's timer and what it did, shared by the nodes it flips. */
interface Strobe {
  timer: ReturnType<typeof setInterval>;
  /** The write in flight: the next flip, and the stop, wait for it. */
  chain: Promise<void>;
  flips: number;
  failed: string[];
  on: boolean;
}

/** What one nemesis has moved: node → its fault; the strobes by node. */
interface Book {
  moved: Map<string, { fault: ClockFault; deltaMs: number }>;
  strobes: Map<string, Strobe>;
}

// Keyed by the nemesis's fault state: one book per nemesis, gone with it.
const books = new WeakMap<FaultState, Book>();
const bookOf = (state: FaultState): Book => {
  let b = books.get(state);
  if (!b) books.set(state, (b = { moved: new Map(), strobes: new Map() }));
  return b;
};

/** The clocks this nemesis has moved, for the run's progress lines: "kafka1 clock-bump +3600000 ms". */
export const clocksInForce = (state: FaultState): string[] =>
  [...bookOf(state).moved].map(([n, m]) => `${n} ${m.fault} ${m.deltaMs > 0 ? "+" : ""}${m.deltaMs} ms`);

/** Stops the strobes on these nodes (all: every one) and waits for their last write. */
async function stopStrobes(book: Book, nodes?: readonly string[]): Promise<Strobe[]> {
  const stopped = new Set<Strobe>();
  for (const [n, s] of book.strobes) {
    if (nodes && !nodes.includes(n)) continue;
    clearInterval(s.timer);
    stopped.add(s);
    book.strobes.delete(n);
  }
  await Promise.all([...stopped].map((s) => s.chain));
  return [...stopped];
}

/** Node is down or paused (no exec there), or its clock is moved already. */
function conflict(state: FaultState, nodes: readonly string[]): string | undefined {
  const busy = state.busy(nodes, { partitionedToo: false });
  if (busy) return busy;
  const moved = bookOf(state).moved;
  const again = nodes.filter((n) => moved.has(n));
  return again.length
    ? again.map((n) => `${n}'s clock is already moved (${moved.get(n)!.fault} ${moved.get(n)!.deltaMs} ms): reset-clock first`).join("; ")
    : undefined;
}

const offsets = (nodes: readonly string[], readings: readonly ClockReading[]) =>
  Object.fromEntries(nodes.map((n, i) => [n, (readings[i] as { offsetMs?: number }).offsetMs]));

async function move(spec: Extract<ClockSpec, { fault: ClockFault }>, ctx: NemesisContext): Promise<FaultResult> {
  const book = bookOf(ctx.state);
  const bad = clockParamProblems(spec);
  if (bad.length)
    return ctx.refuse(
      spec.fault,
      { targets: [], selector: spec.targets.kind },
      bad.map((p) => `${p.path.join(".")} ${p.message}`).join("; "),
    );
  if (ctx.cluster.networkFaults === false)
    return ctx.refuse(
      spec.fault,
      { targets: [], selector: spec.targets.kind },
      "an attached cluster's nodes are not the harness's: it cannot fake their clocks",
    );
  let r: Resolved;
  try {
    r = await ctx.resolve(spec.targets, new Set([...ctx.state.faulted(), ...book.moved.keys()]));
  } catch (err) {
    return ctx.refuse(spec.fault, { targets: [], selector: spec.targets.kind }, messageOf(err));
  }
  const value = {
    ...describeTargets(spec.targets, r),
    deltaMs: spec.deltaMs,
    ...(spec.fault === "clock-strobe" ? { periodMs: spec.periodMs } : {}),
  };
  const clash = conflict(ctx.state, r.nodes);
  if (clash) return ctx.refuse(spec.fault, value, clash);
  const nodes = r.nodes.map(ctx.byName);
  // Ask each JVM whether it runs under libfaketime before anything is moved.
  let asked: ClockReading[];
  try {
    asked = await Promise.all(nodes.map((n) => visitClock(n)));
  } catch (err) {
    return ctx.refuse(spec.fault, value, messageOf(err));
  }
  const unfaked = asked.flatMap((a) => (a.faked ? [] : [a.reason]));
  if (unfaked.length) return ctx.refuse(spec.fault, value, unfaked.join("; "));
  ctx.watch.interrupted();
  return measuredAttempt(ctx, spec.fault, r.nodes, value, UNDO_OF[spec.fault], async () => {
    // Before acting: heal-all must know even if a write fails midway.
    for (const n of r.nodes) book.moved.set(n, { fault: spec.fault, deltaMs: spec.deltaMs });
    const readings = await Promise.all(nodes.map((n) => visitClock(n, offsetText(spec.deltaMs))));
    if (spec.fault === "clock-strobe") startStrobe(book, nodes, spec.deltaMs, spec.periodMs);
    return { offsetMs: offsets(r.nodes, readings) };
  });
}

/** Flips the nodes' offsets between deltaMs (on now) and 0 every periodMs, one write at a time. */
function startStrobe(book: Book, nodes: readonly FaultableNode[], deltaMs: number, periodMs: number): void {
  const s: Strobe = { timer: undefined as never, chain: Promise.resolve(), flips: 0, failed: [], on: true };
  s.timer = setInterval(() => {
    s.chain = s.chain.then(async () => {
      s.on = !s.on;
      const text = offsetText(s.on ? deltaMs : 0);
      const done = await Promise.allSettled(nodes.map((n) => visitClock(n, text)));
      s.flips++;
      for (const [i, d] of done.entries()) if (d.status === "rejected") s.failed.push(`${nodes[i]!.name}: ${messageOf(d.reason)}`);
    });
  }, periodMs);
  s.timer.unref?.();
  for (const n of nodes) book.strobes.set(n.name, s);
}

async function reset(spec: Extract<ClockSpec, { fault: "reset-clock" }>, ctx: NemesisContext): Promise<FaultResult> {
  const book = bookOf(ctx.state);
  const r = await undoTargets(spec, ctx);
  if ("type" in r) return r;
  ctx.watch.undone({ nodes: r.nodes });
  const result = await ctx.attempt(spec.fault, describeTargets(spec.targets, r), async () => {
    const strobes = await stopStrobes(book, r.nodes);
    const readings = await Promise.all(r.nodes.map((n) => visitClock(ctx.byName(n), offsetText(0))));
    for (const n of r.nodes) book.moved.delete(n);
    const flips = strobes.reduce((a, s) => a + s.flips, 0);
    const failed = strobes.flatMap((s) => s.failed);
    return {
      offsetMs: offsets(r.nodes, readings),
      ...(strobes.length ? { flips, ...(failed.length ? { failedFlips: failed.slice(0, 10) } : {}) } : {}),
    };
  });
  ctx.watch.recovery(result, r.nodes);
  return result;
}

/** Heal-all's part: stops every strobe, then asks every node and resets each clock not at "+0". */
async function heal(ctx: NemesisContext): Promise<FamilyHeal> {
  const book = bookOf(ctx.state);
  await stopStrobes(book);
  book.moved.clear();
  // Only a cluster started with libfaketime can have a moved clock; an attached one is not ours.
  if (ctx.cluster.networkFaults === false || !ctx.cluster.spec?.fakeClock) return { healed: [], problems: [] };
  const visits = await Promise.allSettled(
    ctx.all.map(async (n) => {
      const now = await visitClock(n);
      if (!now.faked || now.was === "+0") return false;
      await visitClock(n, offsetText(0));
      return true;
    }),
  );
  const healed: string[] = [];
  const problems: string[] = [];
  for (const [i, v] of visits.entries()) {
    const name = ctx.all[i]!.name;
    if (v.status === "rejected") problems.push(`${name}'s clock: ${messageOf(v.reason)}`);
    else if (v.value) healed.push(name);
  }
  return { healed, problems };
}

export const clockFamily: FaultFamily<ClockSpec> = {
  inForce: clocksInForce,
  name: "clock",
  kinds: ["clock-bump", "clock-strobe"],
  arbitraries({ o, kinds, target }) {
    const brokers = target(BROKER_TARGETS);
    // ZooKeeper's nodes too in ZooKeeper mode (KRaft's controllers come with the broker targets).
    const zk = fc.constantFrom<TargetSpec>({ kind: "zk-random" }, { kind: "zk-leader" });
    const targets = o.metadata === "zookeeper" ? (brokers ? fc.oneof(brokers, zk) : zk) : brokers;
    if (!targets) return [];
    const delta = fc.tuple(fc.constantFrom(...CLOCK_DELTAS_MS), fc.boolean()).map(([d, back]) => (back ? -d : d));
    const out: fc.Arbitrary<ScheduledSpec>[] = [];
    if (kinds.has("clock-bump"))
      out.push(fc.tuple(targets, delta).map(([t, deltaMs]): ScheduledSpec => ({ fault: "clock-bump", targets: t, deltaMs })));
    if (kinds.has("clock-strobe"))
      out.push(
        fc
          .tuple(targets, delta, fc.constantFrom(...STROBE_PERIODS_MS))
          .map(([t, deltaMs, periodMs]): ScheduledSpec => ({ fault: "clock-strobe", targets: t, deltaMs, periodMs })),
      );
    return out;
  },
  faults: ["clock-bump", "clock-strobe", "reset-clock"],
  domains: (spec) => targetDomains(spec.targets),
  conflict,
  heal,
  async close(ctx) {
    await stopStrobes(bookOf(ctx.state));
  },
  act: {
    "clock-bump": move,
    "clock-strobe": move,
    "reset-clock": reset,
  },
};
