// Links to ops. Every op the page names is a link to its place in the timeline; the renderer
// collects the indexes it linked so the page can embed what it needs about exactly those ops.
import type { Value } from "../checkers/index.ts";
import { esc, showValue } from "./escape.ts";
import type { KeyLog } from "./key-logs.ts";

export class Refs {
  readonly linked = new Set<number>();
  /** Process and outcome of ops, when known before rendering (writers, readers, finding ops). */
  constructor(readonly who: (index: number) => { process?: string | number; type?: string; f?: string } | undefined = () => undefined) {}

  /** `op 12` as a link, coloured by outcome, with the process after it. */
  op(index: number, withProcess = true): string {
    this.linked.add(index);
    const w = this.who(index);
    const type = w?.type ?? "";
    const p = withProcess && w?.process !== undefined ? ` <span class="proc">${esc(procName(w.process))}</span>` : "";
    return `<a class="op t-${esc(type)}" href="#op-${index}" data-op="${index}" title="${esc(`${w?.f ?? "op"} ${type}`)}">op ${index}</a>${p}`;
  }
}

export const procName = (p: string | number): string => (typeof p === "number" ? `p${p}` : p);

export const val = (v: Value): string => `<b class="val">${esc(showValue(v))}</b>`;
export const key = (k: string | number): string => `<b class="key">${esc(String(k).length > 80 ? showValue(k) : String(k))}</b>`;

/** Where the log says a value sits: "offset 7", "offsets 7, 9", or "offset unknown". */
export function offsetsOf(log: KeyLog | undefined, v: Value): string {
  const o = log?.valueOffsets.get(v);
  if (!o || o.length === 0) return `<span class="muted">offset unknown</span>`;
  return `offset${o.length > 1 ? "s" : ""} <b class="off">${o.join(", ")}</b>`;
}
