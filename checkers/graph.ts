// The dependency graph of completed (ok or info) send/poll/txn ops, for the cycle checkers:
// write-read edges from values read, write-write edges from log order (only when asked), process
// order, and sparse real-time order. Edges live in flat typed arrays; no recursion anywhere,
// because histories reach a million ops.
import { type Derived, F_POLL, F_SEND, F_TXN, FAIL, slotValues } from "./derive.ts";
import { IntList } from "./ints.ts";

export const WW = 1;
export const WR = 2;
export const PROC = 4;
export const RT = 8;

export interface DepGraph {
  n: number;
  node: Uint8Array;
  src: Int32Array;
  dst: Int32Array;
  rel: Int32Array;
  /** The value that orders a ww/wr edge (-1 for process/realtime). */
  val: Int32Array;
}

/** The ops in the graph: completed (ok or info) send, poll and txn ops. */
export function graphNodes(d: Derived): Uint8Array {
  const node = new Uint8Array(d.nOps);
  for (let c = 0; c < d.nOps; c++) {
    const f = d.opF[c]!;
    if ((f === F_SEND || f === F_POLL || f === F_TXN) && d.opType[c] !== FAIL) node[c] = 1;
  }
  return node;
}

/**
 * A cheap proof that the graph has no cycle, which is what a correct history gives. Place each op
 * at a point of its own interval: an op that sends (send, txn) at its invocation, a poll at its
 * completion. A real-time edge a -> b means a completed before b was invoked, so it always goes forward in that
 * order; if every write-read, write-write and process edge goes forward too, there is no cycle and
 * the (large) real-time graph never needs building. Otherwise the full search decides.
 */
export function forwardInOrder(d: Derived, wwDeps: boolean, node: Uint8Array): boolean {
  // The arrays in locals: read once, not at every record.
  const { opF, opInv, opPos, opProc, opRecStart, opRecEnd, recPoll, recVal, valWriter } = d;
  for (let c = 0; c < d.nOps; c++) {
    if (node[c] === 0) continue;
    const end = opRecEnd[c]!;
    const pc = placeOf(opF, opInv, opPos, c);
    for (let r = opRecStart[c]!; r < end; r++) {
      if (recPoll[r] === 0) continue;
      const w = valWriter[recVal[r]!]!;
      if (w >= 0 && w !== c && node[w] === 1 && placeOf(opF, opInv, opPos, w) >= pc) return false;
    }
  }
  if (wwDeps && forEachWwEdge(d, node, (wa, wb) => placeOf(opF, opInv, opPos, wa) >= placeOf(opF, opInv, opPos, wb))) return false;
  const last = new Int32Array(d.procs.length).fill(-1);
  for (let c = 0; c < d.nOps; c++) {
    if (node[c] === 0) continue;
    const q = opProc[c]!;
    if (last[q]! >= 0 && placeOf(opF, opInv, opPos, last[q]!) >= placeOf(opF, opInv, opPos, c)) return false;
    last[q] = c;
  }
  return true;
}

/** Op c's point in forwardInOrder: its invocation's line for an op that sends, its completion's
 *  for a poll. Computed, not kept in an array by op (megabytes of fresh memory per check). */
function placeOf(opF: Uint8Array, opInv: Int32Array, opPos: Int32Array, c: number): number {
  return opF[c] !== F_POLL && opInv[c]! >= 0 ? opInv[c]! : opPos[c]!;
}

export function buildGraph(d: Derived, wwDeps: boolean, node = graphNodes(d)): DepGraph {
  const n = d.nOps;
  const edges = new Edges();
  const add = (a: number, b: number, r: number, v: number) => edges.add(a, b, r, v);

  // write-read: writer of each value read -> the reader (one edge per pair of ops).
  const lastReader = new Int32Array(n).fill(-1);
  for (let c = 0; c < n; c++) {
    if (node[c] === 0) continue;
    const end = d.opRecEnd[c]!;
    for (let r = d.opRecStart[c]!; r < end; r++) {
      if (d.recPoll[r] === 0) continue;
      const v = d.recVal[r]!;
      const w = d.valWriter[v]!;
      if (w < 0 || w === c || node[w] === 0 || lastReader[w] === c) continue;
      lastReader[w] = c;
      add(w, c, WR, v);
    }
  }

  // write-write: writers of consecutive log positions of a key.
  if (wwDeps) forEachWwEdge(d, node, (wa, wb, b) => void add(wa, wb, WW, b));

  // process order: each process's ops in the order they completed.
  const lastOfProc = new Int32Array(d.procs.length).fill(-1);
  for (let c = 0; c < n; c++) {
    if (node[c] === 0) continue;
    const p = d.opProc[c]!;
    if (lastOfProc[p]! >= 0) add(lastOfProc[p]!, c, PROC, -1);
    lastOfProc[p] = c;
  }

  addRealtimeEdges(d, node, edges);
  return { n, node, src: edges.src.done(), dst: edges.dst.done(), rel: edges.rel.done(), val: edges.val.done() };
}

/**
 * Real-time order, kept sparse as Elle does: a frontier holds the completed ops not yet implied by
 * a later completion; each invocation gets an edge from every frontier op, and when an op completes
 * it replaces, in the frontier, the ops it already follows (they reach later ops through it).
 */
function addRealtimeEdges(d: Derived, node: Uint8Array, edges: Edges): void {
  const h = d.nLines;
  const invAt = new Int32Array(h).fill(-1);
  const compAt = new Int32Array(h).fill(-1);
  for (let c = 0; c < d.nOps; c++) {
    if (node[c] === 0) continue;
    if (d.opInv[c]! >= 0) invAt[d.opInv[c]!] = c;
    if (d.opSynth[c] === 0) compAt[d.opPos[c]!] = c;
  }
  // The edges into op c are edges[predStart[c]..predEnd[c]): its frontier when it was invoked.
  const predStart = new Int32Array(d.nOps);
  const predEnd = new Int32Array(d.nOps);
  const mark = new Int32Array(d.nOps).fill(-1);
  const frontier: number[] = [];
  const invoke = (c: number) => {
    predStart[c] = edges.src.n;
    for (let i = 0; i < frontier.length; i++) edges.add(frontier[i]!, c, RT, -1);
    predEnd[c] = edges.src.n;
  };
  for (let pos = 0; pos < h; pos++) {
    const i = invAt[pos]!;
    if (i >= 0) invoke(i);
    const c = compAt[pos]!;
    if (c < 0) continue;
    if (d.opInv[c]! < 0) invoke(c);
    for (let e = predStart[c]!; e < predEnd[c]!; e++) mark[edges.src.a[e]!] = c;
    let j = 0;
    for (let k = 0; k < frontier.length; k++) if (mark[frontier[k]!] !== c) frontier[j++] = frontier[k]!;
    frontier.length = j;
    frontier.push(c);
  }
}

class Edges {
  src = new IntList(4096);
  dst = new IntList(4096);
  rel = new IntList(4096);
  val = new IntList(4096);
  add(a: number, b: number, r: number, v: number): void {
    this.src.push(a);
    this.dst.push(b);
    this.rel.push(r);
    this.val.push(v);
  }
}

/** Adjacency (compressed rows) of the edges whose relation is in `mask` and whose ends are active. */
export interface Csr {
  start: Int32Array;
  edges: Int32Array;
}

export function toCsr(g: DepGraph, mask: number, active?: Uint8Array): Csr {
  const start = new Int32Array(g.n + 1);
  const m = g.src.length;
  const keep = (e: number) => (g.rel[e]! & mask) !== 0 && (!active || (active[g.src[e]!] === 1 && active[g.dst[e]!] === 1));
  for (let e = 0; e < m; e++) if (keep(e)) start[g.src[e]! + 1]!++;
  for (let i = 0; i < g.n; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, g.n);
  const edges = new Int32Array(start[g.n]!);
  for (let e = 0; e < m; e++) if (keep(e)) edges[fill[g.src[e]!]!++] = e;
  return { start, edges };
}

export interface Sccs {
  comp: Int32Array;
  size: Int32Array;
  count: number;
}

/** Strongly connected components, Tarjan's algorithm with an explicit stack. */
export function tarjan(g: DepGraph, csr: Csr): Sccs {
  const n = g.n;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  const callNode = new Int32Array(n);
  const callEdge = new Int32Array(n);
  const comp = new Int32Array(n).fill(-1);
  const sizes = new IntList();
  let sp = 0;
  let counter = 0;
  const { start, edges } = csr;
  for (let s = 0; s < n; s++) {
    if (index[s] !== -1 || start[s] === start[s + 1]) {
      if (index[s] === -1) {
        index[s] = counter++;
        comp[s] = sizes.n;
        sizes.push(1);
      }
      continue;
    }
    let csp = 0;
    index[s] = low[s] = counter++;
    stack[sp++] = s;
    onStack[s] = 1;
    callNode[csp] = s;
    callEdge[csp++] = start[s]!;
    while (csp > 0) {
      const v = callNode[csp - 1]!;
      const p = callEdge[csp - 1]!;
      if (p < start[v + 1]!) {
        callEdge[csp - 1] = p + 1;
        const w = g.dst[edges[p]!]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack[sp++] = w;
          onStack[w] = 1;
          callNode[csp] = w;
          callEdge[csp++] = start[w]!;
        } else if (onStack[w] === 1 && index[w]! < low[v]!) low[v] = index[w]!;
        continue;
      }
      csp--;
      if (low[v] === index[v]) {
        const id = sizes.n;
        let size = 0;
        let w: number;
        do {
          w = stack[--sp]!;
          onStack[w] = 0;
          comp[w] = id;
          size++;
        } while (w !== v);
        sizes.push(size);
      }
      if (csp > 0) {
        const u = callNode[csp - 1]!;
        if (low[v]! < low[u]!) low[u] = low[v]!;
      }
    }
  }
  return { comp, size: sizes.done(), count: sizes.n };
}

/**
 * Write-write edges: the writers (both graph nodes, not the same op) of values at consecutive log
 * positions of a key, a's writer before b's. `visit` returning true stops the walk (and the
 * function returns true).
 */
function forEachWwEdge(d: Derived, node: Uint8Array, visit: (wa: number, wb: number, b: number) => boolean | void): boolean {
  for (const slots of d.keySlots) {
    for (let i = 1; i < slots.length; i++) {
      for (const a of slotValues(d, slots[i - 1]!)) {
        const wa = d.valWriter[a]!;
        if (wa < 0 || node[wa] === 0) continue;
        for (const b of slotValues(d, slots[i]!)) {
          const wb = d.valWriter[b]!;
          if (wb >= 0 && wb !== wa && node[wb] === 1 && visit(wa, wb, b)) return true;
        }
      }
    }
  }
  return false;
}
