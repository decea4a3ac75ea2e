// Killing and starting nodes: the process family's kill and start (families/process.ts), and
// heal-all's starts. A node is started as the same container; its data is kept.
import type { Killable } from "../capabilities.ts";

export async function killNodes(nodes: readonly Killable[]): Promise<void> {
  await Promise.all(nodes.map((n) => n.kill()));
}

/**
 * Starts the nodes one at a time, in the order of the addresses they had. Each node has a fixed
 * address of its own (docs/design.md, Cluster: node addresses), so this order is a second guard:
 * a node that was given no fixed address (a cluster not started by the harness) still gets the
 * lowest free one from Docker, and nodes started together could swap addresses; a node that kept
 * running then talks to the old address (a voter fetching from the wrong controller) and a KRaft
 * quorum never heals.
 */
export async function startNodes<T extends Killable>(
  nodes: readonly T[],
  start: (n: T) => Promise<unknown> = (n) => n.start(),
): Promise<void> {
  for (const n of inAddressOrder(nodes)) await start(n);
}

/** The nodes by the address they had (IPv4, numerically), unknown ones last. */
export function inAddressOrder<T extends Killable>(nodes: readonly T[]): T[] {
  const key = (n: Killable) => {
    const parts = n.lastAddress?.()?.split(".").map(Number);
    return parts?.length === 4 && parts.every((x) => Number.isInteger(x))
      ? parts.reduce((a, x) => a * 256 + x, 0)
      : Number.POSITIVE_INFINITY;
  };
  return [...nodes].sort((a, b) => key(a) - key(b));
}
