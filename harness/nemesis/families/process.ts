// Process faults on the target nodes, both undone by start (one node at a time, in the order of
// their old addresses, after ZooKeeper dropped the old sessions; faults/kill.ts):
// - kill: SIGKILL the JVM (PID 1 of its container): no shutdown hooks; the container's unflushed
//   page cache survives (the kernel owns it). Its data is kept for the start.
// - stop: SIGTERM and wait for the clean shutdown (a broker does a controlled shutdown: it hands its
//   leaderships over before it exits); SIGKILL only if it has not exited after the timeout.
import { UNDO_OF } from "../../../checkers/fault-names.ts";
import { BROKER_TARGETS } from "../../spec/faults.ts";
import type { Stoppable } from "../capabilities.ts";
import type { FaultState } from "../fault-state.ts";
import { killNodes } from "../faults/kill.ts";
import type { Action, FaultFamily, TargetedSpec } from "./family.ts";
import { nodeFault, restoreNodes, startDown, targetDomains } from "./node-faults.ts";

export type ProcessSpec = TargetedSpec<"kill" | "stop" | "start">;
type Down = TargetedSpec<"kill" | "stop">;

const stopNodes = (nodes: readonly Stoppable[], timeoutSeconds: number) =>
  Promise.all(nodes.map((n) => n.stop(timeoutSeconds))).then(() => undefined);

/**
 * A partitioned node may be killed or stopped (the 2013 scenario kills a leader that is cut off):
 * its rules live in its network namespace, which Docker recreates when the container starts again,
 * and heal skips nodes that are down.
 */
const conflict = (state: FaultState, nodes: readonly string[]) => state.busy(nodes, { partitionedToo: false });

const down: Action<Down> = (spec, ctx) =>
  nodeFault(spec, ctx, {
    // Random targets skip nodes under a process fault only: a partitioned one may go down too.
    busy: new Set([...ctx.state.faulted()].filter((n) => ctx.state.processFaultOf(n))),
    conflict: (nodes) => conflict(ctx.state, nodes),
    undo: UNDO_OF[spec.fault],
    act: (nodes) => (spec.fault === "kill" ? killNodes(nodes) : stopNodes(nodes, ctx.settings.stopTimeoutSeconds)),
  });

export const processFamily: FaultFamily<ProcessSpec> = {
  name: "process",
  kinds: ["kill", "stop"],
  inForce: (state) => state.processFaults().flatMap(([n, f]) => (f === "pause" ? [] : [`${n} ${f}`])),
  arbitraries({ kinds, target }) {
    const anyTarget = target(BROKER_TARGETS);
    if (!anyTarget) return [];
    return (["kill", "stop"] as const).filter((f) => kinds.has(f)).map((f) => anyTarget.map((targets) => ({ fault: f, targets })));
  },
  faults: ["kill", "stop", "start"],
  domains: (spec) => targetDomains(spec.targets),
  conflict,
  act: {
    kill: down,
    stop: down,
    start: (spec, ctx) => restoreNodes(spec, ctx, (nodes, states) => startDown(ctx, nodes, states)),
  },
};
