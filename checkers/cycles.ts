// Dependency cycles (G0, G1c and their -process and -realtime variants, and G1c-ww). Strongly connected
// components first (linear), then, inside each cyclic component, a breadth-first search for a
// shortest cycle through a required edge. A cycle is reported under the weakest class that explains
// it: a component already cyclic without process (or real-time) edges is not reported again as
// -process (-realtime).
import { type Derived, opIndex } from "./derive.ts";
import type { Cycle, CycleStep, Findings, Rel } from "./findings.ts";
import { buildGraph, type Csr, type DepGraph, forwardInOrder, graphNodes, PROC, RT, tarjan, toCsr, WR, WW } from "./graph.ts";

interface CycleClass {
  type: Cycle["type"];
  allowed: number;
  /** The cycle must contain an edge of this relation (the search starts from such edges)... */
  need: number;
  /** ...and, when non-zero, one of this relation too. */
  need2: number;
  /** Classes whose cyclic ops are not reported again under this one. */
  weaker: Cycle["type"][];
}

// The G1c family is made of write-read edges alone (with process or real-time ones): a cycle that
// needs a write-write edge inferred from the log (--ww-deps) is G1c-ww, since log order is no
// isolation promise, while write-read edges are one under any option.
const CLASSES: CycleClass[] = [
  { type: "G0", allowed: WW, need: WW, need2: 0, weaker: [] },
  { type: "G1c", allowed: WR, need: WR, need2: 0, weaker: [] },
  { type: "G0-process", allowed: WW | PROC, need: PROC, need2: 0, weaker: ["G0"] },
  { type: "G1c-process", allowed: WR | PROC, need: PROC, need2: WR, weaker: ["G1c"] },
  { type: "G0-realtime", allowed: WW | RT, need: RT, need2: 0, weaker: ["G0", "G0-process"] },
  { type: "G1c-realtime", allowed: WR | RT, need: RT, need2: WR, weaker: ["G1c", "G1c-process"] },
  { type: "G1c-ww", allowed: WW | WR | PROC | RT, need: WW, need2: WR, weaker: ["G1c", "G1c-process", "G1c-realtime"] },
];

/** Candidate start edges tried per component when looking for a shortest cycle. */
const CANDIDATES = 8;

export function findCycles(d: Derived, out: Findings, wwDeps: boolean): void {
  const node = graphNodes(d);
  if (forwardInOrder(d, wwDeps, node)) return;
  const g = buildGraph(d, wwDeps, node);
  let deps = false;
  for (let e = 0; e < g.rel.length && !deps; e++) if ((g.rel[e]! & (WW | WR)) !== 0) deps = true;
  if (!deps) return;
  // Every cycle of every class lies inside a cyclic component of the union graph.
  const all = tarjan(g, toCsr(g, WW | WR | PROC | RT));
  const active = new Uint8Array(g.n);
  let any = false;
  for (let c = 0; c < g.n; c++) {
    if (all.size[all.comp[c]!]! > 1) {
      active[c] = 1;
      any = true;
    }
  }
  if (!any) return;
  // The relations of the edges inside cyclic components: a class whose required relations are not
  // among them finds nothing, so its graph is not built (each costs a pass over every edge).
  let present = 0;
  for (let e = 0; e < g.rel.length; e++) {
    if (active[g.src[e]!] === 1 && active[g.dst[e]!] === 1 && all.comp[g.src[e]!] === all.comp[g.dst[e]!]) present |= g.rel[e]!;
  }
  const explained = new Map<Cycle["type"], Uint8Array>();
  const search = new Search(g.n);
  for (const cls of CLASSES) {
    if (!wwDeps && (cls.allowed & WW) !== 0) continue;
    if ((present & cls.need) === 0 || (present & (cls.need2 || cls.need)) === 0) continue;
    explained.set(cls.type, findClass(d, g, cls, active, explained, search, out));
  }
}

function findClass(
  d: Derived,
  g: DepGraph,
  cls: CycleClass,
  active: Uint8Array,
  explained: Map<Cycle["type"], Uint8Array>,
  search: Search,
  out: Findings,
): Uint8Array {
  const mine = new Uint8Array(g.n);
  const csr = toCsr(g, cls.allowed, active);
  const sccs = tarjan(g, csr);
  const { comp } = sccs;
  // Per component: candidate start edges (relation `need`), whether `need2` occurs, suppression.
  const starts = new Map<number, number[]>();
  const has2 = new Uint8Array(sccs.count);
  const suppressed = new Uint8Array(sccs.count);
  for (let c = 0; c < g.n; c++) {
    if (active[c] === 0 || sccs.size[comp[c]!]! < 2) continue;
    for (const w of cls.weaker) if (explained.get(w)?.[c] === 1) suppressed[comp[c]!] = 1;
    for (let i = csr.start[c]!; i < csr.start[c + 1]!; i++) {
      const e = csr.edges[i]!;
      const k = comp[c]!;
      if (comp[g.dst[e]!] !== k) continue;
      if ((g.rel[e]! & cls.need2) !== 0) has2[k] = 1;
      if ((g.rel[e]! & cls.need) === 0) continue;
      const list = starts.get(k);
      if (!list) starts.set(k, [e]);
      else if (list.length < CANDIDATES) list.push(e);
    }
  }
  // Components in the order of their first op, so results are the same run after run.
  const firstSrc = (k: number) => g.src[starts.get(k)![0]!]!;
  const order = [...starts.keys()].sort((a, b) => firstSrc(a) - firstSrc(b));
  const found = new Uint8Array(sccs.count);
  for (const k of order) {
    if (suppressed[k] === 1 || (cls.need2 !== 0 && has2[k] === 0)) continue;
    found[k] = 1;
    out.add(cls.type, () => {
      let best: number[] | undefined;
      for (const e of starts.get(k)!) {
        const path = search.cycle(g, csr, comp, e, cls.need2);
        if (path && (!best || path.length < best.length)) best = path;
      }
      return toFinding(d, g, cls.type, best ?? [], sccs.size[k]!);
    });
  }
  for (let c = 0; c < g.n; c++) if (found[comp[c]!] === 1) mine[c] = 1;
  return mine;
}

/** Breadth-first search over (op, seen need2 yet) states, reusing its arrays across searches. */
class Search {
  private seen: Int32Array;
  private parent: Int32Array;
  private from: Int32Array;
  private queue: Int32Array;
  private stamp = 0;
  constructor(n: number) {
    this.seen = new Int32Array(2 * n).fill(-1);
    this.parent = new Int32Array(2 * n);
    this.from = new Int32Array(2 * n);
    this.queue = new Int32Array(2 * n);
  }

  /** Edges of a shortest cycle through edge e (and through a `need2` edge, if non-zero). */
  cycle(g: DepGraph, csr: Csr, comp: Int32Array, e: number, need2: number): number[] | undefined {
    const stamp = ++this.stamp;
    const u = g.src[e]!;
    const k = comp[u]!;
    const first = need2 === 0 || (g.rel[e]! & need2) !== 0 ? 1 : 0;
    const s0 = 2 * g.dst[e]! + first;
    this.seen[s0] = stamp;
    this.from[s0] = -1;
    let head = 0;
    let tail = 0;
    this.queue[tail++] = s0;
    while (head < tail) {
      const s = this.queue[head++]!;
      const x = s >> 1;
      const flag = s & 1;
      if (x === u && flag === 1) return this.unwind(s, e);
      for (let i = csr.start[x]!; i < csr.start[x + 1]!; i++) {
        const f = csr.edges[i]!;
        const y = g.dst[f]!;
        if (comp[y] !== k) continue;
        const t = 2 * y + (flag === 1 || (g.rel[f]! & need2) !== 0 ? 1 : 0);
        if (this.seen[t] === stamp) continue;
        this.seen[t] = stamp;
        this.parent[t] = f;
        this.from[t] = s;
        this.queue[tail++] = t;
      }
    }
    return undefined;
  }

  private unwind(s: number, e: number): number[] {
    const path: number[] = [];
    for (let t = s; this.from[t] !== -1; t = this.from[t]!) path.push(this.parent[t]!);
    path.push(e);
    return path.reverse();
  }
}

const REL_NAMES: Record<number, Rel> = { [WW]: "ww", [WR]: "wr", [PROC]: "process", [RT]: "realtime" };

function toFinding(d: Derived, g: DepGraph, type: Cycle["type"], path: number[], sccSize: number): Cycle {
  // Start the cycle at its lowest history index, so the same cycle always reads the same way.
  let min = 0;
  for (let i = 1; i < path.length; i++) if (g.src[path[i]!]! < g.src[path[min]!]!) min = i;
  const rotated = [...path.slice(min), ...path.slice(0, min)];
  const steps: CycleStep[] = rotated.map((e) => {
    const v = g.val[e]!;
    const step: CycleStep = { from: opIndex(d, g.src[e]!), to: opIndex(d, g.dst[e]!), rel: REL_NAMES[g.rel[e]!]! };
    if (v >= 0) {
      step.key = d.keys[d.valKey[v]!]!;
      step.value = d.valOrig[v]!;
    }
    return step;
  });
  return { type, steps, sccSize, ops: steps.map((s) => s.from) };
}
