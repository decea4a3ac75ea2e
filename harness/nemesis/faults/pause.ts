// pause: freeze every process of the container (cgroup freezer). The JVM does not notice; its
// sockets stay open and its peers see silence, so ZooKeeper expires its session only after the
// session timeout and followers drop out of the ISR after replica.lag.time.max.ms. Undo: resume.
import type { Pausable } from "../capabilities.ts";

export async function pauseNodes(nodes: readonly Pausable[]): Promise<void> {
  await Promise.all(nodes.map((n) => n.pause()));
}

export async function resumeNodes(nodes: readonly Pausable[]): Promise<void> {
  await Promise.all(nodes.map((n) => n.unpause()));
}
