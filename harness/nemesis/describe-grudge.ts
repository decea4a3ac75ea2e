// A partition in words (pure), for progress lines: "kafka2 | kafka1 kafka3 zk1 zk2 zk3" when the
// nodes fall into sides that drop each other wholly (isolate, halves, cut-from-…), else each node's
// dropped peers ("kafka1 ↮ kafka2 kafka3; …", rings and bridges).
import type { Grudge } from "./grudge.ts";

export function describeGrudge(g: Grudge): string {
  const nodes = [...new Set([...Object.keys(g), ...Object.values(g).flat()])].sort();
  const drops = (a: string, b: string) => (g[a] ?? []).includes(b) || (g[b] ?? []).includes(a);
  // Sides: nodes joined when neither drops the other.
  const side = new Map<string, number>();
  let sides = 0;
  for (const n of nodes) {
    if (side.has(n)) continue;
    const stack = [n];
    side.set(n, sides);
    while (stack.length) {
      const x = stack.pop()!;
      for (const y of nodes) if (!side.has(y) && !drops(x, y)) side.set(y, sides), stack.push(y);
    }
    sides++;
  }
  const groups = Array.from({ length: sides }, (_, i) => nodes.filter((n) => side.get(n) === i));
  const whole = nodes.every((a) =>
    nodes.every((b) => side.get(a) === side.get(b) || ((g[a] ?? []).includes(b) && (g[b] ?? []).includes(a))),
  );
  // The smaller side first: the node an isolation cut off, the minority of halves.
  if (sides > 1 && whole)
    return groups
      .sort((a, b) => a.length - b.length)
      .map((s) => s.join(" "))
      .join(" | ");
  return Object.keys(g)
    .sort()
    .map((n) => `${n} ↮ ${[...g[n]!].sort().join(" ")}`)
    .join("; ");
}
