// bounce: a rolling restart, the operation every Kafka operator does and the one that should never
// lose anything. One broker at a time: SIGTERM (controlled shutdown), start, and wait until it is
// back (registered and every partition's ISR whole) before touching the next one. No undo.
import type { Stoppable } from "../capabilities.ts";

export interface BounceStep {
  node: string;
  /** From SIGTERM until the container exited. */
  stopMs: number;
  /** From start until the broker was registered and every ISR was whole again. */
  backMs: number;
}

export async function rollingRestart(
  brokers: readonly Stoppable[],
  o: { stopTimeoutSeconds: number; waitBack: (node: Stoppable) => Promise<void> },
): Promise<BounceStep[]> {
  const steps: BounceStep[] = [];
  for (const b of brokers) {
    const t0 = performance.now();
    await b.stop(o.stopTimeoutSeconds);
    const t1 = performance.now();
    await b.start();
    await o.waitBack(b);
    steps.push({ node: b.name, stopMs: Math.round(t1 - t0), backMs: Math.round(performance.now() - t1) });
  }
  return steps;
}
