// stop: SIGTERM and wait for the clean shutdown (a broker does a controlled shutdown: it hands its
// leaderships over before it exits); SIGKILL only if it has not exited after the timeout.
// Undo: start (faults/kill.ts startNodes).
import type { Stoppable } from "../capabilities.ts";

export async function stopNodes(nodes: readonly Stoppable[], timeoutSeconds: number): Promise<void> {
  await Promise.all(nodes.map((n) => n.stop(timeoutSeconds)));
}
