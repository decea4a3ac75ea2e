// partition: turn a grudge into iptables DROP rules inside the containers (all nodes at once, so the
// cut takes effect together), and heal by removing our chain everywhere (the network family's
// partition and heal, families/network.ts, and heal-all's). Addresses are read at fault time
// because a restarted container may have a new one.
import type { Partitionable } from "../capabilities.ts";
import type { Grudge } from "../grudge.ts";
import { nodesOf } from "../grudge.ts";
import { detectVariant, dropFrom, flushRules, type IptablesVariant } from "../iptables.ts";

/** Caches the working iptables front-end per node (the image does not change under a container). */
export function variantCache(): (node: Partitionable) => Promise<IptablesVariant> {
  const known = new Map<string, Promise<IptablesVariant>>();
  return (node) => {
    let v = known.get(node.name);
    if (!v) {
      v = detectVariant(node);
      v.catch(() => known.delete(node.name));
      known.set(node.name, v);
    }
    return v;
  };
}

export async function applyGrudge(
  byName: (name: string) => Partitionable,
  grudge: Grudge,
  variantOf: (node: Partitionable) => Promise<IptablesVariant>,
): Promise<void> {
  const addresses = new Map(await Promise.all(nodesOf(grudge).map(async (n) => [n, await byName(n).address()] as const)));
  await Promise.all(
    Object.entries(grudge).map(async ([name, drops]) => {
      const node = byName(name);
      await dropFrom(
        node,
        await variantOf(node),
        drops.map((d) => addresses.get(d)!),
      );
    }),
  );
}

/** Removes our rules from every given node; returns the names of those that had some. */
export async function healPartitions(
  nodes: readonly Partitionable[],
  variantOf: (node: Partitionable) => Promise<IptablesVariant>,
): Promise<string[]> {
  const had = await Promise.all(nodes.map(async (n) => ((await flushRules(n, await variantOf(n))) ? n.name : undefined)));
  return had.filter((n): n is string => n !== undefined);
}
