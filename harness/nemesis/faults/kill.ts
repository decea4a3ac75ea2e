// kill: SIGKILL the JVM (it is PID 1 of its container), no shutdown hooks, unflushed page cache of
// the container survives (the kernel owns it). Undo: start the same container; its data is kept.
import type { Killable } from "../capabilities.ts";

export async function killNodes(nodes: readonly Killable[]): Promise<void> {
  await Promise.all(nodes.map((n) => n.kill()));
}

export async function startNodes(nodes: readonly Killable[]): Promise<void> {
  await Promise.all(nodes.map((n) => n.start()));
}
