// Pause: freeze every process of the target containers (cgroup freezer), undone by resume. The JVM
// does not notice; its sockets stay open and its peers see silence, so ZooKeeper expires its
// session only after the session timeout and followers drop out of the ISR after
// replica.lag.time.max.ms.
import { UNDO_OF } from "../../../checkers/fault-names.ts";
import { BROKER_TARGETS } from "../../spec/faults.ts";
import type { Pausable } from "../capabilities.ts";
import type { FaultState } from "../fault-state.ts";
import type { FaultFamily, TargetedSpec } from "./family.ts";
import { nodeFault, restoreNodes, targetDomains } from "./node-faults.ts";

export type PauseSpec = TargetedSpec<"pause" | "resume">;

const pauseNodes = (nodes: readonly Pausable[]) => Promise.all(nodes.map((n) => n.pause())).then(() => undefined);
const resumeNodes = (nodes: readonly Pausable[]) => Promise.all(nodes.map((n) => n.unpause())).then(() => undefined);

/** Pausing a partitioned node would leave rules that outlive the heal (heal skips paused nodes). */
const conflict = (state: FaultState, nodes: readonly string[]) => state.busy(nodes, { partitionedToo: true });

export const pauseFamily: FaultFamily<PauseSpec> = {
  name: "pause",
  kinds: ["pause"],
  inForce: (state) => state.processFaults().flatMap(([n, f]) => (f === "pause" ? [`${n} paused`] : [])),
  arbitraries({ kinds, target }) {
    const anyTarget = target(BROKER_TARGETS);
    return kinds.has("pause") && anyTarget ? [anyTarget.map((targets) => ({ fault: "pause" as const, targets }))] : [];
  },
  faults: ["pause", "resume"],
  domains: (spec) => targetDomains(spec.targets),
  conflict,
  act: {
    pause: (spec, ctx) =>
      nodeFault(spec, ctx, {
        busy: ctx.state.faulted(),
        conflict: (nodes) => conflict(ctx.state, nodes),
        undo: UNDO_OF.pause,
        act: pauseNodes,
      }),
    // Only nodes that are paused: an unpaused one needs no resume.
    resume: (spec, ctx) =>
      restoreNodes(spec, ctx, async (nodes, states) => (await resumeNodes(nodes.filter((_, i) => states[i] === "paused")), {})),
  },
};
