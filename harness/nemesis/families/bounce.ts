// Bounce: a rolling restart, the operation every Kafka operator does and the one that should never
// lose anything. One node at a time: SIGTERM (controlled shutdown), start, and wait until it is back
// (registered and every partition's ISR whole; a controller: back in the quorum) before touching
// the next one; in KRaft the dedicated controllers too, after the brokers. It ends when it
// completes (no undo), and only with nothing else in force.
import fc from "fast-check";
import { waitBrokerBack, waitControllerBack } from "../broker-sessions.ts";
import type { Stoppable } from "../capabilities.ts";
import type { FaultState } from "../fault-state.ts";
import type { FaultValue } from "../types.ts";
import type { FaultFamily } from "./family.ts";

export type BounceSpec = { fault: "bounce" };

export interface BounceStep {
  node: string;
  /** From SIGTERM until the container exited. */
  stopMs: number;
  /** From start until the node was back. */
  backMs: number;
}

export async function rollingRestart(
  nodes: readonly Stoppable[],
  o: { stopTimeoutSeconds: number; waitBack: (node: Stoppable) => Promise<void> },
): Promise<BounceStep[]> {
  const steps: BounceStep[] = [];
  for (const b of nodes) {
    const t0 = performance.now();
    await b.stop(o.stopTimeoutSeconds);
    const t1 = performance.now();
    await b.start();
    await o.waitBack(b);
    steps.push({ node: b.name, stopMs: Math.round(t1 - t0), backMs: Math.round(performance.now() - t1) });
  }
  return steps;
}

const conflict = (state: FaultState) =>
  state.inForce() ? `faults in force on ${[...new Set([...state.faulted(), ...state.linked()])].join(", ")}` : undefined;

export const bounceFamily: FaultFamily<BounceSpec> = {
  name: "bounce",
  kinds: ["bounce"],
  arbitraries: ({ kinds }) => (kinds.has("bounce") ? [fc.constant<BounceSpec>({ fault: "bounce" })] : []),
  faults: ["bounce"],
  domains: () => ["broker"],
  conflict,
  act: {
    async bounce(_spec, ctx) {
      // KRaft: the dedicated controllers too, after the brokers, one at a time (a quorum of 3 keeps a
      // majority with one voter down; the active controller's turn is a quorum failover).
      const rolled = [...ctx.cluster.brokers, ...ctx.ownControllers];
      const value: FaultValue = { targets: rolled.map((n) => n.name) };
      const clash = conflict(ctx.state);
      if (clash) return ctx.refuse("bounce", value, clash);
      ctx.watch.interrupted();
      return ctx.attempt("bounce", value, async () => {
        // Tracked, so heal-all starts a node that a failed bounce left stopped.
        const startedAt = new Map<string, number>();
        const tracked = rolled.map((n) => ({
          name: n.name,
          role: n.role,
          id: n.id,
          stop: async (t?: number) => {
            ctx.state.setProcess([n.name], "stop");
            await n.stop(t);
          },
          start: async () => {
            startedAt.set(n.name, Date.now());
            await n.start();
            ctx.state.clearProcess([n.name]);
          },
        }));
        const timeoutMs = ctx.settings.bounceTimeoutMs;
        const steps = await rollingRestart(tracked, {
          stopTimeoutSeconds: ctx.settings.stopTimeoutSeconds,
          waitBack: (n) =>
            n.role === "controller"
              ? waitControllerBack(ctx.describeQuorumNow, n, startedAt.get(n.name) ?? 0, timeoutMs)
              : waitBrokerBack(ctx.probe, n, ctx.cluster.brokers.length, timeoutMs),
        });
        return { steps };
      });
    },
  },
};
